import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { answer, post, startApp, type AdapterName, type TestApp } from './support.js'

// Results that are bytes: a single call's body is the bytes; a batch entry (and a WebSocket
// result) carries them base64-encoded with their type and name.

const apps: TestApp[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})
async function start(adapter: AdapterName): Promise<TestApp> {
  const app = await startApp(adapter)
  apps.push(app)
  return app
}
const input = (value: unknown) => encodeURIComponent(JSON.stringify(value))

describe.each(['node', 'fetch'] as const)('binary outputs through the %s adapter', (adapter) => {
  it('a Blob: its bytes, its type, and headers that keep a browser from running it', async () => {
    const app = await start(adapter)
    const res = await fetch(`${app.url}/png`)
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([137, 80, 78, 71]))
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('content-length')).toBe('4')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toBe('sandbox')
    expect(res.headers.get('content-disposition')).toBeNull()
    const head = await fetch(`${app.url}/png`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('a File with a non-ASCII name: an attachment named both ways', async () => {
    const app = await start(adapter)
    const res = await post(`${app.url}/named`, '', { 'content-type': 'application/json' })
    expect(res.status).toBe(200)
    expect(res.text).toBe('héllo wörld')
    expect(res.headers['content-type']).toBe('text/plain')
    expect(res.headers['content-disposition']).toBe(`attachment; filename="r_sum_ _final_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt`)
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('a stream, sent as it comes', async () => {
    const app = await start(adapter)
    const res = await fetch(`${app.url}/stream?input=${input({ chunks: 1000 })}`)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('content-length')).toBeNull()
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(bytes.length).toBe(256 * 1000)
    expect(bytes[256 * 999]).toBe(999 % 256)
  })

  it('in a batch: base64 entries with the blob type and name, next to JSON ones', async () => {
    const app = await start(adapter)
    const res = await answer(await fetch(`${app.url}/png,stream,posts.list?batch=1&input=${input([{}, { input: { chunks: 2 } }, {}])}`))
    expect(res.status).toBe(200)
    expect(res.json).toEqual([
      { data: Buffer.from([137, 80, 78, 71]).toString('base64'), blob: { type: 'image/png' } },
      { data: Buffer.concat([Buffer.alloc(256, 0), Buffer.alloc(256, 1)]).toString('base64'), blob: { type: 'application/octet-stream' } },
      { data: ['a'] },
    ])
    const named = await answer(await fetch(`${app.url}/named,posts.list?batch=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }))
    expect(named.json[0]).toEqual({ data: Buffer.from('héllo wörld').toString('base64'), blob: { type: 'text/plain', name: 'résumé "final".txt' } })
  })

  it('a stream over 16 MiB fails its batch entry alone, with a server error', async () => {
    const app = await start(adapter)
    const res = await answer(await fetch(`${app.url}/stream,posts.list?batch=1&input=${input([{ input: { chunks: 70_000 } }, {}])}`))
    expect(res.json[0].error).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', status: 500 })
    expect(res.json[1]).toEqual({ data: ['a'] })
  })

  it('the origin cache passes a binary answer through and never stores it', async () => {
    const app = await start(adapter)
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${app.url}/cachedPng`)
      expect(await res.text()).toBe('png')
      expect(res.headers.get('cache-control')).toMatch(/s-maxage=60/)
      expect(res.headers.get('etag')).toBeNull()
    }
    expect(app.seen.ran).toEqual(['cachedPng', 'cachedPng'])
  })
})

describe('binary outputs elsewhere', () => {
  it('the in-process caller returns the Blob as it is, and a stream as a Blob', async () => {
    const app = await start('node')
    const caller = app.server.createCaller({ user: null })
    const file = await caller.named()
    expect(file).toBeInstanceOf(File)
    expect((file as File).name).toBe('résumé "final".txt')
    const streamed = await caller.stream({ chunks: 3 })
    expect(streamed).toBeInstanceOf(Blob)
    expect(streamed.size).toBe(768)
  })

  it('the in-process caller takes File inputs as they are', async () => {
    const app = await start('node')
    const caller = app.server.createCaller({ user: null })
    expect(await caller.avatar(new File(['x'], 'a.png', { type: 'image/png' }))).toEqual({ name: 'a.png', type: 'image/png', size: 1, text: 'x' })
  })

  it('over the WebSocket: a base64 result entry', async () => {
    const app = await start('node')
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws`)
    const frames: any[] = []
    const result = new Promise<any>((resolve) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data))
        frames.push(frame)
        if (frame.type === 'hello') ws.send(JSON.stringify({ type: 'call', id: '1', path: 'wsPng' }))
        if (frame.type === 'result') resolve(frame)
      })
    })
    expect(await result).toEqual({ type: 'result', id: '1', result: { data: Buffer.from('ws').toString('base64'), blob: { type: 'application/x-test', name: 'w.bin' } } })
    ws.close()
  })
})
