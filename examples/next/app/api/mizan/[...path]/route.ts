// The Mizan API, served by Next: every request under /api/mizan goes to the server's fetch handler
// (queries by GET, mutations by POST, CORS preflights by OPTIONS).
import { mizan } from '../../../../lib/server'

// @mizan/server needs Node (node:crypto for the session, node:http and ws for its WebSocket).
export const runtime = 'nodejs'

const handle = (request: Request) => mizan.fetchHandler(request)

export { handle as GET, handle as HEAD, handle as POST, handle as OPTIONS }
