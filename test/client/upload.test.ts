import { createClient, MizanClientError, type ClientInvalidation, type UploadProgress } from '@mizan/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeSocket } from './fake-socket.js'
import { fakeFetch, json, partsOf, until, type FilesRouter } from './files-support.js'
import { watchUnhandled } from './unhandled.js'

const url = 'http://files.test/api/mizan'
const png = (bytes = 'PNGDATA', name = 'cat.png') => new File([bytes], name, { type: 'image/png' })

afterEach(() => vi.unstubAllGlobals())

describe('a mutation whose input holds files is uploaded as multipart', () => {
  it('sends the input without its files, then one part per file named by its path', async () => {
    const { fetch, seen } = fakeFetch(() => json({ data: { title: 'Hi' } }))
    const client = createClient<FilesRouter>({ url, fetch, headers: () => ({ authorization: 'Bearer alice' }) })
    const result = await client.posts.create.mutate({
      title: 'Hi',
      image: png(),
      attachments: [new File(['%PDF'], 'a.pdf', { type: 'application/pdf' }), new Blob(['raw'])],
      profile: { avatar: new File(['me'], 'me.jpg', { type: 'image/jpeg' }) },
    })
    expect(result).toEqual({ title: 'Hi' })
    expect(seen).toHaveLength(1)
    const [request] = seen
    expect(request!.url).toBe(`${url}/posts.create`)
    expect(request!.method).toBe('POST')
    expect(request!.headers).toEqual({ authorization: 'Bearer alice', 'x-mizan-upload': '1' })
    expect(await partsOf(request!.body)).toEqual([
      // Files left out: the key omitted in an object, a null in an array.
      { name: 'input', value: '{"title":"Hi","attachments":[null,null],"profile":{}}' },
      { name: 'input.image', value: 'PNGDATA', filename: 'cat.png', type: 'image/png' },
      { name: 'input.attachments.0', value: '%PDF', filename: 'a.pdf', type: 'application/pdf' },
      // A Blob has no name: it goes as `blob`, of the generic type.
      { name: 'input.attachments.1', value: 'raw', filename: 'blob', type: 'application/octet-stream' },
      { name: 'input.profile.avatar', value: 'me', filename: 'me.jpg', type: 'image/jpeg' },
    ])
  })

  it('sends superjson’s meta as its own field, after the input', async () => {
    const { fetch, seen } = fakeFetch(() => json({ data: { title: 'Hi' } }))
    const client = createClient<FilesRouter>({ url, fetch })
    await client.posts.create.mutate({ title: 'Hi', at: new Date(0), image: png() })
    const parts = await partsOf(seen[0]!.body)
    expect(parts.map((part) => part.name)).toEqual(['input', 'meta', 'input.image'])
    expect(JSON.parse(parts[0]!.value)).toEqual({ title: 'Hi', at: '1970-01-01T00:00:00.000Z' })
    expect(JSON.parse(parts[1]!.value)).toEqual({ values: { at: ['Date'] }, v: 1 })
  })

  it('sends an input that is a file as the one part `input`, with no JSON field', async () => {
    const { fetch, seen } = fakeFetch()
    const client = createClient<FilesRouter>({ url, fetch })
    expect(await client.avatar.mutate(png('me'))).toBe(true)
    expect(await partsOf(seen[0]!.body)).toEqual([{ name: 'input', value: 'me', filename: 'cat.png', type: 'image/png' }])
  })

  it('goes alone, at once: the calls of the same tick keep batching without it', async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.body instanceof FormData
        ? json({ data: 'uploaded' })
        : request.method === 'GET'
          ? json({ data: { items: [] } })
          : json([{ data: 1 }, { data: 2 }]),
    )
    const client = createClient<FilesRouter>({ url, fetch })
    const results = await Promise.all([client.posts.list.query({ page: 1 }), client.anything.mutate({ a: 1 }), client.avatar.mutate(png()), client.anything.mutate({ a: 2 })])
    expect(results).toEqual([{ items: [] }, 1, 'uploaded', 2])
    expect(seen.map((request) => `${request.method} ${new URL(request.url).pathname}`).sort()).toEqual(
      ['GET /api/mizan/posts.list', 'POST /api/mizan/anything,anything', 'POST /api/mizan/avatar'].sort(),
    )
  })

  it('goes over HTTP even when the WebSocket is open and serves the path, naming the connection', async () => {
    FakeSocket.made = []
    const { fetch, seen } = fakeFetch()
    const client = createClient<FilesRouter>({ url, fetch, WebSocket: FakeSocket.Class })
    let open = false
    const feed = client.feed.subscribe({}, { onMessage: () => {}, onStatus: (status) => (open ||= status.status === 'open') })
    await until(() => FakeSocket.made.length === 1)
    const socket = FakeSocket.made[0]!
    socket.accept()
    socket.receive(JSON.stringify({ type: 'hello', connection: 'conn-1', websocket: ['avatar', 'anything'] }))
    await until(() => socket.frames().some((frame) => frame.type === 'subscribe'))
    const join = socket.frames().find((frame) => frame.type === 'subscribe')!
    socket.receive(JSON.stringify({ type: 'subscribed', id: join.id }))
    await until(() => open)
    expect(await client.avatar.mutate(png())).toBe(true)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.headers).toMatchObject({ 'x-mizan-connection': 'conn-1', 'x-mizan-upload': '1' })
    expect(socket.frames().filter((frame) => frame.type === 'call')).toEqual([])
    // A call without files to a path the socket serves still goes over it.
    void client.anything.mutate({ a: 1 }).catch(() => {})
    expect(socket.frames().filter((frame) => frame.type === 'call')).toHaveLength(0)
    await until(() => socket.frames().some((frame) => frame.type === 'call'))
    feed.unsubscribe()
  })

  it('drops a Content-Type the app set: the body’s own, with its boundary, goes', async () => {
    const { fetch, seen } = fakeFetch()
    const client = createClient<FilesRouter>({ url, fetch, headers: { 'Content-Type': 'application/json', 'x-app': 'yes' } })
    await client.avatar.mutate(png())
    expect(seen[0]!.headers).toEqual({ 'x-app': 'yes', 'x-mizan-upload': '1' })
    const request = new Request(seen[0]!.url, { method: 'POST', body: seen[0]!.body as FormData })
    expect(request.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/)
  })

  it('finds files only in plain objects and arrays, and keeps a class instance as the transformer has it', async () => {
    class Holder {
      file = png()
    }
    const { fetch, seen } = fakeFetch()
    const client = createClient<FilesRouter>({ url, fetch, transformer: 'json' })
    await client.anything.mutate({ holder: new Holder() })
    expect(seen[0]!.body).toBe('{"input":{"holder":{"file":{}}}}')
  })
})

