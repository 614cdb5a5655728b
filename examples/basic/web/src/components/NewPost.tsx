// The create form. The server's validation comes back as `error.fieldErrors`, shown by the field.
// An attached image goes with the same call: the client sees a File in the input and uploads it,
// reporting progress, with no other code.
import { useRef, useState, type FormEvent } from 'react'
import { api } from '../api.js'

export function NewPost({ signedIn }: { signedIn: boolean }) {
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const [image, setImage] = useState<File | undefined>(undefined)
  const [progress, setProgress] = useState<{ loaded: number; total: number } | undefined>(undefined)
  const fileInput = useRef<HTMLInputElement>(null)
  const create = api.posts.create.useMutation({ onUploadProgress: setProgress })
  const fieldErrors = create.error?.fieldErrors
  const titleError = fieldErrors?.title?.[0]
  const bodyError = fieldErrors?.body?.[0]
  const imageError = fieldErrors?.image?.[0]

  function submit(event: FormEvent) {
    event.preventDefault()
    setProgress(undefined)
    create.mutate(image === undefined ? { title, body } : { title, body, image }, {
      onSuccess: () => {
        setTitle('')
        setBody('')
        setImage(undefined)
        if (fileInput.current) fileInput.current.value = ''
      },
    })
  }

  if (!signedIn) return <p className="hint">Sign in to write a post.</p>
  return (
    <form className="new-post" onSubmit={submit} noValidate>
      <div className="row">
        <input
          aria-label="Post title"
          placeholder="Title of a new post"
          value={title}
          aria-invalid={titleError !== undefined}
          onChange={(event) => {
            setTitle(event.target.value)
            if (create.error) create.reset()
          }}
        />
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Publishing…' : 'Publish'}
        </button>
      </div>
      <textarea
        className="post-text"
        aria-label="Post text"
        placeholder="Text (optional): shown when the post is opened"
        rows={2}
        value={body}
        aria-invalid={bodyError !== undefined}
        onChange={(event) => {
          setBody(event.target.value)
          if (create.error) create.reset()
        }}
      />
      <div className="row attach">
        <label>
          Image <span className="muted">(optional, 2 MiB at most)</span>
          <input
            ref={fileInput}
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            aria-label="Attach an image"
            aria-invalid={imageError !== undefined}
            onChange={(event) => {
              setImage(event.target.files?.[0])
              if (create.error) create.reset()
            }}
          />
        </label>
        {create.isPending && image !== undefined && (
          <progress aria-label="Upload progress" value={progress?.loaded ?? 0} max={progress?.total || image.size} />
        )}
      </div>
      {titleError !== undefined && (
        <p className="field-error" role="alert">
          {titleError}
        </p>
      )}
      {bodyError !== undefined && (
        <p className="field-error" role="alert">
          {bodyError}
        </p>
      )}
      {imageError !== undefined && (
        <p className="field-error" role="alert">
          {imageError}
        </p>
      )}
      {create.error && titleError === undefined && bodyError === undefined && imageError === undefined && (
        <p className="error" role="alert">
          {create.error.message}
        </p>
      )}
    </form>
  )
}
