// The React front end, served next to the API: the Vite build in production, Vite itself in dev.
// Either way `/` goes through renderPage, so the first HTML carries the user and the query cache.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { mizan } from './api.js'
import { manifestPage, notFoundPage } from './info-pages.js'
import { renderPage } from './page.js'
import { sendFile } from './static.js'

export interface FrontEnd {
  /** Answers a request the API did not take: the page, or a file of the front end. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  close(): Promise<void>
}

function pathOf(req: IncomingMessage): string {
  try {
    return decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    return '' // malformed escapes: matches no page and no file
  }
}
const isPage = (path: string) => path === '/' || path === '/index.html'

/** A 404: the page for a browser, a line of text for anything else. */
function notFound(req: IncomingMessage, res: ServerResponse): void {
  const wantsPage = req.headers.accept?.includes('text/html') === true
  res.writeHead(404, { 'content-type': wantsPage ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end(req.method === 'HEAD' ? undefined : wantsPage ? notFoundPage(pathOf(req)) : 'Not found')
}

/** Pages rendered without React; true when `path` is one (and it was sent). */
function sendInfoPage(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (path !== '/manifest') return false
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
  res.end(req.method === 'HEAD' ? undefined : manifestPage(mizan.manifest))
  return true
}

async function sendPage(req: IncomingMessage, res: ServerResponse, template: string): Promise<void> {
  const html = await renderPage(template, req)
  // The page holds this user's data: no shared cache may keep it.
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-store' })
  res.end(req.method === 'HEAD' ? undefined : html)
}

/** Serves `dir`, the output of `vite build`. */
export async function builtFrontEnd(dir: string): Promise<FrontEnd> {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`The front end is not built (no ${join(dir, 'index.html')}). Run: npm run build --workspace examples/basic`)
  }
  const template = await readFile(join(dir, 'index.html'), 'utf8')
  return {
    async handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(req, res)
      const path = pathOf(req)
      if (isPage(path)) return sendPage(req, res, template)
      if (sendInfoPage(req, res, path)) return
      if (!(await sendFile(dir, path, res, req.method === 'HEAD'))) notFound(req, res)
    },
    close: async () => {},
  }
}

/** Runs Vite in middleware mode on `root` (the web/ folder): modules on demand, hot reload. */
export async function devFrontEnd(root: string, httpServer: Server): Promise<FrontEnd> {
  const { createServer } = await import('vite') // a dev dependency: never loaded in production
  const vite = await createServer({ root, appType: 'custom', server: { middlewareMode: true, hmr: { server: httpServer } } })
  return {
    async handle(req, res) {
      if (sendInfoPage(req, res, pathOf(req))) return
      if (!isPage(pathOf(req))) return vite.middlewares(req, res, () => notFound(req, res))
      const template = await vite.transformIndexHtml(req.url ?? '/', await readFile(join(root, 'index.html'), 'utf8'))
      return sendPage(req, res, template)
    },
    close: () => vite.close(),
  }
}
