// The posts card: the list (server-rendered into the cache on first load), the form, and delete
// buttons for staff. After a create or delete, the list refreshes because the mutation `affects` it.
// The list asks for cards (the `cards` shape: no bodies); a post opened asks for the whole of it.
import { useState } from 'react'
import { useMizanContext } from '@mizan/react'
import { api, imageURL } from '../api.js'
import { NewPost } from './NewPost.js'

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })

export function Posts() {
  const me = useMizanContext(api.currentUser)
  const posts = api.posts.list.useQuery({ page: 1 }, { shape: 'cards' })
  const [open, setOpen] = useState<string | undefined>(undefined)
  const remove = api.posts.remove.useMutation()
  const isStaff = me?.roles.includes('staff') ?? false

  return (
    <section className="card posts">
      <h2>
        Posts{' '}
        <small>
          refreshed by each mutation's <code>affects</code>, never by hand
        </small>
      </h2>
      <NewPost signedIn={me !== null} />
      {posts.isPending && <p className="muted">Loading posts…</p>}
      {posts.error && <p className="error" role="alert">{posts.error.message}</p>}
      {remove.error && <p className="error" role="alert">{remove.error.message}</p>}
      <ul className="post-list" aria-label="Posts">
        {posts.data?.items.map((post) => (
          <li key={post.id}>
            {post.image && <img className="post-image" src={imageURL(post.id)} alt={`Image of “${post.title}”`} />}
            <div>
              <p className="post-title">
                <button
                  type="button"
                  className="link"
                  aria-expanded={open === post.id}
                  aria-controls={`post-${post.id}`}
                  onClick={() => setOpen(open === post.id ? undefined : post.id)}
                >
                  {post.title}
                </button>
              </p>
              <p className="meta">
                {post.author} · <time dateTime={post.createdAt.toISOString()}>{when.format(post.createdAt)}</time>
                {post.image && (
                  <>
                    {' · '}
                    {/* The `posts.imageDownload` route: the same bytes, sent as an attachment. */}
                    <a href={`/api/mizan/posts/${encodeURIComponent(post.id)}/image`} download>
                      download image
                    </a>
                  </>
                )}
              </p>
              {open === post.id && <PostBody id={post.id} />}
            </div>
            {isStaff && (
              <button
                type="button"
                className="danger"
                aria-label={`Delete “${post.title}”`}
                disabled={remove.isPending && remove.variables?.id === post.id}
                onClick={() => remove.mutate({ id: post.id })}
              >
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      {posts.data?.items.length === 0 && <p className="muted">No posts yet.</p>}
    </section>
  )
}

/** A post opened: the whole of it (the `full` shape of `posts.byId`), fetched when first opened. */
function PostBody({ id }: { id: string }) {
  const post = api.posts.byId.useQuery({ id }, { shape: 'full' })
  return (
    <div className="post-body" id={`post-${id}`} aria-label="Post" role="region">
      {post.isPending && <p className="muted">Loading the post…</p>}
      {post.error && <p className="error" role="alert">{post.error.message}</p>}
      {post.data && (post.data.body === '' ? <p className="muted">This post has no text.</p> : <p>{post.data.body}</p>)}
    </div>
  )
}
