/**
 * A stand-in for the browser's WebSocket, driven by the test: `accept()` opens it, `receive()`
 * hands the client a frame, `drop()` closes it from the server's side. What the client sends is
 * kept in `sent`.
 */
export class FakeSocket {
  static made: FakeSocket[] = []
  readyState = 0
  sent: string[] = []
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: string }) => void) | null = null
  onclose: ((event: { code: number }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.made.push(this)
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: the socket is not open')
    this.sent.push(data)
  }

  close(code = 1000): void {
    if (this.readyState === 3) return
    this.readyState = 3
    this.onclose?.({ code })
  }

  accept(): void {
    this.readyState = 1
    this.onopen?.({})
  }

  receive(text: string): void {
    this.onmessage?.({ data: text })
  }

  drop(code = 1006): void {
    this.close(code)
  }

  /** The frames the client sent, parsed. */
  frames(): { type: string; id: string; path?: string }[] {
    return this.sent.map((text) => JSON.parse(text) as { type: string; id: string; path?: string })
  }

  /** The socket class to hand `createClient({ WebSocket })`. */
  static get Class(): typeof globalThis.WebSocket {
    return FakeSocket as unknown as typeof globalThis.WebSocket
  }
}
