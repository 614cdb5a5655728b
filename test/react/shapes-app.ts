import { createClient } from '@mizan/client'
import type { Post, PostShapes, ShapesRouter } from '../types/shapes-fixtures.js'

/**
 * A stand-in server for the React shapes tests, behind a fake fetch: it reads each call's shape
 * from the wire as a Mizan server does (GET parameters, POST body, batch envelopes), answers
 * `posts.list` and `posts.byId` with the projection, and answers `posts.create` with the
 * invalidations a test sets. Every call it serves is recorded.
 */
export function shapesApp() {
  const url = 'http://shapes.test/api/mizan'
  const served: { path: string; input: unknown; shape: unknown }[] = []
  const state = {
    /** Bumped by each `posts.create`: refetched data shows it in titles. */
    version: 1,
    /** What the next `posts.create` announces. */
    invalidate: [{ path: 'posts.list' }] as { path: string; input?: unknown }[],
  }
  const named: PostShapes = { card: { id: true, title: true, author: { name: true } }, full: { id: true, title: true, body: true, author: true } }

  const answer = (path: string, envelope: { input?: unknown; shape?: unknown }) => {
    served.push({ path, input: envelope.input, shape: envelope.shape })
    const selection = typeof envelope.shape === 'string' ? named[envelope.shape as keyof PostShapes] : envelope.shape
    if (path === 'posts.create') {
      state.version++
      return { data: true, invalidate: state.invalidate }
    }
    const page = (envelope.input as { page?: number } | undefined)?.page ?? 1
    const posts = [post(page, state.version)]
    const data = path === 'posts.byId' ? posts[0] : posts
    return { data: selection === undefined ? data : project(data, selection) }
  }

  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const target = new URL(String(input))
    const paths = target.pathname.slice(new URL(url).pathname.length + 1).split(',')
    let envelopes: { input?: unknown; shape?: unknown }[]
    if (init.method === 'POST') {
      const body = JSON.parse(String(init.body)) as unknown
      envelopes = paths.length > 1 ? (body as typeof envelopes) : [body as (typeof envelopes)[number]]
    } else if (paths.length > 1) {
      envelopes = JSON.parse(target.searchParams.get('input')!) as typeof envelopes
    } else {
      const read = (name: string) => (target.searchParams.has(name) ? (JSON.parse(target.searchParams.get(name)!) as unknown) : undefined)
      envelopes = [{ input: read('input'), shape: read('shape') }]
    }
    const entries = paths.map((path, i) => answer(path, envelopes[i]!))
    return new Response(JSON.stringify(paths.length > 1 ? entries : entries[0]), { status: 200, headers: { 'content-type': 'application/json' } })
  }) as typeof globalThis.fetch

  const client = createClient<ShapesRouter>({ url, fetch, transformer: 'json' })
  return { client, served, state }
}

/** The one post of a page, at a version. */
export function post(page: number, version: number): Post {
  const author = { id: 'a1', name: 'Ann', email: 'ann@example.com' }
  return { id: `p${page}`, title: `Page ${page} v${version}`, body: 'Body', tags: ['t'], author, editor: null, comments: [{ id: 'c1', text: 'Nice', by: author }] }
}

/** A value cut to a selection, as the server projects a handler's result. */
export function project(value: unknown, selection: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => project(item, selection))
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, pick] of Object.entries(selection as Record<string, unknown>)) {
    if (key in value) out[key] = pick === true ? (value as Record<string, unknown>)[key] : project((value as Record<string, unknown>)[key], pick)
  }
  return out
}
