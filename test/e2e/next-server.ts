// Builds the Next.js example (examples/next) and runs it with `next start` on a free port, through
// its own npm scripts, the way a user runs it. Each command runs in a process group of its own, so
// stopping it also stops whatever Next started below it.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const exampleDir = fileURLToPath(new URL('../../examples/next/', import.meta.url))

/** A running `next start`. */
export interface NextServer {
  /** `http://127.0.0.1:<port>/` */
  url: string
  stop(): Promise<void>
}

/** `npm run build` in examples/next; rejects with Next's output when the build fails or overruns. */
export async function buildNext(timeoutMs: number): Promise<void> {
  const child = run(['run', 'build'], {})
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => void (output += chunk))
  child.stderr!.on('data', (chunk: Buffer) => void (output += chunk))
  const timer = setTimeout(() => void stop(child), timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  if (code !== 0) throw new Error(`next build failed (exit ${code}; limit ${timeoutMs / 1000} s):\n${output}`)
}

/** `npm start` in examples/next on a free loopback port; resolves once Next says it is ready. */
export async function startNext(timeoutMs: number): Promise<NextServer> {
  const port = await freePort()
  const child = run(['run', 'start', '--', '--hostname', '127.0.0.1'], { PORT: String(port) })
  let output = ''
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`next start was not ready within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs)
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk
        if (/Ready in/.test(output)) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.stderr!.on('data', (chunk: Buffer) => void (output += chunk))
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`next start exited with code ${code}:\n${output}`))
      })
    })
  } catch (error) {
    await stop(child)
    throw error
  }
  return { url: `http://127.0.0.1:${port}/`, stop: () => stop(child) }
}

function run(args: string[], env: Record<string, string>): ChildProcess {
  return spawn('npm', args, {
    cwd: exampleDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, the shell and Next below it
  })
}

/** A port nobody listens on now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** SIGTERM to the whole group; SIGKILL to it if the leader has not exited after 5 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name)
      } catch {
        // the group is gone already
      }
    }
    const timer = setTimeout(() => signal('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      signal('SIGKILL') // anything of the group that outlived the leader
      resolve()
    })
    signal('SIGTERM')
  })
}
