import { describe, expect, it } from 'vitest'
import { parseWindow } from './window.js'
import { parseRule } from './rule.js'

describe('rate limit windows', () => {
  it('reads milliseconds and counts with a unit', () => {
    expect(parseWindow(1500)).toBe(1500)
    expect(parseWindow('250ms')).toBe(250)
    expect(parseWindow('10s')).toBe(10_000)
    expect(parseWindow('1.5m')).toBe(90_000)
    expect(parseWindow('1h')).toBe(3_600_000)
    expect(parseWindow('1d')).toBe(86_400_000)
  })

  it('refuses at definition what it cannot read', () => {
    for (const bad of ['1w', '10', ' 1s', '1e3s', '-1s', '0s', '0.5ms', 0, -5, 1.5, Number.NaN, Infinity, null, {}]) {
      expect(() => parseWindow(bad), String(bad)).toThrow(TypeError)
    }
  })

  it('checks a rule: max, window and by', () => {
    expect(parseRule({ max: 5, window: '1m' }, 'x')).toEqual({ max: 5, windowMs: 60_000, by: 'principal' })
    expect(() => parseRule({ max: 0, window: '1m' }, 'x')).toThrow(/max/)
    expect(() => parseRule({ max: 1.5, window: '1m' }, 'x')).toThrow(/max/)
    expect(() => parseRule({ max: 1, window: '1m', by: 'host' }, 'x')).toThrow(/by/)
    expect(() => parseRule({ max: 1e9, window: '365d' }, 'x')).toThrow(/too large/)
    expect(() => parseRule(true, 'x')).toThrow(/rateLimit/)
  })
})
