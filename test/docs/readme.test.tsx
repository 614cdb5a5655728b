// @vitest-environment jsdom
// Runs the README's server and its React page together, both taken from README.md as written, so
// this test fails as soon as the README's snippets stop working. The harness changes only the port
// (3000 may be taken) and exports the server so the test can reach it and close it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { act, cleanup, render, screen } from '@testing-library/react'
import type { ComponentType } from 'react'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { extractBlocks } from '../../scripts/check-docs.mjs'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dir = mkdtempSync(join(repo, 'test/docs/.readme-'))

/** The README block whose first line names it as `file`, as the reader sees it. */
function readmeBlock(file: string): string {
  const { units } = extractBlocks(readFileSync(join(repo, 'README.md'), 'utf8'), 'README.md')
  const unit = units.find((u: { base: string }) => u.base === file.replace(/\.tsx?$/, ''))
  if (!unit) throw new Error(`README.md has no block starting with // ${file}`)
  return unit.parts.map((part: { code: string[] }) => part.code.join('\n')).join('\n')
}

type Server = { close(): Promise<void>; httpServer?: { address(): AddressInfo | string | null } }
let server: Server
let App: ComponentType
const realFetch = globalThis.fetch

beforeAll(async () => {
  const serverCode = readmeBlock('server.ts')
  expect(serverCode).toContain('server.listen(3000)')
  writeFileSync(join(dir, 'server.ts'), `${serverCode.replace('server.listen(3000)', 'export const listening = server.listen(0)')}\nexport { server }\n`)
  writeFileSync(join(dir, 'app.tsx'), readmeBlock('app.tsx'))

  const serverModule = await import(/* @vite-ignore */ join(dir, 'server.ts'))
  await serverModule.listening
  server = serverModule.server
  const { port } = server.httpServer!.address() as AddressInfo
  // The page is served from the server's origin, so its relative URL '/api/mizan' resolves there,
  // as a browser would resolve it against the page.
  globalThis.fetch = (input, init) => realFetch(typeof input === 'string' ? new URL(input, `http://127.0.0.1:${port}`) : input, init)
  App = (await import(/* @vite-ignore */ join(dir, 'app.tsx'))).App
})

afterEach(() => {
  cleanup()
  localStorage.clear()
})

afterAll(async () => {
  globalThis.fetch = realFetch
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("the README's React page against the README's server", () => {
  it('says so when a signed-out visitor posts, instead of failing silently', async () => {
    const { container } = render(<App />)
    await screen.findByRole('button', { name: 'Post' })
    act(() => screen.getByRole('button', { name: 'Post' }).click())
    expect((await screen.findByRole('alert')).textContent).toBe('Sign in to post.')
    expect(screen.queryAllByRole('listitem')).toHaveLength(0)
    expect(container.textContent).not.toContain('//') // no source comment rendered as page text
  })

  it('shows the new post once signed in, refreshed by the server-declared affects', async () => {
    localStorage.setItem('token', 'demo') // signing in, as the README says
    render(<App />)
    await screen.findByRole('button', { name: 'Post' })
    act(() => screen.getByRole('button', { name: 'Post' }).click())
    expect((await screen.findByRole('listitem')).textContent).toBe('Hello')
    expect(screen.queryByRole('alert')).toBeNull()
  })
})
