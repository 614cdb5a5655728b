// The Mizan server for the app's router: how each request becomes a context.
import { createMizanServer, ResponseHeaders, type MizanRequest } from '@mizan/server'
import { Db } from './db.js'
import { appRouter, type Ctx } from './router.js'
import { Session, userFrom } from './session.js'

const db = new Db()

/**
 * The context of a request: who is asking, the database, and the session handlers write cookies
 * through. The page renderer builds its caller's context with the same function.
 */
export function contextFor(headers: MizanRequest['headers'], resHeaders = new ResponseHeaders()): Ctx {
  return { user: userFrom(headers), db, session: new Session(resHeaders) }
}

export const mizan = createMizanServer({
  router: appRouter,
  createContext: ({ req, resHeaders }) => contextFor(req.headers, resHeaders),
  basePath: '/api/mizan',
})
