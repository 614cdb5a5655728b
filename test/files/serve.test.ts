import { createMizanServer, initMizan } from '@mizan/server'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { startApp } from './support.js'

// What the server decides about files when it is created: mistakes fail at startup, and the
// manifest says which procedures take files and within which limits.

const m = initMizan()

describe('files when a router is served', () => {
  it('refuses a query whose input holds z.file(), wherever it is', () => {
    const router = m.router({ search: m.query({ input: z.object({ by: z.array(z.file().optional()) }) }, () => 1) })
    expect(() => createMizanServer({ router })).toThrow(/"search" is a query whose input holds z.file\(\): files go with mutations/)
  })

  it('refuses files limits on a query, and wrong limits, where they are defined', () => {
    expect(() => m.query({ files: { maxFiles: 1 } } as never, () => 1)).toThrow(/files go with mutations/)
    expect(() => m.mutation({ input: z.file(), files: { maxFileSize: 0 } }, () => 1)).toThrow(/maxFileSize/)
    expect(() => m.mutation({ input: z.file(), files: { types: ['nonsense'] } }, () => 1)).toThrow(/types/)
  })

  it('refuses files limits on a mutation whose input takes no file', () => {
    const router = m.router({ save: m.mutation({ input: z.object({ a: z.string() }), files: { maxFiles: 2 } }, () => 1) })
    expect(() => createMizanServer({ router })).toThrow(/"save" declares files limits, but its input schema holds no z.file\(\)/)
  })

  it('refuses wrong uploads options', () => {
    const router = m.router({ save: m.mutation({ input: z.file() }, () => 1) })
    expect(() => createMizanServer({ router, uploads: { idleTimeout: -1 } })).toThrow(/idleTimeout/)
  })

  it('lists the limits of procedures that take files in the manifest, defaults applied', async () => {
    const app = await startApp('node')
    try {
      const { procedures } = app.server.manifest
      expect(procedures['posts.create']!.files).toEqual({ maxFileSize: 65536, maxFiles: 4, maxTotalSize: 102400, types: null })
      expect(procedures['avatar']!.files).toEqual({ maxFileSize: 1048576, maxFiles: 10, maxTotalSize: 10485760, types: ['image/*'] })
      expect(procedures['profile']!.files).toEqual({ maxFileSize: 10485760, maxFiles: 10, maxTotalSize: 104857600, types: null })
      expect(procedures['plain']).not.toHaveProperty('files')
      const served = await (await fetch(`${app.url}/_manifest`)).json()
      expect(served.procedures['posts.create'].files.maxFiles).toBe(4)
    } finally {
      await app.close()
    }
  })
})
