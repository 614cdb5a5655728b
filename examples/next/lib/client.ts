// The typed client and its React Query bindings, for client components. Only the router's *type*
// comes from the server code, so none of it reaches the browser bundle.
import { createClient } from '@mizan/client'
import { createMizanReact } from '@mizan/react'
import type { AppRouter } from './router'

/**
 * Calls the route handler at /api/mizan on the page's origin, with the browser's cookies. Realtime
 * goes over Server-Sent Events: a route handler streams them, but takes no WebSocket upgrade, so
 * the client does not try one first.
 */
export const client = createClient<AppRouter>({ url: '/api/mizan', transport: 'sse' })

/** `api.notes.list.queryOptions()`, `api.notes.add.useMutation()`, `api.currentUser` and so on. */
export const api = createMizanReact<AppRouter>(client)
