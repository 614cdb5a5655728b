import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Dispatcher } from '../dispatch.js'
import { initMizan } from '../init.js'
import { CallStream } from './call-stream.js'

const m = initMizan<{}>()

async function streamOf(dispatcher: Dispatcher, path: string, input?: unknown): Promise<CallStream> {
  const result = await dispatcher.call(dispatcher.resolve(path)!, {}, input)
  if (!result.ok || !(result.data instanceof CallStream)) throw new Error('not a stream')
  return result.data
}

describe('CallStream', () => {
  it('checks each value, and ends with the invalidations added until the end', async () => {
    const announced: unknown[] = []
    const dispatcher = new Dispatcher(
      m.router({
        other: m.query(() => 1),
        write: m.mutation({ affects: ['other'], output: z.number() }, async function* ({ invalidate }) {
          yield 1
          invalidate('other', { id: 1 })
          return 'r'
        }),
      }),
      { onInvalidate: (list) => void announced.push(list) },
    )
    const stream = await streamOf(dispatcher, 'write')
    expect(await stream.next()).toEqual({ done: false, value: 1 })
    expect(stream.invalidations).toEqual([])
    expect(announced).toEqual([])
    expect(await stream.next()).toEqual({ done: true, value: 'r' })
    expect(stream.invalidations).toEqual([{ path: 'other' }, { path: 'other', input: { id: 1 } }])
    expect(announced).toHaveLength(1)
  })

  it('ends with INTERNAL_SERVER_ERROR on a value the output schema refuses, returning the handler', async () => {
    let closed = false
    const dispatcher = new Dispatcher(
      m.router({
        q: m.query({ output: z.number() }, async function* () {
          try {
            yield 'no' as unknown as number
            yield 2
          } finally {
            closed = true
          }
        }),
      }),
      { onError: () => {} },
    )
    const stream = await streamOf(dispatcher, 'q')
    await expect(stream.next()).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' })
    expect(closed).toBe(true)
    expect(await stream.next()).toEqual({ done: true, value: undefined })
  })

  it('return() while a step waits aborts the signal, drops the value and runs finally', async () => {
    const events: string[] = []
    let waiting!: () => void
    const isWaiting = new Promise<void>((resolve) => (waiting = resolve))
    const dispatcher = new Dispatcher(
      m.router({
        q: m.query(async function* ({ signal }) {
          try {
            yield 1
            const woken = new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
            waiting()
            await woken
            events.push('woke')
            yield 2
          } finally {
            events.push(`finally aborted=${signal.aborted}`)
          }
        }),
      }),
    )
    const stream = await streamOf(dispatcher, 'q')
    await stream.next()
    const pending = stream.next()
    await isWaiting
    await stream.return(undefined)
    expect(await pending).toEqual({ done: true, value: undefined })
    expect(events).toEqual(['woke', 'finally aborted=true'])
  })

  it('refuses cache on a streaming handler: at definition when it is a generator function, at the first call otherwise', async () => {
    const cache = { ttl: 1, scope: 'public' as const }
    expect(() => m.query({ cache } as never, async function* () {})).toThrow(/never cached/)
    const dispatcher = new Dispatcher(m.router({ q: m.query({ cache }, () => ({ async *[Symbol.asyncIterator]() {} }) as never) }), { onError: () => {} })
    const result = await dispatcher.call(dispatcher.resolve('q')!, {}, undefined)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error).toBeInstanceOf(TypeError)
  })

  it('leaves a ReadableStream a binary result', async () => {
    const dispatcher = new Dispatcher(m.router({ q: m.query(() => new ReadableStream()) }))
    const result = await dispatcher.call(dispatcher.resolve('q')!, {}, undefined)
    expect(result.ok && result.data).toBeInstanceOf(ReadableStream)
  })
})
