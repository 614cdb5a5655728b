// Reads one streamed reply to its end and reports how many lines (values) arrived and how long it
// took. Run by bench/streams.mjs in its own process, pinned to CPU 1, away from the server.
const { url, rounds } = JSON.parse(process.argv[2])

async function readOnce() {
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const response = await fetch(url)
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`)
  let lines = 0
  let last = ''
  const decoder = new TextDecoder()
  for await (const chunk of response.body) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
    last = decoder.decode(chunk.subarray(Math.max(0, chunk.length - 32)))
  }
  if (!last.endsWith('{"done":true}\n')) throw new Error(`${url}: the stream did not end with its done line`)
  const cpu = process.cpuUsage(cpuBefore)
  // Its own CPU seconds: the benchmark tells the client's share of the machine from the others'.
  return { values: lines - 1, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 }
}

// A first read warms the JIT on both sides; it is not reported.
await readOnce()
console.log(JSON.stringify({ event: 'start' }))
for (let round = 0; round < rounds; round++) console.log(JSON.stringify({ event: 'result', ...(await readOnce()) }))
