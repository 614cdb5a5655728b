import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { MizanServer, AnyRouter } from '@mizan/server'

/** A running server: its origin, and how to stop it. */
export interface Running {
  origin: string
  close(): Promise<void>
}

/** Serves with `listen()` (the Node adapter). */
export async function viaNode(server: MizanServer<AnyRouter>): Promise<Running> {
  const { port } = await server.listen(0, '127.0.0.1')
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() }
}

/** Serves `fetchHandler` over real HTTP: a bare node:http server turns each request into a Web Request. */
export async function viaFetch(server: MizanServer<AnyRouter>): Promise<Running> {
  const http: Server = createServer(async (req, res) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit)
    const response = await server.fetchHandler(request)
    const out: Record<string, string | string[]> = {}
    response.headers.forEach((value, name) => (out[name] = value))
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) out['set-cookie'] = cookies
    res.writeHead(response.status, out)
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await server.close()
    },
  }
}
