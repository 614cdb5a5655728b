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
  // Also called once per WebSocket (`transport: 'ws'`) with the upgrade request, which carries the
  // browser's session cookie: the socket belongs to the page's user. Its `resHeaders` reach no one,
  // so signing in and out stays on HTTP.
  createContext: ({ req, resHeaders }) => contextFor(req.headers, resHeaders),
  basePath: '/api/mizan', // the socket lives at /api/mizan/_ws, for pages of this origin only
  // Channels and invalidation pushes fan out in this process (the default `memoryPubSub()`); with
  // several instances, `redisPubSub({ redis })` carries them across.
})
