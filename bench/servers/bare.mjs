// Baseline: plain node:http doing the same work as the frameworks (parse the query, JSON.parse
// the input, validate it, build and validate the output, serialize) and nothing more.
import { createServer } from 'node:http'
import { z } from 'zod'

const inputSchema = z.object({ name: z.string() })
const outputSchema = z.object({ message: z.string() })

const server = createServer((req, res) => {
  const url = req.url ?? '/'
  const queryStart = url.indexOf('?')
  const path = queryStart === -1 ? url : url.slice(0, queryStart)
  if (req.method !== 'GET' || path !== '/greet') return send(res, 404, { error: 'not found' })
  let input
  try {
    const text = new URLSearchParams(url.slice(queryStart + 1)).get('input')
    input = inputSchema.parse(JSON.parse(text))
  } catch {
    return send(res, 400, { error: 'bad input' })
  }
  send(res, 200, { data: outputSchema.parse({ message: `hello ${input.name}` }) })
})

function send(res, status, value) {
  const body = JSON.stringify(value)
  // An explicit content-length, as the frameworks send, rather than chunked encoding.
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

server.listen(0, '127.0.0.1', () => console.log(server.address().port))
