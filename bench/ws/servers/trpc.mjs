// tRPC 11 with its WebSocket adapter (`applyWSSHandler` on a `ws` server), no transformer.
// The same `echo` query as the others: zod input { n: number }, returns { n }. RPC only: the
// fan-out compares Mizan with the raw server.
import { initTRPC } from '@trpc/server'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import { WebSocketServer } from 'ws'
import { z } from 'zod'

const t = initTRPC.create()
const router = t.router({
  echo: t.procedure.input(z.object({ n: z.number() })).query(({ input }) => ({ n: input.n })),
})

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
applyWSSHandler({ wss, router })
wss.on('listening', () => console.log(wss.address().port))
