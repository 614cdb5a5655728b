import { describe, expect, it } from 'vitest'
import { LineQueue } from './line-queue.js'
import { joinLine, lineOpening } from './lines.js'

describe('LineQueue', () => {
  it('holds a producer until its line was taken, and ends after the last producer', async () => {
    const queue = new LineQueue(2)
    let taken = false
    const pushed = queue.push('a\n').then(() => (taken = true))
    await queue.ready
    expect(taken).toBe(false)
    expect(await queue.next()).toBe('a\n')
    await pushed
    expect(taken).toBe(true)
    queue.finish()
    const waiting = queue.next()
    void queue.push('b\n')
    expect(await waiting).toBe('b\n')
    queue.finish()
    expect(await queue.next()).toBeUndefined()
  })

  it('releases producers and runs the stops on cancel', async () => {
    const queue = new LineQueue(1)
    let stopped = 0
    queue.onCancel(async () => void stopped++)
    const pushed = queue.push('x\n')
    await queue.cancel()
    await pushed
    expect(stopped).toBe(1)
    expect(queue.stopped).toBe(true)
    expect(await queue.next()).toBeUndefined()
  })
})

describe('lines', () => {
  it('join an opening and an object', () => {
    expect(joinLine(lineOpening(), '{"data":1}')).toBe('{"data":1}\n')
    expect(joinLine(lineOpening(3), '{"data":1}')).toBe('{"i":3,"data":1}\n')
    expect(joinLine(lineOpening(0), '{}')).toBe('{"i":0}\n')
  })
})
