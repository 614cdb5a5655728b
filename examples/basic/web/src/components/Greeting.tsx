// A local context: <api.greeting.Provider> fetches the greeting for one input, and anything below
// reads it with useMizanContext, without passing props down.
import { useMizanContext } from '@mizan/react'
import { useState } from 'react'
import { api } from '../api.js'
import { useDebounced } from '../useDebounced.js'

export function Greeting() {
  const [name, setName] = useState('world')
  const settled = useDebounced(name.trim(), 250) // one request per pause, not per keystroke

  return (
    <section className="card">
      <h2>
        Greeting <small>a local context</small>
      </h2>
      <label className="field">
        <span>Your name</span>
        <input value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      {settled === '' ? (
        <p className="greeting muted">Type a name.</p>
      ) : (
        <api.greeting.Provider input={{ name: settled }} fallback={<p className="greeting muted">…</p>}>
          <GreetingText />
        </api.greeting.Provider>
      )}
    </section>
  )
}

function GreetingText() {
  const greeting = useMizanContext(api.greeting)
  return (
    <p className="greeting" data-testid="greeting">
      {greeting.text} <span className="muted">— asked by {greeting.from}</span>
    </p>
  )
}
