import { describe, expect, it } from 'vitest'
import { addressKey } from './address.js'

describe('addressKey', () => {
  it('counts IPv4 as it is, and IPv4-mapped IPv6 as IPv4', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9')
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9')
    expect(addressKey('::ffff:cb00:7109')).toBe('203.0.113.9')
  })

  it('counts IPv6 by its /64 network, however it is written', () => {
    const key = addressKey('2001:db8:1:2::1')
    expect(key).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:0db8:0001:0002:ffff:eeee:dddd:cccc')).toBe(key)
    expect(addressKey('[2001:db8:1:2::abcd]')).toBe(key)
    expect(addressKey('2001:db8:1:2::1%eth0')).toBe(key)
    expect(addressKey('2001:db8:1:3::1')).not.toBe(key)
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
  })

  it('keeps anything else as given', () => {
    expect(addressKey('not an address')).toBe('not an address')
    expect(addressKey('')).toBe('')
  })
})
