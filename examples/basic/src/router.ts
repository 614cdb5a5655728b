// The app's API. Each procedure declares what it means: who may call it, which queries a mutation
// affects, which queries are contexts, which realtime channels exist and who may join them. The
// front end acts on those declarations by itself.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { initMizan, MizanError } from '@mizan/server'
import { z } from 'zod'
import type { Db } from './db.js'
import type { Session } from './session.js'

export type User = { id: string; name: string; roles: string[] }
export type Ctx = { user: User | null; db: Db; session: Session }

export const m = initMizan<Ctx>({ roles: (user) => user.roles })

// Signing in or out changes who is asking: the user, and everything shown differently to them.
const sessionAffects = ['currentUser', 'greeting', 'posts'] as const

// An attached image: small, and an image. The `files` limits cut an upload off as soon as it breaks
// them (before it is read whole); the schema's own checks then run on what arrived.
const MAX_IMAGE = 2 * 1024 * 1024
const image = z
  .file()
  .max(MAX_IMAGE, 'An image may be 2 MiB at most')
  .mime(['image/png', 'image/jpeg', 'image/gif', 'image/webp'], 'Attach a PNG, JPEG, GIF or WebP image')

// A post as the API gives it. Its output schema lets a caller ask for some fields only (a shape):
// the list asks for cards, without the body; the detail view for the whole post.
const postOutput = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  author: z.string(),
  createdAt: z.date(),
  image: z.object({ type: z.string(), size: z.number() }).optional(),
})
const card = { id: true, title: true, author: true, createdAt: true, image: true } as const
const full = { ...card, body: true } as const

// Activity lines are best effort: the post is saved either way, so a lost line must not fail the call.
const notPublished = (error: unknown) => console.error('[example] activity not published:', error)

