import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** The folder of an installed package: from its entry point up to its package.json. */
function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)))
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir)
  return dir
}

// The page imports the real @mizan/client in the browser, through an import map: no bundler needed.
const roots: Record<string, string> = {
  '/': join(here, '..', 'public'),
  '/vendor/@mizan/client/': packageDir('@mizan/client'),
  '/vendor/@mizan/wire/': packageDir('@mizan/wire'),
  '/vendor/superjson/': packageDir('superjson'),
  '/vendor/copy-anything/': packageDir('copy-anything'),
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' }

/** Serves the page and the browser modules it imports. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = decodeURIComponent((req.url ?? '/').split('?')[0]!)
  const prefix = Object.keys(roots)
    .filter((root) => path.startsWith(root))
    .sort((a, b) => b.length - a.length)[0]
  const relative = prefix === undefined ? undefined : normalize(path.slice(prefix.length) || 'index.html')
  const ext = relative?.slice(relative.lastIndexOf('.')) ?? ''
  if (prefix === undefined || relative === undefined || relative.startsWith('..') || !(ext in types)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
    return
  }
  try {
    const body = await readFile(join(roots[prefix]!, relative))
    res.writeHead(200, { 'content-type': types[ext]!, 'cache-control': 'no-cache' }).end(body)
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
  }
}
