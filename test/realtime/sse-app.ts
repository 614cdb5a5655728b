import { createMizanServer, initMizan, memoryPubSub, type PubSub } from '@mizan/server'
import { z } from 'zod'

type Ctx = { user: { id: string; name: string } | null }
const m = initMizan<Ctx>()

/** How each waiter stream ended, by key: whether its signal was aborted when its `finally` ran. */
export const endings = new Map<string, { promise: Promise<boolean>; resolve: (aborted: boolean) => void }>()
export function ending(key: string) {
  let found = endings.get(key)
  if (found === undefined) {
    let resolve!: (aborted: boolean) => void
    const promise = new Promise<boolean>((done) => (resolve = done))
    endings.set(key, (found = { promise, resolve }))
  }
  return found
}

export const sseRouter = m.router({
  chat: m.channel({
    params: z.object({ room: z.string().min(1) }),
    message: z.object({ text: z.string(), user: z.string() }),
    authorize: ({ ctx }) => ctx.user !== null,
    group: ({ params }) => `room:${params.room}`,
    receive: {
      message: z.object({ text: z.string().min(1).max(500) }),
      handle: ({ ctx, message, publish }) => publish({ text: message.text, user: ctx.user!.name }),
    },
  }),
  posts: m.router({
    list: m.query(() => ['a']),
    create: m.mutation({ affects: ['posts.list'] }, () => 'created'),
  }),
  tokens: m.query({ websocket: true, input: z.object({ prompt: z.string() }) }, async function* ({ input }) {
    for (const word of input.prompt.split(' ')) yield word
    return 'end'
  }),
  /** Yields `first`, then waits for its signal; reports how it ended under `key`. */
  waiter: m.query({ websocket: true, input: z.object({ key: z.string() }) }, async function* ({ input, signal }) {
    try {
      yield 'first'
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
    } finally {
      ending(input.key).resolve(signal.aborted)
    }
  }),
})

/** A pub/sub that counts its listeners, to show that a closed stream leaves nothing behind. */
export function countingPubSub(inner: PubSub = memoryPubSub()): PubSub & { listeners: number } {
  const counting = {
    kind: inner.kind,
    listeners: 0,
    subscribe(group: string, listener: (payload: string) => void) {
      counting.listeners++
      const leave = inner.subscribe(group, listener)
      let left = false
      return () => {
        if (!left) counting.listeners--
        left = true
        leave()
      }
    },
    publish: (group: string, payload: string) => inner.publish(group, payload),
    onResume: (listener: () => void) => inner.onResume(listener),
    close: () => inner.close(),
    ...(inner.ready === undefined ? {} : { ready: (group: string) => inner.ready!(group) }),
  }
  return counting
}

type ServerOptions = Parameters<typeof createMizanServer<typeof sseRouter>>[0]

/** The app: the user is the bearer token's name, or the ticket's subject when tickets are on. */
export function sseServer(options: Partial<ServerOptions> = {}) {
  return createMizanServer({
    router: sseRouter,
    createContext: ({ req, ticket }) => {
      const name = ticket?.sub ?? req.headers.get('authorization')?.slice(7) ?? null
      return { user: name ? { id: name, name } : null }
    },
    onError: () => {},
    ...options,
  })
}

/** One event of a stream as the client sees it. */
export interface StreamEvent {
  event: string
  data: string
  id?: string
  /** The text of a comment line (`: ping`), for comments. */
  comment?: string
}

/**
 * Reads an event stream by hand, by the rules of the HTML event-stream format: fields up to a
 * blank line make an event; lines starting with `:` are comments.
 */
export class EventReader {
  readonly events: StreamEvent[] = []
  private waiters: (() => void)[] = []
  ended = false
  readonly done: Promise<void>

  private readonly reader: ReadableStreamDefaultReader<Uint8Array>

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader()
    this.done = this.read()
  }

  /** Stops reading, as a client that goes away: the runtime cancels the body. */
  cancel(): Promise<void> {
    return this.reader.cancel()
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder()
    let text = ''
    try {
      for (;;) {
        const { done, value: chunk } = await this.reader.read()
        if (done) break
        text += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = text.indexOf('\n\n')) !== -1) {
          this.parse(text.slice(0, end))
          text = text.slice(end + 2)
        }
      }
    } catch {
      // aborted by the test
    }
    this.ended = true
    this.wake()
  }

  private parse(block: string): void {
    const event: StreamEvent = { event: 'message', data: '' }
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) event.comment = line.slice(1).trim()
      else {
        const colon = line.indexOf(':')
        const field = line.slice(0, colon)
        const value = line.slice(colon + 1).replace(/^ /, '')
        if (field === 'data') data.push(value)
        else if (field === 'event') event.event = value
        else if (field === 'id') event.id = value
      }
    }
    event.data = data.join('\n')
    this.events.push(event)
    this.wake()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    waiters.forEach((each) => each())
  }

  /** Resolves with the first event not taken yet that matches, taking it; rejects when the stream ends first. */
  async take(matches: (event: StreamEvent) => boolean): Promise<StreamEvent> {
    for (;;) {
      const at = this.events.findIndex(matches)
      if (at !== -1) return this.events.splice(at, 1)[0]!
      if (this.ended) throw new Error(`the stream ended; events left: ${JSON.stringify(this.events)}`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /** The next frame (a `data` event) of `type`, and `id` when given, parsed. */
  async frame(type: string, id?: string): Promise<Record<string, any>> {
    const event = await this.take((each) => {
      if (each.event !== 'message' || each.comment !== undefined) return false
      const frame = JSON.parse(each.data) as { type?: string; id?: string }
      return frame.type === type && (id === undefined || frame.id === id)
    })
    return JSON.parse(event.data) as Record<string, any>
  }
}

/** Frames as a POST body: one JSON object per line. */
export function framesBody(...frames: unknown[]): string {
  return frames.map((frame) => JSON.stringify(frame)).join('\n')
}
