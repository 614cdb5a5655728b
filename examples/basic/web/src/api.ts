// The typed client and its React Query bindings. Only the router's *type* comes from the server.
import { createClient } from '@mizan/client'
import { createMizanReact } from '@mizan/react'
import type { AppRouter } from '../../src/router.js'

// The first channel subscription opens the browser's WebSocket at /api/mizan/_ws on this page's
// origin (`wsUrl` would change it); the browser sends the session cookie with it.
export const client = createClient<AppRouter>({ url: '/api/mizan' })
export const api = createMizanReact<AppRouter>(client)

/**
 * Where an <img> loads a post's image: `posts.image` answers a GET with the image's own bytes and
 * type (its `cache` policy lets the browser keep it). `client.posts.image.query({ id })` would give a Blob.
 */
export function imageURL(id: string): string {
  return `/api/mizan/posts.image?input=${encodeURIComponent(JSON.stringify({ id }))}`
}
