// Server-side rendering of *data*: the page's HTML arrives with the signed-in user in the header
// and the React Query cache filled, so the first paint needs no request and shows no spinner.
import type { IncomingMessage } from 'node:http'
import { createMizanReact } from '@mizan/react'
import { callerClient, dehydrateState, inlineState, prefetchContexts } from '@mizan/react/ssr'
import { QueryClient } from '@tanstack/react-query'
import { contextFor, mizan } from './api.js'
import { escapeHtml } from './html.js'
import type { AppRouter, User } from './router.js'

/** Fills `index.html`'s placeholders for the user who sent `req`. */
export async function renderPage(template: string, req: IncomingMessage): Promise<string> {
  // The same procedures the browser calls, run in process with this request's context.
  const caller = mizan.createCaller(contextFor(headersOf(req)))
  const api = createMizanReact<AppRouter>(callerClient(caller))
  const queryClient = new QueryClient()
  await Promise.all([
    prefetchContexts(api, queryClient, mizan.manifest), // every `context: 'global'` query: currentUser
    // The list as its component asks for it: the same input and shape make the same cache entry.
    queryClient.prefetchQuery(api.posts.list.queryOptions({ page: 1 }, { shape: 'cards' })),
    // The feedback form draws from its schema at once, and its list is there too.
    queryClient.prefetchQuery(api.contact.schema.queryOptions()),
    queryClient.prefetchQuery(api.feedback.recent.queryOptions()),
  ])
  const user = queryClient.getQueryData(api.currentUser.queryKey()) ?? null
  return template
    .replace('<!--ssr-user-->', () => userMarkup(user))
    .replace('<!--ssr-state-->', () => `<script>window.__MIZAN_STATE__ = ${inlineState(dehydrateState(queryClient))}</script>`)
}

/** What the header shows before React starts; React's first render draws the same. */
function userMarkup(user: User | null): string {
  return user === null ? '<span class="who">Not signed in</span>' : `<span class="who">Signed in as <strong>${escapeHtml(user.name)}</strong></span>`
}

function headersOf(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    },
  }
}
