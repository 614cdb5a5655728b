// The create form. The server's validation comes back as `error.fieldErrors`, shown by the field.
import { useState, type FormEvent } from 'react'
import { api } from '../api.js'

export function NewPost({ signedIn }: { signedIn: boolean }) {
  const [title, setTitle] = useState('')
  const create = api.posts.create.useMutation()
  const fieldError = create.error?.fieldErrors?.title?.[0]

  function submit(event: FormEvent) {
    event.preventDefault()
    create.mutate({ title }, { onSuccess: () => setTitle('') })
  }

  if (!signedIn) return <p className="hint">Sign in to write a post.</p>
  return (
    <form className="new-post" onSubmit={submit} noValidate>
      <div className="row">
        <input
          aria-label="Post title"
          placeholder="Title of a new post"
          value={title}
          aria-invalid={fieldError !== undefined}
          onChange={(event) => {
            setTitle(event.target.value)
            if (create.error) create.reset()
          }}
        />
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Publishing…' : 'Publish'}
        </button>
      </div>
      {fieldError !== undefined && (
        <p className="field-error" role="alert">
          {fieldError}
        </p>
      )}
      {create.error && fieldError === undefined && (
        <p className="error" role="alert">
          {create.error.message}
        </p>
      )}
    </form>
  )
}
