// The page, a Server Component. It runs the procedures in process with this request's context
// (no HTTP hop), so the first HTML already holds the signed-in user and the notes.
import { createMizanReact } from '@mizan/react'
import { callerClient, dehydrateState, prefetchContexts } from '@mizan/react/ssr'
import { QueryClient } from '@tanstack/react-query'
import { headers } from 'next/headers'
import { contextFor, mizan } from '../lib/server'
import type { AppRouter } from '../lib/router'
import { Activity } from './activity'
import { Hydrate } from './hydrate'
import { Notes } from './notes'
import { SignIn } from './sign-in'

/** `/`: the notes, prefetched for the visitor. Reading the cookies makes it render per request. */
export default async function Home() {
  const api = createMizanReact<AppRouter>(callerClient(mizan.createCaller(contextFor(await headers()))))
  const queryClient = new QueryClient()
  await Promise.all([
    prefetchContexts(api, queryClient, mizan.manifest), // every `context: 'global'` query: currentUser
    queryClient.prefetchQuery(api.notes.list.queryOptions()),
  ])
  return (
    <main>
      <h1>Notes</h1>
      <Hydrate state={dehydrateState(queryClient)}>
        <SignIn />
        <Activity />
        <Notes />
      </Hydrate>
    </main>
  )
}
