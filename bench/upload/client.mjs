// The upload client: one process per measurement, pinned to CPU 1 by upload.mjs (the server is on
// CPU 0). It warms the server up with a small upload, says `ready`, waits for `go` on stdin (while
// upload.mjs takes the server's memory baseline), then sends the measured upload and reports it.
// Prints JSON lines: ready, start, result.
import { createInterface } from 'node:readline'
import { fileChunk, upload } from './multipart.mjs'

const { port, path, size, warmupSize, chunkSize } = JSON.parse(process.argv[2])
const chunk = fileChunk(chunkSize)
const report = (event, data = {}) => console.log(JSON.stringify({ event, ...data }))

// Warm-up: loads whatever the server loads on its first upload (modules, compiled code, buffers),
// so the memory baseline taken after it holds that, and the measured growth is the upload's own.
// Over the 1 MiB memory threshold, so Mizan takes the same path (spooled to disk) as measured.
const warm = await upload({ port, path, size: warmupSize, chunk })
report('ready', { warmup: answer(warm, warmupSize) })

const lines = createInterface({ input: process.stdin })
for await (const line of lines) if (JSON.parse(line).go) break
lines.close()

report('start')
const cpuBefore = process.cpuUsage()
const result = await upload({ port, path, size, chunk })
const cpu = process.cpuUsage(cpuBefore)
report('result', { ...answer(result, size), seconds: result.seconds, loadCpu: (cpu.user + cpu.system) / 1e6 / result.seconds })

/** The answer, and whether it is the right one: 200, JSON, `{ data: { size } }` with the size sent. */
function answer(result, expectedSize) {
  let ok = result.status === 200 && result.contentType.includes('application/json')
  try {
    ok &&= JSON.parse(result.body)?.data?.size === expectedSize
  } catch {
    ok = false
  }
  return { ok, status: result.status, contentType: result.contentType, body: result.body.slice(0, 500), sent: result.sent }
}
