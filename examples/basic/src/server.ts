import { createServer } from 'node:http'
import { createMizanServer } from '@mizan/server'
import { Db } from './db.js'
import { appRouter } from './router.js'
import { serveStatic } from './static.js'
import { userFrom } from './users.js'

const db = new Db()

export const mizan = createMizanServer({
  router: appRouter,
  createContext: ({ req }) => ({ user: userFrom(req), db }),
  basePath: '/api/mizan',
})

// The API and the page on one port: Mizan answers under /api/mizan, everything else is static.
const http = createServer((req, res) => mizan.nodeHandler(req, res, () => void serveStatic(req, res)))
const port = Number(process.env.PORT ?? 3000)

http.listen(port, () => {
  console.log(`Mizan example running at http://localhost:${port}/`)
  console.log(`  API:      http://localhost:${port}/api/mizan   (manifest: /api/mizan/_manifest)`)
  console.log(`  Try:      curl 'http://localhost:${port}/api/mizan/posts.list'`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    http.close()
    http.closeIdleConnections()
  })
}
