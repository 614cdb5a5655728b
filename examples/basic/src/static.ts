// A small static file server for the built front end (no dependency needed for that).
import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
}

/** Sends `dir` + `path`, or a 404. Files under /assets/ have content hashes in their names: cached for good. */
export async function sendFile(dir: string, path: string, res: ServerResponse, head = false): Promise<void> {
  const file = normalize(join(dir, path))
  const type = TYPES[extname(file)]
  if (!file.startsWith(dir + sep) || type === undefined) return notFound(res)
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return notFound(res)
  }
  const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': cache })
  res.end(head ? undefined : body)
}

export function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found')
}
