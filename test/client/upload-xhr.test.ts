import { createClient, type UploadProgress } from '@mizan/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeXhr } from './fake-xhr.js'
import { fakeFetch, partsOf, until, type FilesRouter } from './files-support.js'
import { watchUnhandled } from './unhandled.js'

const url = 'http://files.test/api/mizan'
const png = () => new File(['PNGDATA'], 'cat.png', { type: 'image/png' })

beforeEach(() => {
  FakeXhr.made = []
  vi.stubGlobal('XMLHttpRequest', FakeXhr)
})
afterEach(() => vi.unstubAllGlobals())

/** Starts an upload with progress, and waits for its XMLHttpRequest to be sent. */
async function startUpload(options: { signal?: AbortSignal } = {}) {
  const { fetch, seen } = fakeFetch()
  const client = createClient<FilesRouter>({ url, fetch, headers: { authorization: 'Bearer alice' } })
  const reports: UploadProgress[] = []
  const pending = client.posts.create.mutate({ title: 'Hi', image: png() }, { ...options, onUploadProgress: (progress) => void reports.push(progress) })
  await until(() => FakeXhr.made[0]?.sent === true)
  return { client, pending, reports, xhr: FakeXhr.made[0]!, seen }
}

describe('an upload with onUploadProgress, where XMLHttpRequest exists', () => {
  it('goes through XMLHttpRequest, reporting progress as the bytes leave', async () => {
    const { pending, reports, xhr, seen } = await startUpload()
    expect(seen).toEqual([]) // not through fetch
    expect(xhr.method).toBe('POST')
    expect(xhr.url).toBe(`${url}/posts.create`)
    expect(xhr.headers).toEqual({ authorization: 'Bearer alice', 'x-mizan-upload': '1' })
    expect(xhr.responseType).toBe('blob')
    expect(await partsOf(xhr.body)).toEqual([
      { name: 'input', value: '{"title":"Hi"}' },
      { name: 'input.image', value: 'PNGDATA', filename: 'cat.png', type: 'image/png' },
    ])
    xhr.progress(100, 400)
    xhr.progress(0, 0, false) // no length: not reported
    xhr.progress(400, 400)
    expect(reports).toEqual([
      { loaded: 100, total: 400 },
      { loaded: 400, total: 400 },
    ])
    xhr.respond(200, '{"data":{"title":"Hi"}}', { 'content-type': 'application/json' })
    expect(await pending).toEqual({ title: 'Hi' })
  })

  it('settles from the answer like any call: errors with Retry-After, invalidations first, binary answers', async () => {
    const failed = await startUpload()
    failed.xhr.respond(429, '{"error":{"code":"TOO_MANY_REQUESTS","status":429,"message":"Slow down"}}', { 'content-type': 'application/json', 'retry-after': '30' })
    await expect(failed.pending).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retryAfter: 30, message: 'Slow down' })

    FakeXhr.made = []
    const invalidating = await startUpload()
    const order: string[] = []
    invalidating.client.$on('invalidate', (list) => void order.push(list[0]!.path))
    invalidating.xhr.respond(200, '{"data":{"title":"Hi"}}', { 'content-type': 'application/json', 'x-mizan-invalidate': '[{"path":"posts.list"}]' })
    await invalidating.pending.then(() => order.push('settled'))
    expect(order).toEqual(['posts.list', 'settled'])

    FakeXhr.made = []
    const binary = await startUpload()
    binary.xhr.respond(200, new Uint8Array([1, 2, 255]), { 'content-type': 'image/webp', 'content-disposition': `attachment; filename*=UTF-8''thumb.webp` })
    const value = (await binary.pending) as unknown as File
    expect(value).toBeInstanceOf(File)
    expect(value.name).toBe('thumb.webp')
    expect([...new Uint8Array(await value.arrayBuffer())]).toEqual([1, 2, 255])
  })

  it('the signal aborts the XMLHttpRequest and rejects with its reason', async () => {
    const unhandled = watchUnhandled()
    const controller = new AbortController()
    const { pending, xhr } = await startUpload({ signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(xhr.aborted).toBe(true)
    expect(await unhandled.stop()).toEqual([])
  })

  it('a network error is NETWORK_ERROR, status 0', async () => {
    const { pending, xhr } = await startUpload()
    xhr.fail()
    await expect(pending).rejects.toMatchObject({ name: 'MizanClientError', code: 'NETWORK_ERROR', status: 0 })
  })

  it('without onUploadProgress, the upload goes through the client’s fetch', async () => {
    const { fetch, seen } = fakeFetch()
    const client = createClient<FilesRouter>({ url, fetch })
    expect(await client.avatar.mutate(png())).toBe(true)
    expect(seen).toHaveLength(1)
    expect(FakeXhr.made).toEqual([])
  })
})
