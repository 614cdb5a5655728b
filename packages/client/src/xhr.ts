import type { UploadProgress } from './types.js'

/**
 * A `fetch` made of `XMLHttpRequest`, for uploads: fetch cannot report how much of a request body
 * has left, XHR can. It takes what the client passes (method, headers as a record, a `FormData`
 * body, a signal) and answers a standard `Response`, so the reply is read exactly as any other.
 */
export function xhrFetch(onProgress: (progress: UploadProgress) => void): typeof fetch {
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined
      if (signal?.aborted) return reject(signal.reason)
      const xhr = new XMLHttpRequest()
      xhr.open(init.method ?? 'GET', String(url))
      // The body is read as bytes, never as text: a binary answer stays intact.
      xhr.responseType = 'blob'
      for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) xhr.setRequestHeader(name, value)
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) report(onProgress, event.loaded, event.total)
      }
      const onAbort = () => xhr.abort()
      signal?.addEventListener('abort', onAbort, { once: true })
      const finish = (outcome: () => void) => {
        signal?.removeEventListener('abort', onAbort)
        outcome()
      }
      xhr.onload = () =>
        finish(() => {
          try {
            const empty = xhr.status === 204 || xhr.status === 205 || xhr.status === 304
            resolve(new Response(empty ? null : (xhr.response as Blob | null), { status: xhr.status, statusText: xhr.statusText, headers: headersOf(xhr.getAllResponseHeaders()) }))
          } catch (error) {
            // A status `Response` cannot hold (a 1xx, say): no usable answer came back.
            reject(error)
          }
        })
      xhr.onerror = () => finish(() => reject(new TypeError('Network request failed')))
      xhr.ontimeout = () => finish(() => reject(new TypeError('Network request timed out')))
      xhr.onabort = () => finish(() => reject(signal?.reason ?? new DOMException('The upload was aborted', 'AbortError')))
      xhr.send(init.body as XMLHttpRequestBodyInit | null | undefined)
    })
}

/** Parses `getAllResponseHeaders()`; a line that is not a valid header is skipped. */
function headersOf(text: string): Headers {
  const headers = new Headers()
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
    } catch {
      // An invalid name or value from a broken server: that header alone is dropped.
    }
  }
  return headers
}

/** Calls the app's progress callback; one that throws is logged and stops nothing. */
export function report(onProgress: (progress: UploadProgress) => void, loaded: number, total: number): void {
  try {
    onProgress({ loaded, total })
  } catch (error) {
    console.error('[mizan] onUploadProgress threw:', error)
  }
}
