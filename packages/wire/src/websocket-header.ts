/**
 * The response header that lists, comma-separated, the paths among a reply's calls that the server
 * also serves over its WebSocket (procedures declared `websocket: true`). A client that sees it may
 * open its socket, so that later calls of those paths skip HTTP.
 */
export const WEBSOCKET_HEADER = 'x-mizan-websocket'

/** The header's value for these paths. */
export function encodeWebSocketHeader(paths: Iterable<string>): string {
  return [...paths].join(',')
}

/**
 * Reads the header back: its non-empty entries, trimmed. A value from the network is only split,
 * never parsed further, so any text gives a list (empty when the header is missing or blank).
 */
export function decodeWebSocketHeader(value: string | null): string[] {
  if (!value) return []
  const paths: string[] = []
  for (const entry of value.split(',')) {
    const path = entry.trim()
    if (path !== '') paths.push(path)
  }
  return paths
}
