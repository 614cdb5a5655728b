import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { validate } from '@readme/openapi-parser'
import { createMizanServer, initMizan, toOpenAPI } from '@mizan/server'
import createFetchClient from 'openapi-fetch'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'

const m = initMizan<{ user: { id: string } | null }>({ transformer: 'json' })
const posts = new Map<string, { id: string; title: string }>([['1', { id: '1', title: 'First' }]])

// `errors` is declared as the typed-errors design has it, read by the document generically.
const router = m.router({
  posts: m.router({
    byId: m.query(
      { input: z.object({ id: z.string() }), output: z.object({ id: z.string(), title: z.string() }), errors: { NOT_FOUND: z.object({ id: z.string() }) } } as never,
      ({ input }: { input: { id: string } }) => posts.get(input.id) ?? null,
    ),
    list: m.query({ cache: { ttl: 30, scope: 'public' }, output: z.array(z.object({ id: z.string(), title: z.string(), at: z.date().optional() })), shapes: { card: { id: true } } }, () => [...posts.values()]),
    teasers: m.query({ output: z.array(z.object({ id: z.string(), title: z.string() })), shapes: { teaser: { title: true } }, shape: 'named' }, () => [...posts.values()]),
    count: m.query({ output: z.number() }, () => posts.size),
    create: m.mutation({ input: z.object({ title: z.string().min(1) }), auth: true, affects: ['posts.list'] }, ({ input }) => {
      const post = { id: String(posts.size + 1), title: input.title }
      posts.set(post.id, post)
      return post
    }),
  }),
  download: m.route({ method: 'GET', path: '/files/:id', query: z.object({ inline: z.stringbool().optional() }), errors: { NOT_FOUND: z.object({ id: z.string() }) } }, ({ params, fail }) =>
    params.id === '1' ? { id: params.id, name: 'a.txt' } : fail('NOT_FOUND', { id: params.id }),
  ),
  contact: m.form({ title: 'Contact', input: z.object({ email: z.email() }), onSubmit: () => ({ sent: true }) }),
})

