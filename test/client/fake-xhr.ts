/**
 * A stand-in for the browser's XMLHttpRequest, driven by the test: what the client opened, set and
 * sent is kept; `progress()` fires an upload progress event, `respond()` the load, `fail()` an error.
 * Install it with `vi.stubGlobal('XMLHttpRequest', FakeXhr)`.
 */
export class FakeXhr {
  static made: FakeXhr[] = []
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown
  sent = false
  aborted = false
  responseType = ''
  status = 0
  statusText = ''
  response: unknown = null
  private responseHeaders = ''
  readonly upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  ontimeout: (() => void) | null = null
  onabort: (() => void) | null = null

  constructor() {
    FakeXhr.made.push(this)
  }

  open(method: string, url: string): void {
    this.method = method
    this.url = url
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value
  }

  send(body: unknown): void {
    this.body = body
    this.sent = true
  }

  abort(): void {
    this.aborted = true
    this.onabort?.()
  }

  getAllResponseHeaders(): string {
    return this.responseHeaders
  }

  progress(loaded: number, total: number, lengthComputable = true): void {
    this.upload.onprogress?.({ lengthComputable, loaded, total })
  }

  /** Answers: `body` becomes the Blob an XHR with `responseType = 'blob'` holds. */
  respond(status: number, body: BlobPart, headers: Record<string, string> = {}, BlobClass: typeof Blob = Blob): void {
    this.status = status
    this.statusText = status === 200 ? 'OK' : ''
    this.response = new BlobClass([body], { type: headers['content-type'] ?? '' })
    this.responseHeaders = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')
    this.onload?.()
  }

  fail(): void {
    this.onerror?.()
  }
}
