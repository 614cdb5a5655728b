// The typed client and its React Query bindings. Only the router's *type* comes from the server.
import { createClient } from '@mizan/client'
import { createMizanReact } from '@mizan/react'
import type { AppRouter } from '../../src/router.js'

// The first channel subscription opens the browser's WebSocket at /api/mizan/_ws on this page's
// origin (`wsUrl` would change it); the browser sends the session cookie with it.
export const client = createClient<AppRouter>({ url: '/api/mizan' })
export const api = createMizanReact<AppRouter>(client)
