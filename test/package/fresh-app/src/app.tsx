// The React layer: one TanStack Query client and React, shared with the app (peers, not copies).
import { createClient } from '@mizan/client'
import { createMizanReact, MizanProvider } from '@mizan/react'
import { QueryClient, useQuery } from '@tanstack/react-query'
import type { AppRouter } from './server.js'

export function App({ url }: { url: string }) {
  const client = createClient<AppRouter>({ url })
  const api = createMizanReact<AppRouter>(client)
  const queryClient = new QueryClient()
  function Notes() {
    const notes = useQuery(api.notes.list.queryOptions())
    const add = api.notes.add.useMutation()
    return (
      <>
        <ul>{notes.data?.map((note) => <li key={note.id}>{note.text} {note.at.toISOString()}</li>)}</ul>
        <button onClick={() => add.mutate({ text: 'hello' })}>Add</button>
      </>
    )
  }
  return (
    <MizanProvider client={client} queryClient={queryClient}>
      <Notes />
    </MizanProvider>
  )
}
