import { describe, expect, it } from 'vitest'
import { checkFileLimits, resolveFileLimits, resolveUploadOptions, typeAllowed } from './limits.js'

describe('file limits', () => {
  it('defaults: 10 MiB a file, 10 files, their product in total, any type', () => {
    expect(resolveFileLimits(undefined)).toEqual({ maxFileSize: 10 * 1024 * 1024, maxFiles: 10, maxTotalSize: 100 * 1024 * 1024, types: undefined })
    expect(resolveFileLimits({ maxFileSize: 5, maxFiles: 2 })).toMatchObject({ maxTotalSize: 10 })
    expect(resolveUploadOptions(undefined)).toEqual({ tempDir: undefined, memoryThreshold: 1024 * 1024, idleTimeout: 30_000 })
  })

  it('matches types exactly or by wildcard, without parameters or case', () => {
    const types = resolveFileLimits({ types: ['image/*', 'Application/PDF'] }).types
    expect(typeAllowed('image/png', types)).toBe(true)
    expect(typeAllowed('IMAGE/SVG+XML; charset=x', types)).toBe(true)
    expect(typeAllowed('application/pdf', types)).toBe(true)
    expect(typeAllowed('application/pdfx', types)).toBe(false)
    expect(typeAllowed('imagex/png', types)).toBe(false)
    expect(typeAllowed('text/html', types)).toBe(false)
    expect(typeAllowed('anything', undefined)).toBe(true)
  })

  it('refuses wrong values at startup', () => {
    expect(() => checkFileLimits({ maxFileSize: -1 }, 'm')).toThrow(/maxFileSize/)
    expect(() => checkFileLimits({ maxFiles: 1.5 }, 'm')).toThrow(/maxFiles/)
    expect(() => checkFileLimits({ types: ['png'] }, 'm')).toThrow(/types/)
    expect(() => checkFileLimits('x', 'm')).toThrow(/object/)
    expect(() => checkFileLimits({ maxTotalSize: 3, types: ['image/*'] }, 'm')).not.toThrow()
    expect(() => resolveUploadOptions({ idleTimeout: 0 })).toThrow(/idleTimeout/)
    expect(() => resolveUploadOptions({ memoryThreshold: -1 })).toThrow(/memoryThreshold/)
    expect(() => resolveUploadOptions({ tempDir: '' })).toThrow(/tempDir/)
  })
})