describe('an input with files that cannot go fails that call alone, unsent', () => {
  it('a query whose input holds a file: BAD_REQUEST, status 0; the other calls are answered', async () => {
    const unhandled = watchUnhandled()
    const { fetch, seen } = fakeFetch(() => json({ data: true }))
    const client = createClient<FilesRouter>({ url, fetch })
    const results = await Promise.allSettled([client.search.query({ file: png() }), client.search.query({ q: 'x' })])
    const error = (results[0] as PromiseRejectedResult).reason as MizanClientError
    expect(error).toBeInstanceOf(MizanClientError)
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 0, path: 'search' })
    expect(error.message).toContain('files go with mutations')
    expect(results[1]).toEqual({ status: 'fulfilled', value: true })
    expect(seen).toHaveLength(1)
    expect(seen[0]!.body).toBeUndefined()
    expect(await unhandled.stop()).toEqual([])
  })

  it('a cyclic input, or a BigInt under plain JSON: BAD_REQUEST, status 0', async () => {
    const unhandled = watchUnhandled()
    const { fetch, seen } = fakeFetch()
    const cyclic: Record<string, unknown> = { file: png() }
    cyclic.self = cyclic
    const client = createClient<FilesRouter>({ url, fetch, transformer: 'json' })
    for (const input of [cyclic, { file: png(), n: 1n }]) {
      await expect(client.anything.mutate(input)).rejects.toMatchObject({ name: 'MizanClientError', code: 'BAD_REQUEST', status: 0, path: 'anything' })
    }
    expect(seen).toEqual([])
    expect(await unhandled.stop()).toEqual([])
  })

  it('an input whose getter throws is no upload: it fails as any input that cannot be encoded', async () => {
    const { fetch, seen } = fakeFetch()
    const client = createClient<FilesRouter>({ url, fetch })
    const input = Object.defineProperty({ file: png() }, 'boom', { enumerable: true, get: () => { throw new Error('no') } })
    await expect(client.anything.mutate(input)).rejects.toMatchObject({ code: 'BAD_REQUEST', status: 0 })
    expect(seen).toEqual([])
  })
})