describe('toOpenAPI', () => {
  const document = toOpenAPI(router, { title: 'Test API', version: '1.0.0', servers: [{ url: 'http://localhost' }] })

  it('produces a document the OpenAPI parser validates', async () => {
    const result = await validate(structuredClone(document) as never)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('describes queries, mutations, forms and routes with errors, security, cache and tags', () => {
    expect(Object.keys(document.paths).sort()).toEqual(['/api/mizan/contact.schema', '/api/mizan/contact.submit', '/api/mizan/contact.validate', '/api/mizan/files/{id}', '/api/mizan/posts.byId', '/api/mizan/posts.count', '/api/mizan/posts.create', '/api/mizan/posts.list', '/api/mizan/posts.teasers'])
    const byId = document.paths['/api/mizan/posts.byId']!.get as Record<string, any>
    expect(byId.parameters[0]).toMatchObject({ name: 'input', in: 'query', content: { 'application/json': {} } })
    expect(byId.responses[404].content['application/json'].schema.properties.error.properties.code).toEqual({ const: 'NOT_FOUND' })
    expect(byId.tags).toEqual(['posts'])
    const create = document.paths['/api/mizan/posts.create']!.post as Record<string, any>
    expect(create.security).toEqual([{ bearer: [] }])
    expect(create.responses[200].headers['x-mizan-invalidate']).toBeDefined()
    const list = document.paths['/api/mizan/posts.list']!.get as Record<string, any>
    expect(list.responses[200].headers['Cache-Control'].description).toContain('s-maxage=30')
    expect(list.responses[200].content['application/json'].schema.properties.data.items.properties.at).toMatchObject({ type: 'string', format: 'date-time' })
    const route = document.paths['/api/mizan/files/{id}']!.get as Record<string, any>
    expect(route.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:inline'])
  })

  it('describes the shape a query takes: a JSON query parameter on GET, a body property on POST', () => {
    const operations = (path: string) => document.paths[`/api/mizan/${path}`] as Record<string, any>
    const list = operations('posts.list')
    const shape = list.get.parameters.find((p: { name: string }) => p.name === 'shape')
    expect(shape).toMatchObject({ in: 'query', required: false })
    const schema = shape.content['application/json'].schema
    expect(schema.oneOf[0]).toMatchObject({ type: 'string', enum: ['card'] })
    expect(schema.oneOf[1]).toMatchObject({ type: 'object', additionalProperties: false, minProperties: 1, properties: { id: { const: true }, title: { const: true }, at: { const: true } } })
    expect(list.post.requestBody.content['application/json'].schema.properties.shape.oneOf).toEqual(schema.oneOf)
    // Named only: the names alone. An object output without names: a selection alone.
    expect(operations('posts.teasers').get.parameters[0].content['application/json'].schema).toMatchObject({ type: 'string', enum: ['teaser'] })
    expect(operations('posts.byId').get.parameters[1].content['application/json'].schema).toMatchObject({ type: 'object', properties: { id: { const: true }, title: { const: true } } })
    // No shape where none is possible.
    expect(operations('posts.count').get.parameters).toEqual([])
    expect(operations('posts.count').post.requestBody.content['application/json'].schema.properties.shape).toBeUndefined()
    expect(operations('posts.create').post.requestBody.content['application/json'].schema.properties.shape).toBeUndefined()
  })
})

describe('the served document and a generated client', () => {
  let origin: string
  let dir: string
  const server = createMizanServer({ router, createContext: ({ req }) => ({ user: req.headers.get('authorization') === 'Bearer ann' ? { id: 'ann' } : null }), openapi: { title: 'Test API', version: '1.0.0' }, onError: () => {} })
  beforeAll(async () => {
    origin = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`
    dir = mkdtempSync(path.join(tmpdir(), 'mizan-openapi-'))
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves /_openapi.json when on, and 404 when off', async () => {
    const res = await fetch(`${origin}/api/mizan/_openapi.json`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { openapi: string }).openapi).toBe('3.1.0')
    const off = createMizanServer({ router, createContext: () => ({ user: null }) })
    expect((await off.fetchHandler(new Request('http://x/api/mizan/_openapi.json'))).status).toBe(404)
  })

  it('generates types with openapi-typescript that type-check a client, which calls the running server with openapi-fetch', async () => {
    const document = await (await fetch(`${origin}/api/mizan/_openapi.json`)).json()
    writeFileSync(path.join(dir, 'api.d.ts'), astToString(await openapiTS(document as never)))
    const usage = `import createClient from 'openapi-fetch'
import type { paths } from './api.js'
const client = createClient<paths>({ baseUrl: 'http://x' })
export async function use() {
  // A parameter with content: application/json is typed as its serialized text.
  const post = await client.GET('/api/mizan/posts.byId', { params: { query: { input: JSON.stringify({ id: '1' }) } } })
  const title: string | undefined = post.data?.data?.title
  const cards = await client.GET('/api/mizan/posts.list', { params: { query: { shape: JSON.stringify('card') } } })
  const made = await client.POST('/api/mizan/posts.create', { body: { input: { title: 't' } } })
  const file = await client.GET('/api/mizan/files/{id}', { params: { path: { id: '1' }, query: { inline: 'true' } } })
  // @ts-expect-error the path parameter is required
  await client.GET('/api/mizan/files/{id}', { params: { path: {} } })
  return [title, made, file, cards]
}
`
    writeFileSync(path.join(dir, 'use.ts'), usage)
    const program = ts.createProgram([path.join(dir, 'use.ts')], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, typeRoots: [], baseUrl: process.cwd(), paths: { 'openapi-fetch': [path.resolve('node_modules/openapi-fetch')] } })
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(diagnostics).toEqual([])

    const client = createFetchClient<any>({ baseUrl: origin })
    const query = await client.GET('/api/mizan/posts.byId', { params: { query: { input: JSON.stringify({ id: '1' }) } } })
    expect(query.data).toEqual({ data: { id: '1', title: 'First' } })
    const mutation = await client.POST('/api/mizan/posts.create', { body: { input: { title: 'Second' } }, headers: { authorization: 'Bearer ann' } })
    expect(mutation.data).toEqual({ data: { id: '2', title: 'Second' } })
    const declared = await client.GET('/api/mizan/files/{id}', { params: { path: { id: '9' } } })
    expect(declared.response.status).toBe(404)
    expect(declared.error).toEqual({ error: { code: 'NOT_FOUND', status: 404, message: 'Not found', data: { id: '9' } } })
    const route = await client.GET('/api/mizan/files/{id}', { params: { path: { id: '1' } } })
    expect(route.data).toEqual({ data: { id: '1', name: 'a.txt' } })
    const cards = await client.GET('/api/mizan/posts.list', { params: { query: { shape: JSON.stringify('card') } } })
    expect(cards.data).toEqual({ data: [{ id: '1' }, { id: '2' }] })
    const titles = await client.POST('/api/mizan/posts.list', { body: { shape: { title: true } } })
    expect(titles.data).toEqual({ data: [{ title: 'First' }, { title: 'Second' }] })
  }, 60_000)
})
