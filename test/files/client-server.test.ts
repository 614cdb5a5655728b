import { createClient, MizanClientError } from '@mizan/client'
import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type AdapterName, type TestApp, type UploadRouter } from './support.js'

// The typed client against a real server, through both adapters: a File passed to `.mutate()` is
// uploaded with no other code, limits come back as typed errors, other calls keep batching, and
// binary results arrive as Blob/File, single or batched.

const apps: TestApp[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})

describe.each(['node', 'fetch'] as const)('the client against a real server (%s adapter)', (adapter: AdapterName) => {
  async function setUp() {
    const app = await startApp(adapter)
    apps.push(app)
    const requests: { url: string; multipart: boolean; upload: string | null }[] = []
    const fetchSpy: typeof fetch = (url, init) => {
      requests.push({ url: String(url), multipart: init?.body instanceof FormData, upload: new Headers(init?.headers).get('x-mizan-upload') })
      return fetch(url, init)
    }
    const invalidated: string[] = []
    const client = createClient<UploadRouter>({ url: app.url, fetch: fetchSpy })
    client.$on('invalidate', (list) => invalidated.push(...list.map((entry) => entry.path)))
    return { app, client, requests, invalidated }
  }

  it('uploads Files nested in the input with .mutate(), alone, while other calls of the tick still batch', async () => {
    const { app, client, requests, invalidated } = await setUp()
    const progress: { loaded: number; total: number }[] = []
    const [created, a, b] = await Promise.all([
      client.posts.create.mutate(
        { title: 'Hi', image: new File(['PNG'], 'me.png', { type: 'image/png' }), attachments: [new Blob(['one']), new File(['two'], 'two.txt', { type: 'text/plain' })] },
        { onUploadProgress: (event) => progress.push(event) },
      ),
      client.read.query(),
      client.posts.list.query(),
    ])
    expect(created).toEqual({
      title: 'Hi',
      image: { name: 'me.png', type: 'image/png', size: 3, text: 'PNG' },
      attachments: [
        { name: 'blob', type: 'application/octet-stream', size: 3, text: 'one' },
        { name: 'two.txt', type: 'text/plain', size: 3, text: 'two' },
      ],
    })
    expect([a, b]).toEqual([1, ['a']])
    expect(invalidated).toEqual(['posts.list'])
    // One multipart request for the upload (its content type and boundary set by FormData), with
    // the header that keeps cross-site forms out; the two queries shared one batch.
    expect(requests.filter((entry) => entry.multipart).map((entry) => [new URL(entry.url).pathname.split('/').pop(), entry.upload])).toEqual([['posts.create', '1']])
    expect(requests.filter((entry) => entry.url.includes('read,posts.list') || entry.url.includes('posts.list,read'))).toHaveLength(1)
    // Without XMLHttpRequest (Node), progress is reported once, when the upload is done.
    expect(progress.at(-1)?.loaded).toBe(progress.at(-1)?.total)
    expect(app.tempFiles()).toEqual([])
  })

  it('turns a broken limit into a typed error, and never runs the handler', async () => {
    const { app, client } = await setUp()
    const tooLarge = new File([new Uint8Array(70 * 1024)], 'big.png', { type: 'image/png' })
    const error = await client.posts.create.mutate({ title: 'x', attachments: [tooLarge] }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(MizanClientError)
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 })
    const refusedType = await client.avatar.mutate(new File(['x'], 'a.txt', { type: 'text/plain' })).catch((caught: unknown) => caught)
    expect(refusedType).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 })
    const schemaCheck = await client.posts.create.mutate({ title: 'x', image: new File(['x'], 'a.gif', { type: 'image/gif' }) }).catch((caught: unknown) => caught)
    expect(schemaCheck).toMatchObject({ code: 'BAD_REQUEST', status: 400 })
    expect((schemaCheck as MizanClientError).fieldErrors?.image).toHaveLength(1)
    expect(app.seen.ran).toEqual([])
    expect(app.tempFiles()).toEqual([])
  })

  it('receives binary results as Blob and File, single and batched', async () => {
    const { client } = await setUp()
    const single = await client.png.query()
    expect(single).toBeInstanceOf(Blob)
    expect([single.type, [...new Uint8Array(await single.arrayBuffer())]]).toEqual(['image/png', [137, 80, 78, 71]])

    const named = await client.named.mutate()
    expect(named).toBeInstanceOf(File)
    expect([named.name, await named.text()]).toEqual(['résumé "final".txt', 'héllo wörld'])

    const [batchedPng, streamed, plain] = await Promise.all([client.png.query(), client.stream.query({ chunks: 4 }), client.read.query()])
    expect([batchedPng.type, batchedPng.size]).toEqual(['image/png', 4])
    expect(streamed).toBeInstanceOf(Blob)
    expect(streamed.size).toBe(4 * 256)
    expect(plain).toBe(1)
  })
})
