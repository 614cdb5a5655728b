'use client'
// Who is signed in, read from the `currentUser` global context. Signing in or out declares
// `affects: ['currentUser']`, so this re-renders with the new user by itself.
import { useMizanContext } from '@mizan/react'
import { useState } from 'react'
import { api } from '../lib/client'
import { useHydrated } from './use-hydrated'

/** The sign-in form, or the signed-in user with a sign-out button. */
export function SignIn() {
  const me = useMizanContext(api.currentUser) // from the server's prefetch: never undefined, no loading state
  const hydrated = useHydrated()
  const signIn = api.auth.signIn.useMutation()
  const signOut = api.auth.signOut.useMutation()
  const [name, setName] = useState('')

  if (me !== null) {
    return (
      <p className="who">
        Signed in as <strong>{me.name}</strong>{' '}
        <button type="button" disabled={!hydrated || signOut.isPending} onClick={() => signOut.mutate()}>
          Sign out
        </button>
      </p>
    )
  }
  const problem = signIn.error?.fieldErrors?.name?.[0] ?? signIn.error?.message
  return (
    <form
      className="who"
      onSubmit={(event) => {
        event.preventDefault()
        signIn.mutate({ name })
      }}
    >
      <span>Not signed in.</span>{' '}
      <label>
        Your name <input value={name} onChange={(event) => setName(event.target.value)} maxLength={40} />
      </label>{' '}
      <button type="submit" disabled={!hydrated || signIn.isPending}>
        Sign in
      </button>
      {problem !== undefined && <span className="error">{problem}</span>}
    </form>
  )
}
