import { initMizan } from '@mizan/server'
import { z } from 'zod'

export type User = { id: string; name: string; roles: string[] }
export type Ctx = { user: User | null; requestId: string }

export const m = initMizan<Ctx>({ roles: (user) => user.roles })

export const appRouter = m.router({
  currentUser: m.query({ context: 'global' }, ({ ctx }) => ctx.user),
  greeting: m.query({ context: 'local', input: z.object({ name: z.string() }) }, ({ input }) => `hi ${input.name}`),
  clock: m.query(() => ({ now: new Date(), big: 1n, tags: new Set(['a']) })),
  posts: m.router({
    list: m.query({ input: z.object({ page: z.number().int().min(1).default(1) }) }, ({ input }) => ({ page: input.page, items: [{ id: '1', title: 't' }] })),
    byId: m.query({ input: z.object({ id: z.string() }), output: z.object({ id: z.string(), title: z.string() }) }, ({ input }) => ({ id: input.id, title: 'x' })),
    create: m.mutation({ auth: true, input: z.object({ title: z.string().min(1) }), affects: ['posts.list'] }, ({ input, ctx }) => ({ id: '2', title: input.title, author: ctx.user.id })),
    remove: m.mutation({ auth: 'staff', input: z.object({ id: z.string() }), affects: ['posts'] }, () => true),
  }),
  chat: m.channel({
    params: z.object({ room: z.string() }),
    message: z.object({ text: z.string(), user: z.string() }),
    authorize: ({ ctx }) => ctx.user !== null,
    group: ({ params }) => `chat:${params.room}`,
    affects: ['posts.list'],
    receive: { message: z.object({ text: z.string() }), handle: async ({ message, publish, ctx }) => publish({ text: message.text, user: ctx.user?.name ?? '' }) },
  }),
  admin: {
    stats: m.query({ auth: (ctx) => ctx.user?.roles.includes('admin') ?? false }, () => ({ users: 1 })),
  },
})
export type AppRouter = typeof appRouter

export const badRouter = m.router({
  list: m.query(() => []),
  add: m.mutation({ affects: ['lsit'] }, () => 1),
})
export type BadRouter = typeof badRouter

// A typo deep inside a nested sub-router, and in a channel's `affects`, is caught at the top.
export const nestedBadRouter = m.router({
  posts: m.router({
    list: m.query(() => []),
    drafts: { edit: m.mutation({ affects: ['posts.lits'] }, () => 1) },
  }),
})
export const channelBadRouter = m.router({
  list: m.query(() => []),
  feed: m.channel({ params: z.object({}), message: z.object({ id: z.string() }), affects: ['lsit'] }),
})
