// The typed client and its React Query bindings. Only the router's *type* comes from the server.
import { createClient } from '@mizan/client'
import { createMizanReact } from '@mizan/react'
import type { AppRouter } from '../../src/router.js'

export const client = createClient<AppRouter>({ url: '/api/mizan' })
export const api = createMizanReact<AppRouter>(client)
