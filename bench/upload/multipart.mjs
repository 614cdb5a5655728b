// One upload the way Mizan's wire carries it, sent as a stream: the multipart body is generated
// chunk by chunk while it is written, so a 1 GiB upload costs the client one 64 KiB buffer, not a
// gigabyte. The client side never holds the file and never limits the server.
import { request } from 'node:http'
import { randomBytes } from 'node:crypto'

/**
 * The bytes of the file: `chunkSize` bytes, the same ones over and over. No byte is a carriage
 * return, so the body can never hold the multipart delimiter (which starts with CR LF) by chance.
 */
export function fileChunk(chunkSize) {
  const chunk = randomBytes(chunkSize)
  for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0d) chunk[i] = 0x0e
  return chunk
}

/**
 * The multipart body around a file of `size` bytes, as Mizan's client sends it: the field `input`
 * (the input's JSON with the file left out: `{}`), then the file part `input.file`.
 */
export function multipartFrame(size) {
  const boundary = `----mizan-bench-${randomBytes(12).toString('hex')}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="input"\r\n\r\n{}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="input.file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return { boundary, head, tail, length: head.length + size + tail.length }
}

/**
 * POSTs a file of `size` bytes to `http://127.0.0.1:<port><path>` and resolves with the answer
 * `{ status, contentType, body, seconds, sent }`: `seconds` from the request's start to the last
 * byte of the answer, `sent` the body bytes the server took before answering. Writes wait for
 * 'drain', so the client goes as fast as the server reads and no faster.
 */
export function upload({ port, path, size, chunk }) {
  const frame = multipartFrame(size)
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let sent = 0
    let answered = false
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${frame.boundary}`,
        'content-length': frame.length,
        'x-mizan-upload': '1',
      },
    })
    req.once('error', (error) => {
      // A server that answers early (an error status) may close before the body is through.
      if (!answered) reject(error)
    })
    req.once('response', (res) => {
      answered = true
      const parts = []
      res.on('data', (part) => parts.push(part))
      res.once('error', reject)
      res.once('end', () =>
        resolve({
          status: res.statusCode,
          contentType: res.headers['content-type'] ?? '',
          body: Buffer.concat(parts).toString('utf8'),
          seconds: (performance.now() - started) / 1000,
          sent,
        }),
      )
    })
    const write = (bytes) => {
      sent += bytes.length
      return req.write(bytes)
    }
    write(frame.head)
    let left = size
    const pump = () => {
      while (left > 0) {
        if (answered) return
        const n = Math.min(left, chunk.length)
        left -= n
        if (!write(n === chunk.length ? chunk : chunk.subarray(0, n))) return req.once('drain', pump)
      }
      sent += frame.tail.length
      req.end(frame.tail)
    }
    pump()
  })
}
