// The Mizan server of this process, and how a request becomes a context. Server code only: the
// route handler and the Server Components import it; client components import only types.
import 'server-only'
import { createMizanServer, ResponseHeaders } from '@mizan/server'
import { notes } from './notes'
import { appRouter, type Ctx } from './router'
import { Session, userFrom, type HeaderSource } from './session'
import { processWide } from './process-wide'

/**
 * The context of a request. The route handler passes the request's headers and the response's
 * headers; a Server Component passes `await headers()` and nothing to write to (a page cannot set
 * cookies, and its calls are reads).
 */
export function contextFor(headers: HeaderSource, resHeaders = new ResponseHeaders()): Ctx {
  return { user: userFrom(headers), notes, session: new Session(resHeaders) }
}

/** Makes the server: it holds no port, the route handler hands it requests. */
function create() {
  return createMizanServer({
    router: appRouter,
    basePath: '/api/mizan', // where app/api/mizan/[...path]/route.ts is served
    createContext: ({ req, resHeaders }) => contextFor(req.headers, resHeaders),
  })
}

/**
 * The Mizan server: `fetchHandler` for the route handler, `createCaller` for Server Components.
 *
 * One per process in production. A Next build bundles the route handler and the pages separately,
 * each with its own copy of this module, and both copies must share one server (with an origin
 * cache, a rate limit or channels, two servers would each keep their own). In `next dev` every
 * evaluation of this module makes a new one instead, so an edit to the router takes effect at once.
 */
export const mizan = process.env.NODE_ENV === 'production' ? processWide('server', create) : create()
