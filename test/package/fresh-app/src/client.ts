// Only the router's type crosses from the server.
import { createClient, isMizanError } from '@mizan/client'
import type { AppRouter } from './server.js'

export function makeClient(url: string, signedIn: boolean) {
  return createClient<AppRouter>({ url, headers: signedIn ? { authorization: 'Bearer demo' } : {} })
}
export { isMizanError }
