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

/**
 * Sends `dir` + `path`; false (nothing sent) when there is no such file. Files under /assets/ have
 * content hashes in their names: cached for good.
 */
export async function sendFile(dir: string, path: string, res: ServerResponse, head = false): Promise<boolean> {
  const file = normalize(join(dir, path))
  const type = TYPES[extname(file)]
  if (!file.startsWith(dir + sep) || type === undefined) return false
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return false
  }
  const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': cache })
  res.end(head ? undefined : body)
  return true
}
