// Calls the running example through the typed client: `npm run demo --workspace examples/basic`.
import { createClient, isMizanError } from '@mizan/client'
import type { AppRouter } from './router.js'

const url = process.env.MIZAN_URL ?? 'http://localhost:3000/api/mizan'
const alice = createClient<AppRouter>({ url, headers: { authorization: 'Bearer alice' } })
alice.$on('invalidate', (targets, source) => console.log(`${source.path} invalidated:`, targets))

// One request; the list comes as cards (the `cards` shape): every field but the bodies.
const [me, page] = await Promise.all([alice.currentUser.query(), alice.posts.list.query({ page: 1 }, { shape: 'cards' })])
console.log('signed in as', me?.name, '—', page.items.length, 'posts, newest from', page.items[0]?.createdAt.toDateString())
const post = await alice.posts.create.mutate({ title: 'Written by the demo script' })
console.log('created', post)
try {
  await alice.posts.remove.mutate({ id: post.id })
} catch (error) {
  if (isMizanError(error, 'FORBIDDEN')) console.log('Alice may not delete posts: only staff may')
}
try {
  await alice.posts.byId.query({ id: 'no-such-post' })
} catch (error) {
  // Narrowed by what posts.byId declares: `error.data` is `{ id: string }`.
  if (isMizanError(error, alice.posts.byId, 'NOT_FOUND')) console.log('no post with id', error.data.id)
}
