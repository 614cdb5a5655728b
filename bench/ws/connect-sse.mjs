// One fan-out connection over Server-Sent Events, the way Mizan's SSE transport works:
// `GET {url}` opens the event stream, whose first event is the hello frame with a `session`;
// `POST {url}` with `x-mizan-session` and a subscribe frame joins; `subscribed` arrives on the
// stream, then every message as `data: <frame>`. Read with node:http (one socket per stream, as a
// browser holds one), parsed by hand: the load must cost less than what it measures.
import http from 'node:http'

// POSTs share a few kept-alive sockets; each event stream has its own.
const posts = new http.Agent({ keepAlive: true, maxSockets: 16 })

/** Resolves with `{ terminate }` once subscribed; every later frame goes to `received(text)`. */
export function connectSse({ url, invalidations, received, fail, closed }) {
  if (invalidations) throw new Error('the SSE fan-out measures channel messages only')
  return new Promise((resolve, reject) => {
    let state = 'hello'
    let buffer = ''
    const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`GET ${url}: ${response.statusCode}`))
      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        buffer += chunk
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = dataOf(event)
          if (data !== undefined) frame(data)
        }
      })
      response.on('close', () => {
        if (state === 'ready') closed()
        else reject(new Error('stream closed before subscribed'))
      })
    })
    request.on('error', (error) => (state === 'ready' ? fail(error) : reject(error)))
    const handle = { terminate: () => request.destroy() }
    function frame(text) {
      if (state === 'ready') return received(text)
      const parsed = JSON.parse(text)
      if (state === 'hello' && parsed.type === 'hello') {
        state = 'joining'
        return void post(url, parsed.session, { type: 'subscribe', id: 's1', path: 'feed', params: { room: 'bench' } }).catch(reject)
      }
      if (state === 'joining' && parsed.type === 'subscribed' && parsed.id === 's1') {
        state = 'ready'
        return resolve(handle)
      }
      reject(new Error(`unexpected frame while subscribing: ${text}`))
    }
  })
}

/** The data of one event (its `data:` lines joined), or undefined for a comment or a bare id. */
function dataOf(event) {
  let data
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5)
    data = data === undefined ? value : `${data}\n${value}`
  }
  return data
}

function post(url, session, frame) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(frame)
    const request = http.request(url, { method: 'POST', agent: posts, headers: { 'content-type': 'application/x-ndjson', 'x-mizan-session': session, 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume()
      response.on('end', () => (response.statusCode < 300 ? resolve() : reject(new Error(`POST ${url}: ${response.statusCode}`))))
    })
    request.on('error', reject)
    request.end(body)
  })
}
