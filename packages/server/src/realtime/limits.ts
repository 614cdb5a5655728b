/** Limits of the WebSocket transport; each has a default, and breaking one closes or refuses clearly. */
export interface SocketLimits {
  /** Bytes of one incoming message; a larger one closes the connection (1009). Default 64 KiB. */
  maxMessageSize: number
  /**
   * Messages per second a connection may send (calls, subscribes, sends), with bursts of twice
   * that; more closes it (1008). Default 100: a browser tab rarely comes near it.
   */
  messagesPerSecond: number
  /** Channel subscriptions one connection may hold. Default 100. */
  maxSubscriptions: number
  /**
   * Bytes waiting to be sent to one connection: a consumer that falls this far behind is
   * disconnected, never buffered without bound. Default 1 MiB.
   */
  maxBufferedBytes: number
  /** Milliseconds between pings; a connection that missed the last pong is closed. Default 30,000. */
  heartbeatMs: number
  /**
   * Milliseconds between heartbeat comments on a Server-Sent Events stream: they keep proxies from
   * closing a quiet stream, and a stream that can no longer be written is closed. Default 15,000.
   */
  sseHeartbeatMs: number
}

/** The defaults of {@link SocketLimits}. */
export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxMessageSize: 64 * 1024,
  messagesPerSecond: 100,
  maxSubscriptions: 100,
  maxBufferedBytes: 1024 * 1024,
  heartbeatMs: 30_000,
  sseHeartbeatMs: 15_000,
}

/** A token bucket: `messagesPerSecond` refill, bursts up to twice that. */
export class RateLimiter {
  private tokens: number
  private last = Date.now()

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond * 2
  }

  take(): boolean {
    const now = Date.now()
    this.tokens = Math.min(this.perSecond * 2, this.tokens + ((now - this.last) / 1000) * this.perSecond)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
