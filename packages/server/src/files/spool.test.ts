import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { Spool } from './spool.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mizan-spool-test-'))
  dirs.push(dir)
  return dir
}
const chunks = (...parts: string[]) => Readable.from(parts.map((part) => Buffer.from(part)))

describe('Spool', () => {
  it('keeps a small file in memory', async () => {
    const dir = tempDir()
    const spool = new Spool(dir, 10)
    const file = await spool.take(chunks('abc', 'def'), 'a.txt', 'text/plain', () => {})
    expect([file.name, file.type, await file.text()]).toEqual(['a.txt', 'text/plain', 'abcdef'])
    expect(readdirSync(dir)).toEqual([])
  })

  it('leaves no file behind when a part is cut off just as it goes to disk, whatever the timing', async () => {
    const dir = tempDir()
    for (let round = 0; round < 20; round++) {
      const spool = new Spool(dir, 4)
      const part = new Readable({ read() {} })
      part.on('error', () => {})
      const taking = spool.take(part, 'a.bin', 'application/octet-stream', () => {})
      taking.catch(() => {})
      part.push(Buffer.from('more than four bytes'))
      // Cut off once the spool has switched to a file (its open still pending, at most).
      await new Promise((resolve) => setImmediate(resolve))
      part.destroy(new Error('cut off'))
      await expect(taking).rejects.toThrow()
      await spool.cleanup()
      expect(readdirSync(dir)).toEqual([])
    }
  })

  it('ends a part destroyed without an error instead of waiting for it forever', async () => {
    const spool = new Spool(tempDir(), 1024)
    const part = new Readable({ read() {} })
    const taking = spool.take(part, 'a.bin', 'application/octet-stream', () => {})
    part.push(Buffer.from('abc'))
    part.destroy()
    await expect(taking).rejects.toThrow(/cut off/)
    await spool.cleanup()
  })

  it('writes a larger one to a random, private temporary file, removed by cleanup', async () => {
    const dir = tempDir()
    const spool = new Spool(dir, 4)
    const file = await spool.take(chunks('abc', 'def', 'ghi'), '../x.bin', 'application/x', () => {})
    const [name] = readdirSync(dir)
    expect(name).toMatch(/^mizan-upload-[0-9a-f]{32}$/)
    expect(statSync(join(dir, name!)).mode & 0o777).toBe(0o600)
    expect(await file.text()).toBe('abcdefghi')
    expect(file.name).toBe('../x.bin')
    await spool.cleanup()
    expect(readdirSync(dir)).toEqual([])
    await spool.cleanup()
  })

  it('stops when count refuses a chunk, and cleanup still removes what was written', async () => {
    const dir = tempDir()
    const spool = new Spool(dir, 0)
    let seen = 0
    const taking = spool.take(chunks('aaaa', 'bbbb', 'cccc'), 'x', '', (bytes) => {
      seen += bytes
      if (seen > 5) throw new Error('over')
    })
    await expect(taking).rejects.toThrow('over')
    await spool.cleanup()
    expect(readdirSync(dir)).toEqual([])
  })
})
