'use client'
// What happens to the notes, live: the `activity` channel over the tab's realtime connection
// (Server-Sent Events through the route handler). While it is open the server also pushes every
// mutation's invalidations to this tab, so a note added elsewhere appears in the list with no reload.
import type { SocketStatus } from '@mizan/client'
import { useChannel } from '@mizan/react'
import { useState } from 'react'
import { api } from '../lib/client'

const STATUS: Record<SocketStatus, string> = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Offline' }
const KEEP = 5 // lines kept on screen
let nextLine = 0

/** The connection's status and the latest activity lines. */
export function Activity() {
  const [lines, setLines] = useState<{ id: number; text: string }[]>([])
  const activity = useChannel(api.activity, {}, { onMessage: (message) => setLines((kept) => [{ id: nextLine++, text: message.text }, ...kept].slice(0, KEEP)) })
  return (
    <aside>
      <span role="status" className={`live ${activity.status}`}>
        {STATUS[activity.status]}
      </span>
      <ul aria-label="Activity">
        {lines.map((line) => (
          <li key={line.id}>{line.text}</li>
        ))}
      </ul>
    </aside>
  )
}
