// The header: who is signed in (a global context, already in the server's HTML) and the demo
// sign-in buttons. Signing in sets a cookie; `affects` refreshes the user and the posts.
import { useMizanContext } from '@mizan/react'
import { api } from '../api.js'

const DEMO_USERS = [
  { name: 'alice', label: 'Alice', note: '' },
  { name: 'sam', label: 'Sam', note: ' (staff)' },
] as const

export function Header() {
  const me = useMizanContext(api.currentUser)
  const signIn = api.auth.signIn.useMutation()
  const signOut = api.auth.signOut.useMutation()
  const busy = signIn.isPending || signOut.isPending

  return (
    <header className="topbar">
      <div className="brand">
        Mizan <span>example</span>
      </div>
      <div className="session">
        {me === null ? (
          <span className="who">Not signed in</span>
        ) : (
          <span className="who">
            Signed in as <strong>{me.name}</strong>
          </span>
        )}
        {DEMO_USERS.filter((user) => user.label !== me?.name).map((user) => (
          <button key={user.name} type="button" disabled={busy} onClick={() => signIn.mutate({ name: user.name })}>
            {me === null ? 'Sign in as' : 'Switch to'} {user.label}
            {user.note}
          </button>
        ))}
        {me !== null && (
          <button type="button" className="quiet" disabled={busy} onClick={() => signOut.mutate()}>
            Sign out
          </button>
        )}
      </div>
    </header>
  )
}
