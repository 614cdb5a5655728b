'use client'
// A client module: in React Server Components (Next.js's App Router) importing `@mizan/react`
// gives a reference to `useChannel` instead of loading its hooks, which React's server build lacks.
import type { ClientMethods, MizanClientError, SocketStatus } from '@mizan/client'
import { hashKey } from '@tanstack/react-query'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ProcedureHandle } from './handle.js'
import { HANDLE } from './proxy.js'
import type { ChannelTag } from './types.js'

/** Options of {@link useChannel}. */
export interface UseChannelOptions<Message> {
  /** Called with every message, in order. */
  onMessage?: (message: Message) => void
  /** `false` leaves the channel (and closes the socket when nothing else needs it). Default `true`. */
  enabled?: boolean
  /** The server refused the subscription (params, authorization); it is not retried. */
  onError?: (error: MizanClientError) => void
}

/** What {@link useChannel} returns. */
export interface UseChannelResult<Message, Send> {
  /** The connection's status for this subscription (`closed` after a refusal). */
  status: SocketStatus
  /** Why the server refused the subscription, if it did. */
  error: MizanClientError | undefined
  /** The last message received, if any. */
  lastMessage: Message | undefined
  /** Sends to the channel's `receive` handler (channels that declare one). */
  send: (message: Send) => Promise<void>
}

/**
 * Subscribes a component to a channel for as long as it is mounted. All components share the
 * client's one WebSocket; leaving the last subscription closes it. When messages may have been
 * missed (a reconnect), the queries the channel `affects` are invalidated by the bridge.
 *
 * ```tsx
 * const chat = useChannel(api.chat, { room }, { onMessage: (m) => setLines((l) => [...l, m]) })
 * ```
 */
export function useChannel<Params, Message, Send>(
  channel: ChannelTag<Params, Message, Send>,
  params: Params,
  options: UseChannelOptions<Message> = {},
): UseChannelResult<Message, Send> {
  const handle = (channel as Record<string, unknown>)[HANDLE] as ProcedureHandle | undefined
  if (handle === undefined) throw new TypeError('Mizan: useChannel() takes a channel of createMizanReact(), like api.chat')
  const client = handle.client as Partial<Pick<ClientMethods, '$subscribe'>>
  if (client.$subscribe === undefined) throw new TypeError('Mizan: useChannel() needs a client made by createClient()')
  const [status, setStatus] = useState<SocketStatus>('connecting')
  const [lastMessage, setLastMessage] = useState<Message | undefined>(undefined)
  const [error, setError] = useState<MizanClientError | undefined>(undefined)
  const latest = useRef(options)
  latest.current = options
  const subscription = useRef<{ send(message: unknown): Promise<void> } | undefined>(undefined)
  const key = hashKey([params])
  const enabled = options.enabled ?? true

  useEffect(() => {
    if (!enabled) {
      setStatus('closed')
      return
    }
    const sub = client.$subscribe!(handle.path, params, {
      onMessage: (message) => {
        setLastMessage(message as Message)
        latest.current.onMessage?.(message as Message)
      },
      onStatus: (next) => setStatus(next.status),
      onError: (refusal) => {
        setError(refusal)
        setStatus('closed')
        latest.current.onError?.(refusal)
      },
    })
    subscription.current = sub
    return () => {
      sub.unsubscribe()
      if (subscription.current === sub) subscription.current = undefined
    }
    // `params` is compared by value through its key, as TanStack Query compares query keys.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [handle, key, enabled])

  const send = useCallback(async (message: Send) => {
    if (subscription.current === undefined) throw new Error('Mizan: the channel is not subscribed')
    await subscription.current.send(message)
  }, [])

  return { status, lastMessage, send, error }
}
