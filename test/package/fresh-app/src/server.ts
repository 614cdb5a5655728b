// A fresh app's server, as a new user writes it: installed from the packed tarballs, no ioredis,
// no @types/ws. test/package/tarballs.test.ts type-checks this app strictly and runs it.
import { createMizanServer, initMizan } from '@mizan/server'
import { z } from 'zod'

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()
const notes: { id: number; text: string; at: Date }[] = []

export const appRouter = m.router({
  notes: m.router({
    list: m.query(() => notes),
    add: m.mutation({ auth: true, input: z.object({ text: z.string().min(1) }), affects: ['notes.list'] }, ({ input }) => {
      const note = { id: notes.length + 1, text: input.text, at: new Date(0) }
      notes.push(note)
      return note
    }),
  }),
})
export type AppRouter = typeof appRouter

export function startServer() {
  const server = createMizanServer({
    router: appRouter,
    createContext: ({ req }) => ({ user: req.headers.get('authorization') === 'Bearer demo' ? { id: 'u1' } : null }),
  })
  return server
}
