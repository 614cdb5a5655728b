// One fan-out connection over a WebSocket: waits for the hello frame where there is one, sends
// { type: 'subscribe', id: 's1', path: 'feed', params }, and is ready at { type: 'subscribed' }.
// With `invalidations` it hears pushes instead: signed in as its own user (`authorization: Bearer
// u<i>` on the upgrade); a server with a hello (Mizan) pushes from the hello on, the raw server is
// told with a subscribe to path 'inbox'.
import { WebSocket } from 'ws'

/** Resolves with `{ terminate }` once subscribed; every later frame goes to `received(text)`. */
export function connectWs({ url, index, hello, invalidations, received, fail, closed }) {
  return new Promise((resolve, reject) => {
    const headers = invalidations ? { authorization: `Bearer u${index}` } : undefined
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, headers })
    const handle = { terminate: () => ws.terminate() }
    let state = hello ? 'hello' : 'open'
    const join = () => {
      if (invalidations && hello) {
        // Mizan: signed in, so in the audience of `inbox` from the hello on.
        state = 'ready'
        return resolve(handle)
      }
      state = 'joining'
      ws.send(JSON.stringify({ type: 'subscribe', id: 's1', path: invalidations ? 'inbox' : 'feed', params: { room: 'bench' } }))
    }
    ws.once('open', () => state === 'open' && join())
    ws.on('error', (error) => (state === 'ready' ? fail(error) : reject(error)))
    ws.on('close', () => {
      if (state === 'ready') closed()
      else reject(new Error('closed before subscribed'))
    })
    ws.on('message', (data) => {
      if (state === 'ready') return received(String(data))
      const frame = JSON.parse(String(data))
      if (state === 'hello' && frame.type === 'hello') return join()
      if (state === 'joining' && frame.type === 'subscribed' && frame.id === 's1') {
        state = 'ready'
        return resolve(handle)
      }
      reject(new Error(`unexpected frame while subscribing: ${data}`))
    })
  })
}
