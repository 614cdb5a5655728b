// Loads one server with autocannon and prints the numbers as JSON lines.
// http.mjs runs this file in its own process pinned to CPU 1 (`taskset -c 1`), away from the
// server on CPU 0, so the load generator never competes with the server it measures.
import autocannon from 'autocannon'

const { url, expectBody, connections, pipelining, warmup, duration } = JSON.parse(process.argv[2])
const options = { url, connections, pipelining, expectBody }

// Warm-up: lets the JIT compile the hot paths and the connections open; its numbers are dropped.
if (warmup > 0) await autocannon({ ...options, duration: warmup })

// Tells http.mjs the measured run starts, so it can read the server's CPU time from here on.
console.log(JSON.stringify({ event: 'start' }))
const cpuBefore = process.cpuUsage()
const result = await autocannon({ ...options, duration })
const cpu = process.cpuUsage(cpuBefore)

console.log(
  JSON.stringify({
    event: 'result',
    // Only successful responses count: a server answering errors fast must not look fast.
    reqPerSec: result['2xx'] / result.duration,
    seconds: result.duration,
    ok: result['2xx'],
    latencyAvg: result.latency.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    // Bodies that differ from the expected one (autocannon's expectBody compares every response).
    mismatches: result.mismatches,
    // Near 1 means the load generator, not the server, may be the limit.
    loadCpu: (cpu.user + cpu.system) / 1e6 / result.duration,
  }),
)
