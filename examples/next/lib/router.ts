// The app's API. Each procedure declares what it means: `currentUser` is app-wide data (a global
// context), signing in affects it, adding a note affects the list. The client components refresh
// from those declarations alone, and other tabs too: the server pushes each invalidation over their
// realtime connection (Server-Sent Events through the route handler).
import { initMizan } from '@mizan/server'
import { z } from 'zod'
import type { NoteStore } from './notes'
import type { Session, User } from './session'

/** What every procedure sees: who is asking, the notes, and the session to sign in and out with. */
export type Ctx = { user: User | null; notes: NoteStore; session: Session }

const m = initMizan<Ctx>()

/** The router; the browser imports only its type. */
export const appRouter = m.router({
  currentUser: m.query({ context: 'global' }, ({ ctx }) => ctx.user),
  auth: m.router({
    signIn: m.mutation(
      { input: z.object({ name: z.string().trim().min(1, 'Enter a name').max(40, 'At most 40 characters') }), affects: ['currentUser'] },
      ({ input, ctx }) => {
        ctx.session.signIn(input.name)
        return { name: input.name }
      },
    ),
    signOut: m.mutation({ affects: ['currentUser'] }, ({ ctx }) => {
      ctx.session.signOut()
      return { signedOut: true }
    }),
  }),
  notes: m.router({
    list: m.query(({ ctx }) => ctx.notes.list()),
    add: m.mutation(
      { auth: true, input: z.object({ text: z.string().trim().min(1, 'Write something').max(200, 'At most 200 characters') }), affects: ['notes.list'] },
      async ({ input, ctx, publish }) => {
        const note = ctx.notes.add(ctx.user.name, input.text) // ctx.user is non-null: `auth` narrowed it
        await publish('activity', {}, { text: `${note.author} added a note`, at: note.createdAt })
        return note
      },
    ),
  }),
  // What happens to the notes, live. Subscribing keeps the tab's realtime connection open, and the
  // server pushes every mutation's invalidations over it: a note added in another tab refreshes the
  // list here. After a gap it cannot make good, the client refetches what the channel `affects`.
  activity: m.channel({
    params: z.object({}),
    message: z.object({ text: z.string(), at: z.date() }),
    affects: ['notes.list'],
  }),
})

/** The router's type: all the client needs from the server. */
export type AppRouter = typeof appRouter