describe('the reply of an upload settles as any single call’s', () => {
  it('rejects with the server’s error, its status and Retry-After', async () => {
    const { fetch } = fakeFetch(() =>
      json({ error: { code: 'PAYLOAD_TOO_LARGE', status: 413, message: 'File too large' } }, { status: 413, headers: { 'retry-after': '7', connection: 'close' } }),
    )
    const client = createClient<FilesRouter>({ url, fetch })
    const error = await client.avatar.mutate(png()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MizanClientError)
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413, message: 'File too large', retryAfter: 7, path: 'avatar' })
  })

  it('an error without a Mizan body gets the code of its status', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>too big</html>', { status: 413, headers: { 'content-type': 'text/html' } }))
    const client = createClient<FilesRouter>({ url, fetch })
    await expect(client.avatar.mutate(png())).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 })
  })

  it('announces the invalidation header before the call settles', async () => {
    const { fetch } = fakeFetch(() => json({ data: { title: 'Hi' } }, { headers: { 'x-mizan-invalidate': '[{"path":"posts.list"}]' } }))
    const client = createClient<FilesRouter>({ url, fetch })
    const order: string[] = []
    client.$on('invalidate', (list: ClientInvalidation[], source) => void order.push(`invalidate ${list.map((i) => i.path).join()} from ${source.path}`))
    await client.posts.create.mutate({ title: 'Hi', image: png() }).then(() => order.push('settled'))
    expect(order).toEqual(['invalidate posts.list from posts.create', 'settled'])
  })

  it('a network failure is NETWORK_ERROR, status 0', async () => {
    const client = createClient<FilesRouter>({ url, fetch: () => Promise.reject(new TypeError('fetch failed')) })
    await expect(client.avatar.mutate(png())).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 })
  })
})

describe('progress and abort, through fetch', () => {
  it('reports progress once, when the answer arrives, with loaded === total', async () => {
    const reports: UploadProgress[] = []
    let answered = false
    const { fetch } = fakeFetch(() => {
      expect(reports).toEqual([])
      answered = true
      return json({ data: true })
    })
    const client = createClient<FilesRouter>({ url, fetch })
    const done = await client.avatar.mutate(png('12345'), { onUploadProgress: (progress) => void reports.push(progress) })
    expect(done).toBe(true)
    expect(answered).toBe(true)
    expect(reports).toEqual([{ loaded: 5, total: 5 }])
  })

  it('a progress callback that throws is logged and stops nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { fetch } = fakeFetch()
    const client = createClient<FilesRouter>({ url, fetch })
    await expect(client.avatar.mutate(png(), { onUploadProgress: () => { throw new Error('bad callback') } })).resolves.toBe(true)
    expect(logged).toHaveBeenCalledWith('[mizan] onUploadProgress threw:', expect.objectContaining({ message: 'bad callback' }))
    logged.mockRestore()
  })

  it('the signal aborts the request and rejects with its reason', async () => {
    const unhandled = watchUnhandled()
    let started!: () => void
    const inFlight = new Promise<void>((resolve) => (started = resolve))
    const { fetch, seen } = fakeFetch(
      (request) =>
        new Promise<Response>((_, reject) => {
          started()
          request.signal!.addEventListener('abort', () => reject(request.signal!.reason))
        }),
    )
    const client = createClient<FilesRouter>({ url, fetch })
    const controller = new AbortController()
    const pending = client.avatar.mutate(png(), { signal: controller.signal })
    await inFlight
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(seen[0]!.signal!.aborted).toBe(true)
    // Already aborted: nothing is sent.
    await expect(client.avatar.mutate(png(), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(seen).toHaveLength(1)
    expect(await unhandled.stop()).toEqual([])
  })
})
