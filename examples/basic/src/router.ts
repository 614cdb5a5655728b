// The app's API. Each procedure declares what it means: who may call it, which queries a mutation
// affects, which queries are contexts. The front end acts on those declarations by itself.
import { initMizan, MizanError } from '@mizan/server'
import { z } from 'zod'
import type { Db } from './db.js'
import type { Session } from './session.js'

export type User = { id: string; name: string; roles: string[] }
export type Ctx = { user: User | null; db: Db; session: Session }

export const m = initMizan<Ctx>({ roles: (user) => user.roles })

// Signing in or out changes who is asking: the user, and everything shown differently to them.
const sessionAffects = ['currentUser', 'greeting', 'posts'] as const

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
    list: m.query({ input: z.object({ page: z.number().int().min(1).default(1) }).default({ page: 1 }) }, ({ input, ctx }) => ctx.db.page(input.page)),
    byId: m.query({ input: z.object({ id: z.string() }) }, ({ input, ctx }) => {
      const post = ctx.db.get(input.id)
      if (!post) throw new MizanError('NOT_FOUND', `No post ${input.id}`)
      return post
    }),
    create: m.mutation(
      { auth: true, input: z.object({ title: z.string().trim().min(3, 'At least 3 characters').max(120, 'At most 120 characters') }), affects: ['posts.list'] },
      ({ input, ctx, invalidate }) => {
        const post = ctx.db.create(ctx.user.name, input.title) // ctx.user is non-null: auth narrowed it
        invalidate('posts.byId', { id: post.id })
        return post
      },
    ),
    remove: m.mutation({ auth: 'staff', input: z.object({ id: z.string() }), affects: ['posts'] }, ({ input, ctx }) => {
      if (!ctx.db.remove(input.id)) throw new MizanError('NOT_FOUND', `No post ${input.id}`)
      return { removed: input.id }
    }),
  }),
})

export type AppRouter = typeof appRouter
