'use client'
// The list and the form to add to it. Nothing here invalidates anything: `notes.add` declares
// `affects: ['notes.list']`, its reply names the list, and `MizanProvider` refetches it.
import { useMizanContext } from '@mizan/react'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../lib/client'
import { useHydrated } from './use-hydrated'

/** `2025-01-31 14:05 UTC`: the same text on the server and in the browser, whatever their time zones. */
const when = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`

/** Every note, newest first, and the form to add one when signed in. */
export function Notes() {
  const me = useMizanContext(api.currentUser)
  const notes = useQuery(api.notes.list.queryOptions()) // hydrated from the server: data on first render
  return (
    <section>
      {me === null ? <p>Sign in to add notes.</p> : <AddNote />}
      <ul aria-label="Notes">
        {notes.data?.map((note) => (
          <li key={note.id}>
            <p>{note.text}</p>
            <small>
              {note.author} · <time dateTime={note.createdAt.toISOString()}>{when(note.createdAt)}</time>
            </small>
          </li>
        ))}
      </ul>
    </section>
  )
}

function AddNote() {
  const hydrated = useHydrated()
  const [text, setText] = useState('')
  const add = api.notes.add.useMutation({ onSuccess: () => setText('') })
  const problem = add.error?.fieldErrors?.text?.[0] ?? add.error?.message
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        add.mutate({ text })
      }}
    >
      <label>
        New note <input value={text} onChange={(event) => setText(event.target.value)} maxLength={200} />
      </label>{' '}
      <button type="submit" disabled={!hydrated || add.isPending}>
        Add note
      </button>
      {problem !== undefined && <span className="error">{problem}</span>}
    </form>
  )
}
