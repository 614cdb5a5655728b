// Runs the built example (examples/basic/dist/server.js serving dist-web/) as a child process on a
// free port, the way `npm start` runs it.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const exampleDir = fileURLToPath(new URL('../../examples/basic/', import.meta.url))

export interface ExampleServer {
  /** `http://localhost:<port>/` */
  url: string
  stop(): Promise<void>
}

/** Calls a mutation of the example over plain HTTP, as a script would; returns the response. */
export function mutate(server: ExampleServer, path: string, input: unknown, cookie?: string): Promise<Response> {
  return fetch(new URL(`api/mizan/${path}`, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie && { cookie }) },
    body: JSON.stringify({ input }),
  })
}

/** Signs in over HTTP; resolves with the `name=value` of the session cookie (which must be HttpOnly). */
export async function signIn(server: ExampleServer, name: 'alice' | 'sam'): Promise<string> {
  const response = await mutate(server, 'auth.signIn', { name })
  if (response.status !== 200) throw new Error(`auth.signIn answered ${response.status}`)
  const setCookie = response.headers.getSetCookie()[0]!
  if (!/HttpOnly/.test(setCookie)) throw new Error(`the session cookie is not HttpOnly: ${setCookie}`)
  return setCookie.split(';')[0]!
}

/** Puts a `name=value` cookie into a browser context, for the example's origin. */
export function cookieFor(server: ExampleServer, cookie: string): { name: string; value: string; url: string } {
  return { name: cookie.split('=')[0]!, value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }
}

export async function startExample(): Promise<ExampleServer> {
  for (const built of ['dist/server.js', 'dist-web/index.html']) {
    if (!existsSync(exampleDir + built)) throw new Error(`examples/basic/${built} is missing: run \`npm run build --workspace examples/basic\` first`)
  }
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: exampleDir, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The example did not start within 10 s:\n${output}`)), 10_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk
      const found = /running at (http:\/\/\S+)/.exec(output)
      if (found) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`The example exited with code ${code}:\n${output}`))
    })
  })
  return { url, stop: () => stop(child) }
}

/** SIGTERM lets the server close cleanly; SIGKILL if it has not after 3 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
