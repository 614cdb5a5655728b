// What the server's page renderer puts on window (see ../../src/page.ts).
interface Window {
  /** The React Query cache, dehydrated on the server for this request. */
  __MIZAN_STATE__?: string
}
