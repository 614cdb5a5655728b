import { initMizan } from '@mizan/server'
import { expect } from 'vitest'
import { z } from 'zod'

/**
 * A router with file inputs and binary outputs, for the client's upload tests. Only its type is
 * used: the tests answer through a fake fetch, XMLHttpRequest or WebSocket.
 */
const m = initMizan()
export const filesRouter = m.router({
  posts: m.router({
    list: m.query({ input: z.object({ page: z.number() }) }, () => ({ items: [] as string[] })),
    create: m.mutation(
      {
        input: z.object({
          title: z.string(),
          at: z.date().optional(),
          image: z.file().optional(),
          attachments: z.array(z.file()).optional(),
          profile: z.object({ avatar: z.file() }).optional(),
        }),
        affects: ['posts.list'],
      },
      ({ input }) => ({ title: input.title }),
    ),
  }),
  avatar: m.mutation({ input: z.file() }, () => true),
  anything: m.mutation({ input: z.unknown() }, () => true),
  search: m.query({ input: z.unknown() }, () => true),
  download: m.query(() => new File(['x'], 'x.txt')),
  feed: m.channel({ params: z.object({}), message: z.unknown() }),
})
export type FilesRouter = typeof filesRouter

/** One request the fake fetch saw. */
export interface Seen {
  url: string
  method: string
  headers: Record<string, string>
  body: unknown
  signal: AbortSignal | undefined
}

/** A fake fetch: records each request and answers with `answer(request)`. */
export function fakeFetch(answer: (request: Seen) => Response | Promise<Response> = () => json({ data: true })) {
  const seen: Seen[] = []
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const request: Seen = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: init.body,
      signal: init.signal ?? undefined,
    }
    seen.push(request)
    return answer(request)
  }) as typeof globalThis.fetch
  return { fetch, seen }
}

/** A JSON answer, as the server sends one. */
export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers: { 'content-type': 'application/json; charset=utf-8', ...init.headers } })
}

/** What a multipart body holds, as the server would read it: the body is serialized, then parsed. */
export async function partsOf(body: unknown): Promise<{ name: string; value: string; filename?: string; type?: string }[]> {
  expect(body).toBeInstanceOf(FormData)
  const parsed = await new Response(body as FormData).formData()
  const parts = []
  for (const [name, value] of parsed) {
    if (typeof value === 'string') parts.push({ name, value })
    else parts.push({ name, value: await value.text(), filename: value.name, type: value.type })
  }
  return parts
}

/** One full turn of the event loop: lets lazily loaded modules and timers run. */
export const turn = () => new Promise((resolve) => setTimeout(resolve, 0))

/** Waits, turn by turn (bounded), until `done()` holds. */
export async function until(done: () => boolean): Promise<void> {
  for (let turns = 0; turns < 200 && !done(); turns++) await turn()
  expect(done()).toBe(true)
}
