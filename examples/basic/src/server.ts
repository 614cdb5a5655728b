// The example's entry point: the Mizan API under /api/mizan, its WebSocket and the React app, on
// one port.
//   node dist/server.js          serves the built front end (dist-web/)   PORT=3000 by default
//   node dist/server.js --dev    runs Vite in the same server, with hot reload
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mizan } from './api.js'
import { builtFrontEnd, devFrontEnd } from './front-end.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dev = process.argv.includes('--dev')

const http = createServer()
const frontEnd = await (dev ? devFrontEnd(join(root, 'web'), http) : builtFrontEnd(join(root, 'dist-web'))).catch((error: Error) => {
  console.error(error.message) // most often: the front end was not built yet
  process.exit(1)
})

http.on('request', (req, res) => {
  // Mizan answers under its base path and hands everything else to the front end.
  mizan.nodeHandler(req, res, () => {
    frontEnd.handle(req, res).catch((error: unknown) => {
      console.error('[example] page failed:', error)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('Internal server error')
    })
  })
})

// The realtime socket (/api/mizan/_ws). `mizan.listen()` would wire this by itself; this server is
// ours, so we hand Mizan the upgrades. In dev, Vite's hot reload takes its own (it listens too).
http.on('upgrade', (req, socket, head) => {
  if (!mizan.handleUpgrade(req, socket, head) && !dev) socket.destroy()
})

http.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = http.address() as AddressInfo
  console.log(`Mizan example running at http://localhost:${port}/${dev ? '  (dev: Vite with hot reload)' : ''}`)
  console.log(`  API:      http://localhost:${port}/api/mizan   (what it declares: http://localhost:${port}/manifest)`)
  console.log(`  Try:      curl 'http://localhost:${port}/api/mizan/posts.list'`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    http.close()
    http.closeIdleConnections()
    // Closes the sockets with a "server restarting" notice: browsers reconnect to the next process.
    void mizan.close()
    void frontEnd.close()
  })
}
