import type { IncomingMessage } from 'node:http'
import { nodeNet } from '../builtins.js'

/** What {@link ClientAddressOf} reads a request's client address from. */
export interface ClientAddressSource {
  /** The request headers. `X-Forwarded-For` and the like are whatever the client wrote, unless your own proxy sets them. */
  readonly headers: { get(name: string): string | null }
  /** The peer of the TCP connection (Node and WebSocket); `undefined` on fetch runtimes, which expose no socket. */
  readonly remoteAddress: string | undefined
  /** The Node request (HTTP, or the WebSocket upgrade), when served by Node. */
  readonly node?: IncomingMessage
  /** The Web request, when served by `fetchHandler` (Bun's `server.requestIP(request)` takes it). */
  readonly request?: Request
}

/**
 * Where a request comes from, for limits counted by address (`by: 'ip'`, and callers without a
 * principal). Return `undefined` when unknown. Given to `createMizanServer({ clientAddress })`; the
 * default is the socket's peer address on Node and nothing on fetch runtimes.
 */
export type ClientAddressOf = (source: ClientAddressSource) => string | undefined

/**
 * The key an address is counted under. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the IPv4 address,
 * and IPv6 counts by its /64 network: one subscriber usually holds a whole /64, and could otherwise
 * take a fresh address, and a fresh budget, for every call.
 */
export function addressKey(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  if (nodeNet().isIPv4(bare)) return bare
  if (!nodeNet().isIPv6(bare)) return address
  const groups = expandIPv6(bare.split('%')[0]!)
  if (groups === undefined) return address
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  }
  return groups.slice(0, 4).map((group) => group.toString(16)).join(':') + '::/64'
}

/** The eight 16-bit groups of a valid IPv6 address (as `isIPv6` accepts it), `::` and a dotted tail expanded. */
function expandIPv6(address: string): number[] | undefined {
  let text = address
  const lastColon = text.lastIndexOf(':')
  const tail = text.slice(lastColon + 1)
  if (tail.includes('.')) {
    const bytes = tail.split('.').map(Number)
    text = `${text.slice(0, lastColon + 1)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`
  }
  const [head, rest] = text.split('::') as [string, string | undefined]
  const left = head === '' ? [] : head.split(':')
  const right = rest === undefined || rest === '' ? [] : rest.split(':')
  const missing = 8 - left.length - right.length
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => parseInt(group, 16))
}

/** The client address of a Node request (HTTP, or a WebSocket upgrade): `addressOf` when given, else the socket's peer. */
export function nodeClientAddress(req: IncomingMessage, addressOf: ClientAddressOf | undefined): string | undefined {
  const remoteAddress = req.socket?.remoteAddress
  if (addressOf === undefined) return remoteAddress
  const headers = {
    get: (name: string): string | null => {
      const value = req.headers[name.toLowerCase()]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    },
  }
  return addressOf({ headers, remoteAddress, node: req })
}
