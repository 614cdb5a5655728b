// The chat panel: a room over the page's one WebSocket, with what happens to the posts in between.
// Signed out, the page still subscribes to the activity: that keeps its socket open, and the
// server pushes every mutation's invalidations over it, so a post written in another tab or browser
// appears in the list here without a reload (MizanProvider applies the pushes).
import { useChannel, useMizanContext } from '@mizan/react'
import type { SocketStatus } from '@mizan/client'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { User } from '../../../src/router.js'
import { api } from '../api.js'

const ROOM = 'lobby'
const KEEP = 50 // messages kept on screen
const MAX_LENGTH = 500 // as the channel's `receive` schema says

const STATUS: Record<SocketStatus, string> = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Offline' }
const time = new Intl.DateTimeFormat('en', { timeStyle: 'short' })

/** A chat message (`user` set) or a post event from the activity channel. */
interface Line {
  id: number
  text: string
  user?: string
  at: Date
}

let nextId = 0

export function Chat() {
  const me = useMizanContext(api.currentUser)
  // A socket's user is fixed when it opens (from the cookie on its upgrade request). When the user
  // changes, the key remounts the room: its subscriptions end, the client closes the socket (nothing
  // else uses it), and the new subscriptions open a socket that carries the new cookie.
  return <Room key={me?.id ?? 'guest'} me={me} />
}

function Room({ me }: { me: User | null }) {
  const [lines, setLines] = useState<Line[]>([])
  const add = (line: Omit<Line, 'id'>) => setLines((previous) => [...previous, { ...line, id: nextId++ }].slice(-KEEP))

  // Always on, signed in or not: besides the post events it shows, it keeps this page's socket
  // open, and the invalidations other browsers' mutations cause arrive over it. Both subscriptions
  // live here, so the remount above ends them together and the socket really closes.
  const activity = useChannel(api.activity, {}, { onMessage: add })
  // Only for signed-in users (the channel's `authorize` would refuse anyone else).
  const chat = useChannel(api.chat, { room: ROOM }, { enabled: me !== null, onMessage: add })
  const status = me === null ? activity.status : chat.status

  return (
    <section className="card chat">
      <h2>
        Chat <small>#{ROOM}</small>
        <span role="status" className={`live ${status}`}>
          {STATUS[status]}
        </span>
      </h2>
      <Log lines={lines} empty={me === null ? null : 'No messages yet. Say hello: everyone in the room sees it at once.'} />
      {me === null ? (
        <p className="hint">Sign in to chat. New posts from anyone show up here, and in the list, as they happen.</p>
      ) : (
        <Composer ready={status === 'open'} send={(text) => chat.send({ text })} />
      )}
    </section>
  )
}

function Log({ lines, empty }: { lines: Line[]; empty: string | null }) {
  const list = useRef<HTMLOListElement>(null)
  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight }) // follow the newest line
  }, [lines])

  if (lines.length === 0) return empty === null ? null : <p className="hint">{empty}</p>
  return (
    <ol className="chat-log" aria-label="Chat messages" ref={list}>
      {lines.map((line) => (
        <li key={line.id} className={line.user === undefined ? 'event' : undefined}>
          {line.user !== undefined && <strong>{line.user}</strong>}
          <span className="text">{line.text}</span>
          <time dateTime={line.at.toISOString()}>{time.format(line.at)}</time>
        </li>
      ))}
    </ol>
  )
}

function Composer({ ready, send }: { ready: boolean; send: (text: string) => Promise<void> }) {
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const message = text.trim()
    if (message === '') return
    try {
      await send(message)
      setText('')
      setError(null)
    } catch (failure) {
      setError((failure as Error).message)
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <div className="row">
        <input aria-label="Chat message" placeholder="Say something…" maxLength={MAX_LENGTH} value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit" className="primary" disabled={!ready || text.trim() === ''}>
          Send
        </button>
      </div>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}
