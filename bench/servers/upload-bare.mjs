// Upload baseline: plain node:http + busboy, the least a Node server can do to take a file: stream
// the file part to a temporary file (fs.createWriteStream), answer 200 JSON once it is on disk,
// then delete it. Same wire as Mizan's uploads (`x-mizan-upload: 1`, a JSON field `input`, the
// file part `input.file`) and the same answer (`{"data":{"size":N}}`), so one client drives both.
import busboy from 'busboy'
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { createServer } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

const MAX_FILE_SIZE = 2 * 1024 ** 3

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/upload') return send(res, 404, { error: 'not found' })
  if (req.headers['x-mizan-upload'] !== '1') return send(res, 400, { error: 'x-mizan-upload header missing' })
  let parser
  try {
    // Limits as Mizan sets them for one file: the file, the `input` field and nothing else.
    parser = busboy({ headers: req.headers, limits: { files: 1, parts: 3, fileSize: MAX_FILE_SIZE } })
  } catch {
    return send(res, 400, { error: 'not multipart' })
  }
  let written
  let tempFile
  let out
  let failed = false
  // An error answer ends the request: the rest of the body is drained unread, and a file begun is
  // abandoned (its write stream destroyed, so the pipeline settles) and deleted.
  const fail = (status, message) => {
    if (failed) return
    failed = true
    req.unpipe(parser)
    req.resume()
    send(res, status, { error: message }, { connection: 'close' })
    if (tempFile !== undefined) {
      out.destroy()
      written.catch(() => {}).finally(() => unlink(tempFile).catch(() => {}))
    }
  }
  parser.on('field', (name, value) => {
    if (name !== 'input') return fail(400, `unknown field ${name}`)
    try {
      JSON.parse(value)
    } catch {
      fail(400, 'input is not JSON')
    }
  })
  parser.on('file', (name, stream) => {
    if (failed) return stream.resume()
    if (name !== 'input.file' || tempFile !== undefined) {
      stream.resume()
      return fail(400, `unexpected file ${name}`)
    }
    // A random name in the temporary directory, never the client's filename.
    tempFile = path.join(os.tmpdir(), `upload-${randomUUID()}`)
    out = createWriteStream(tempFile)
    stream.once('limit', () => fail(413, 'file too large'))
    written = pipeline(stream, out).then(() => out.bytesWritten)
    written.catch(() => fail(400, 'upload failed'))
  })
  parser.once('filesLimit', () => fail(413, 'too many files'))
  parser.once('partsLimit', () => fail(413, 'too many parts'))
  parser.once('error', () => fail(400, 'malformed multipart'))
  parser.once('close', async () => {
    if (failed) return
    if (written === undefined) return fail(400, 'no file')
    let size
    try {
      size = await written
    } catch {
      return
    }
    if (failed) return
    send(res, 200, { data: { size } })
    await unlink(tempFile).catch(() => {})
  })
  req.pipe(parser)
})

function send(res, status, value, headers = {}) {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

server.listen(0, '127.0.0.1', () => console.log(server.address().port))
