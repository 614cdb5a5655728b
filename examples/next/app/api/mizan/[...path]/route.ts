// The Mizan API, served by Next: every request under /api/mizan goes to the server's fetch handler
// (queries by GET, mutations by POST, CORS preflights by OPTIONS), realtime included: a GET of
// /api/mizan/_events is a Server-Sent Events stream, and the client POSTs its frames beside it.
import { mizan } from '../../../../lib/server'

// @mizan/server needs Node (node:crypto for the session and the event stream's session ids).
export const runtime = 'nodejs'
// Every request is answered as it comes: an event stream is never rendered ahead or cached.
export const dynamic = 'force-dynamic'

const handle = (request: Request) => mizan.fetchHandler(request)

export { handle as GET, handle as HEAD, handle as POST, handle as OPTIONS }
