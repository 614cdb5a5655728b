import type { WebSocketOptions } from './socket-server.js'

/**
 * Whether a browser page at `origin` may open a realtime connection (a WebSocket or an event
 * stream): the server's `websocket.origins` rule, else the page's own origin only (the `Origin`
 * header's host equals `Host`). Requests without `Origin` (servers, scripts) are allowed: only a
 * browser sends it, and only a browser can be tricked into connecting for another site.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, rule: WebSocketOptions['origins']): boolean {
  if (origin === undefined) return true
  if (typeof rule === 'function') return rule(origin)
  if (rule !== undefined) return rule.includes(origin)
  try {
    return host !== undefined && new URL(origin).host === host
  } catch {
    return false
  }
}
