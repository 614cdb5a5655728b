// Baseline for streamed values: plain node:http writing the same line-delimited JSON a Mizan stream
// sends (`{"yield":<n>}` per value, then `{"done":true}`), chunked, waiting for 'drain' when the
// socket's buffer is full. The least a Node server can do to stream values to a client.
import { createServer } from 'node:http'

const server = createServer(async (req, res) => {
  const count = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('count') ?? '0')
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
  for (let n = 0; n < count; n++) {
    if (!res.write(`{"yield":${n}}\n`)) await new Promise((resolve) => res.once('drain', resolve))
  }
  res.end('{"done":true}\n')
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