export const appRouter = m.router({
  // Read once per app (and server-rendered); every mutation that affects it refreshes it.
  currentUser: m.query({ context: 'global' }, ({ ctx }) => ctx.user),
  greeting: m.query({ context: 'local', input: z.object({ name: z.string().trim().min(1) }) }, ({ input, ctx }) => ({
    text: `Hello, ${input.name}!`,
    from: ctx.user?.name ?? 'a guest',
  })),
  auth: m.router({
    signIn: m.mutation({ input: z.object({ name: z.enum(['alice', 'sam']) }), affects: sessionAffects }, ({ input, ctx }) => {
      ctx.session.signIn(input.name)
      return { signedIn: input.name }
    }),
    signOut: m.mutation({ affects: sessionAffects }, ({ ctx }) => {
      ctx.session.signOut()
      return { signedOut: true }
    }),
  }),
  posts: m.router({
    // Named shapes only: `{ shape: 'card' }` leaves every body out of the list (the server cuts
    // what the handler returns to the shape, so an unselected field is never sent).
    list: m.query(
      {
        input: z.object({ page: z.number().int().min(1).default(1) }).default({ page: 1 }),
        output: z.object({ items: z.array(postOutput), page: z.number(), pages: z.number() }),
        shapes: { cards: { items: card, page: true, pages: true } },
        shape: 'named',
      },
      ({ input, ctx }) => ctx.db.page(input.page),
    ),
    // A declared error: the client's `isMizanError(e, client.posts.byId, 'NOT_FOUND')` types `e.data`.
    byId: m.query({ input: z.object({ id: z.string() }), output: postOutput, shapes: { full }, errors: { NOT_FOUND: z.object({ id: z.string() }) } }, ({ input, ctx, fail }) => {
      const post = ctx.db.get(input.id)
      if (!post) return fail('NOT_FOUND', { id: input.id }, `No post ${input.id}`)
      return post
    }),
    // The attached image, as its own bytes: an <img> loads it from this URL, and browsers cache it.
    image: m.query({ input: z.object({ id: z.string() }), cache: { ttl: 3600, scope: 'public' } }, ({ input, ctx }) => {
      const stored = ctx.db.image(input.id)
      if (!stored) throw new MizanError('NOT_FOUND', `Post ${input.id} has no image`)
      return new File([stored.bytes], stored.name, { type: stored.type })
    }),
    // A route: an HTTP endpoint of its own shape on the same dispatch as procedures (auth, cache,
    // limits, declared errors). The image as a download: GET /api/mizan/posts/:id/image.
    imageDownload: m.route(
      { method: 'GET', path: '/posts/:id/image', errors: { NOT_FOUND: z.object({ id: z.string() }) } },
      ({ params, ctx, fail }) => {
        const stored = ctx.db.image(params.id)
        if (!stored) return fail('NOT_FOUND', { id: params.id }, `Post ${params.id} has no image`)
        const headers = {
          'content-type': stored.type,
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(stored.name)}`,
          'x-content-type-options': 'nosniff',
        }
        return new Response(stored.bytes, { headers })
      },
    ),
    create: m.mutation(
      {
        auth: true,
        input: z.object({
          title: z.string().trim().min(3, 'At least 3 characters').max(120, 'At most 120 characters'),
          body: z.string().trim().max(2000, 'At most 2,000 characters').default(''),
          // A File in the client's input sends the call as multipart/form-data by itself.
          image: image.optional(),
        }),
        files: { maxFiles: 1, maxFileSize: MAX_IMAGE, types: ['image/*'] },
        affects: ['posts.list'],
      },
      async ({ input, ctx, invalidate, publish }) => {
        // An uploaded file may live in a temporary file removed once the call returns: read it now.
        const image = input.image && { bytes: new Uint8Array(await input.image.arrayBuffer()), type: input.image.type, name: input.image.name }
        const post = ctx.db.create(ctx.user.name, input.title, input.body, image) // ctx.user is non-null: auth narrowed it
        invalidate('posts.byId', { id: post.id })
        await publish('activity', {}, { text: `${ctx.user.name} published “${post.title}”`, at: post.createdAt }).catch(notPublished)
        return post
      },
    ),
    remove: m.mutation({ auth: 'staff', input: z.object({ id: z.string() }), affects: ['posts'] }, async ({ input, ctx, publish }) => {
      const post = ctx.db.get(input.id)
      if (!post) throw new MizanError('NOT_FOUND', `No post ${input.id}`)
      ctx.db.remove(input.id)
      await publish('activity', {}, { text: `${ctx.user.name} deleted “${post.title}”`, at: new Date() }).catch(notPublished)
      return { removed: input.id }
    }),
  }),

  // A form, declared once: the browser gets its fields and JSON Schema from `contact.schema`,
  // validates as the user types with the same rules, asks `contact.validate` for the email check
  // only the server can make, and sends `contact.submit`; the list it affects refreshes.
  contact: m.form({
    title: 'Send us feedback',
    description: 'Tell us what works, and what does not.',
    submitLabel: 'Send feedback',
    input: z.object({
      name: z.string().trim().min(2, 'At least 2 characters').max(80),
      email: z.email('Enter an email address'),
      topic: z.enum(['praise', 'bug', 'idea']),
      message: z.string().trim().min(10, 'At least 10 characters').max(2000, 'At most 2,000 characters'),
      address: z.object({ city: z.string().trim().min(2, 'At least 2 characters').max(80) }),
      screenshot: image.optional(),
    }),
    fields: {
      topic: { options: { praise: 'Praise', bug: 'A bug', idea: 'An idea' } },
      message: { widget: 'textarea', placeholder: 'What happened, what you expected' },
      'address.city': { label: 'Your city' },
      // A server-only rule, run as the user types (debounced) and again on submit.
      email: { check: (email, { ctx }) => (ctx.db.hasFeedbackFrom(email) ? 'This address has sent feedback already: thank you!' : undefined) },
    },
    files: { maxFiles: 1, maxFileSize: MAX_IMAGE, types: ['image/*'] },
    affects: ['feedback.recent'],
    onSubmit: ({ input, ctx }) => {
      const { screenshot, address, ...rest } = input
      const saved = ctx.db.addFeedback({ ...rest, city: address.city, ...(screenshot && { screenshot: { name: screenshot.name, size: screenshot.size } }) })
      return { id: saved.id }
    },
  }),
  feedback: m.router({
    recent: m.query(({ ctx }) => ctx.db.recentFeedback().map(({ email: _private, ...shown }) => shown)),
  }),

  // A webhook: a payment provider posts events to /webhooks/payments (at the root, outside the API's
  // base path), signed with a secret both sides share: HMAC-SHA256 of the exact body, in hex, in
  // `x-signature: sha256=…`. `rawBody` hands over that exact text; no cookie is trusted here.
  webhooks: m.router({
    payments: m.route(
      { method: 'POST', path: '/webhooks/payments', absolute: true, rawBody: true, rateLimit: { max: 120, window: '1m' } },
      async ({ body, request, publish }) => {
        if (!validSignature(body, request.headers.get('x-signature'))) throw new MizanError('UNAUTHORIZED', 'The signature does not match the body')
        const event = paymentEvent.safeParse(JSON.parse(body))
        if (!event.success) throw new MizanError('BAD_REQUEST', 'Not a payment event')
        await publish('activity', {}, { text: `A payment of ${event.data.amount} ${event.data.currency} arrived`, at: new Date() }).catch(notPublished)
        return { received: event.data.id }
      },
    ),
  }),

  // Realtime. A socket's context comes from its upgrade request, which carries the sign-in cookie:
  // the same `ctx.user` as the page's HTTP calls.
  chat: m.channel({
    params: z.object({ room: z.string().trim().min(1).max(40) }),
    message: z.object({ text: z.string(), user: z.string(), at: z.date() }),
    // Runs on every (re)subscribe, after `params` has been validated.
    authorize: ({ ctx }) => ctx.user !== null,
    // Computed on the server only: a client names a room, never a group.
    group: ({ params }) => `room:${params.room}`,
    // What a client may send: checked against this schema, then published to the sender's own room.
    receive: {
      message: z.object({ text: z.string().trim().min(1).max(500) }),
      // `ctx.user!`: authorize let only signed-in users join.
      handle: ({ ctx, message, publish }) => publish({ text: message.text, user: ctx.user!.name, at: new Date() }),
    },
  }),
  // What happens to the posts, for everyone, signed in or not. Every page subscribes, which keeps
  // its socket open: the server pushes mutations' invalidations over it (a post created in one tab
  // refreshes the list in the others). After a gap (a reconnect) the client refetches what the
  // channel `affects`, since pushes may have been missed meanwhile.
  activity: m.channel({
    params: z.object({}),
    message: z.object({ text: z.string(), at: z.date() }),
    affects: ['posts.list'],
  }),
})

export type AppRouter = typeof appRouter

/** The secret payment webhooks are signed with: set WEBHOOK_SECRET in production. */
export const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET ?? 'example-only-webhook-secret'

const paymentEvent = z.object({ id: z.string(), amount: z.number(), currency: z.string().length(3) })

/** True when `header` is `sha256=` and the hex HMAC of `body` under the webhook secret (compared in constant time). */
function validSignature(body: string, header: string | null): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`)
  const given = Buffer.from(header ?? '')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
