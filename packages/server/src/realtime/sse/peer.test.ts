import { describe, expect, it } from 'vitest'
import { eventText, SsePeer, type EventSink } from './peer.js'

/** A sink that keeps what it is given; `held` bytes stand for what the client has not read. */
function memorySink() {
  const sink = { text: '', ended: false, held: 0 }
  const api: EventSink = {
    write: (text) => {
      sink.text += text
      return true
    },
    buffered: () => sink.held,
    whenDrained: (drained) => drained(),
    end: () => (sink.ended = true),
  }
  return { sink, api }
}

describe('event framing', () => {
  it('writes a frame as one data event, an id line first when it has one', () => {
    expect(eventText('{"a":1}')).toBe('data: {"a":1}\n\n')
    expect(eventText('{"a":1}', '42-0')).toBe('id: 42-0\ndata: {"a":1}\n\n')
  })

  it('splits text with line breaks into several data lines, so nothing in it starts a field', () => {
    expect(eventText('a\nevent: close\r\nb\rc')).toBe('data: a\ndata: event: close\ndata: b\ndata: c\n\n')
  })

  it('drops an id that holds a line break', () => {
    expect(eventText('x', 'a\nb')).toBe('data: x\n\n')
    expect(eventText('x', 'a\rb')).toBe('data: x\n\n')
  })
})

describe('SsePeer', () => {
  it('keeps what is sent before the sink is attached, then writes it in order', () => {
    const peer = new SsePeer()
    peer.send('1')
    peer.sendWithId('2', '7')
    const { sink, api } = memorySink()
    peer.attach(api)
    peer.send('3')
    expect(sink.text).toBe('data: 1\n\nid: 7\ndata: 2\n\ndata: 3\n\n')
  })

  it('closes with an event: close carrying code and reason, then ends and reports close once', () => {
    const peer = new SsePeer()
    const { sink, api } = memorySink()
    peer.attach(api)
    let closes = 0
    peer.on('close', () => closes++)
    peer.close(1012, 'server restarting')
    peer.close(1000, 'again')
    peer.send('late')
    expect(sink.text).toBe('event: close\ndata: {"code":1012,"reason":"server restarting"}\n\n')
    expect(sink.ended).toBe(true)
    expect(closes).toBe(1)
    expect(peer.readyState).not.toBe(peer.OPEN)
  })

  it('terminates without a close event', () => {
    const peer = new SsePeer()
    const { sink, api } = memorySink()
    peer.attach(api)
    peer.terminate()
    expect(sink.text).toBe('')
    expect(sink.ended).toBe(true)
  })

  it('closed before attach: the close event still goes out once the sink comes', () => {
    const peer = new SsePeer()
    peer.close(1011, 'context failed')
    const { sink, api } = memorySink()
    peer.attach(api)
    expect(sink.text).toContain('"code":1011')
    expect(sink.ended).toBe(true)
  })

  it('answers a heartbeat with a comment and a pong while open; the client going away stops it', () => {
    const peer = new SsePeer()
    const { sink, api } = memorySink()
    peer.attach(api)
    let pongs = 0
    peer.on('pong', () => pongs++)
    peer.ping()
    expect(sink.text).toBe(': ping\n\n')
    expect(pongs).toBe(1)
    peer.gone()
    peer.ping()
    expect(pongs).toBe(1)
  })

  it('reports what the sink holds unread as its buffered amount', () => {
    const peer = new SsePeer()
    const { sink, api } = memorySink()
    peer.attach(api)
    sink.held = 5000
    expect(peer.bufferedAmount).toBe(5000)
  })
})
