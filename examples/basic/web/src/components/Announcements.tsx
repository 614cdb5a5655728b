// Shows what the server announced after each mutation: the `affects` set the React layer acted on,
// from this page's own calls and, pushed over the WebSocket, from other tabs and browsers.
// Only a display: the refreshing itself happens in MizanProvider, whatever this component does.
import { useEffect, useState } from 'react'
import { client } from '../api.js'

interface Line {
  id: number
  /** The mutation this page called, or undefined for a push (a change made elsewhere). */
  from: string | undefined
  targets: string
}

let nextId = 0

export function Announcements() {
  const [lines, setLines] = useState<Line[]>([])
  useEffect(
    () =>
      client.$on('invalidate', (targets, source) => {
        const line = { id: nextId++, from: source.path === '' ? undefined : source.path, targets: targets.map((t) => t.path + (t.input === undefined ? '' : ` ${JSON.stringify(t.input)}`)).join(', ') }
        setLines((previous) => [line, ...previous].slice(0, 6))
      }),
    [],
  )

  return (
    <section className="card">
      <h2>
        Announced <small>by the server</small>
      </h2>
      {lines.length === 0 ? (
        <p className="hint">
          Nothing yet. Sign in, publish or delete: each reply names the queries it affects, and only those refetch. Changes made in other tabs
          arrive over the WebSocket.
        </p>
      ) : (
        <ol className="log">
          {lines.map((line) => (
            <li key={line.id}>
              {line.from === undefined ? <span className="pushed">pushed: changed elsewhere</span> : <code>{line.from}</code>}
              <span className="targets">→ {line.targets}</span>
            </li>
          ))}
        </ol>
      )}
      <p className="hint">
        See every declaration in <a href="/manifest">the manifest</a>.
      </p>
    </section>
  )
}
