// A form declared once on the server (`contact` in src/router.ts) and drawn here from its schema:
// labels, widgets, the browser's checks (the server's own rules, rebuilt from JSON Schema), the
// email check only the server can make, and the list its submit `affects`, refreshed by itself.
import { MizanForm } from '@mizan/react/forms'
import { useState } from 'react'
import { api } from '../api.js'

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium' })

export function Feedback() {
  const recent = api.feedback.recent.useQuery()
  const [sent, setSent] = useState(0)

  return (
    <section className="card feedback">
      <h2>
        Feedback <small>one <code>m.form</code> declaration, checked in the browser and on the server</small>
      </h2>
      {/* A new key after each success: the form starts over, empty. */}
      <MizanForm key={sent} form={api.contact} onSuccess={() => setSent((count) => count + 1)} />
      {sent > 0 && (
        <p className="hint" role="status">
          Thank you: your feedback is in the list below.
        </p>
      )}
      <h3>Recent feedback</h3>
      {recent.error && <p className="error" role="alert">{recent.error.message}</p>}
      <ul className="feedback-list" aria-label="Recent feedback">
        {recent.data?.map((entry) => (
          <li key={entry.id}>
            <p className="feedback-message">{entry.message}</p>
            <p className="meta">
              {entry.name} from {entry.city} · {entry.topic} · <time dateTime={entry.at.toISOString()}>{when.format(entry.at)}</time>
              {entry.screenshot && ` · with ${entry.screenshot.name}`}
            </p>
          </li>
        ))}
      </ul>
    </section>
  )
}
