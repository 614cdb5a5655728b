import { redisPubSub } from '@mizan/server'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_URL, redisAvailable as probe } from '../support/redis.js'
import { EventReader, framesBody, sseServer } from './sse-app.js'

const available = await probe('event stream Redis')

describe.runIf(available)('event streams across two instances on one Redis', () => {
  const prefix = `mizan-test-${process.pid}-${Date.now()}:`
  const connections: Redis[] = []
  const instance = async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
    connections.push(redis)
    const server = sseServer({ pubsub: redisPubSub({ redis, prefix, onError: () => {} }) })
    const { url } = await server.listen(0, '127.0.0.1')
    return { server, url }
  }
  let owner: Awaited<ReturnType<typeof instance>>
  let other: Awaited<ReturnType<typeof instance>>
  beforeAll(async () => {
    ;[owner, other] = await Promise.all([instance(), instance()])
  })
  afterAll(async () => {
    await Promise.all([owner.server.close(), other.server.close()])
    connections.forEach((redis) => redis.disconnect())
  })

  const post = (url: string, session: string, as: string, body: string) =>
    fetch(`${url}/_events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-mizan-session': session, authorization: `Bearer ${as}` }, body })

  it('forwards frames POSTed to the instance without the session (202) to the one holding it', async () => {
    const controller = new AbortController()
    const reader = new EventReader(await fetch(`${owner.url}/_events`, { headers: { authorization: 'Bearer alice' }, signal: controller.signal }))
    const { session } = await reader.frame('hello')
    const res = await post(other.url, session, 'alice', framesBody({ type: 'subscribe', id: 's', path: 'chat', params: { room: 'far' } }))
    expect(res.status).toBe(202)
    await reader.frame('subscribed', 's')
    await other.server.publish('chat', { room: 'far' }, { text: 'across', user: 'sys' })
    expect((await reader.frame('message', 's')).message.json.text).toBe('across')
    controller.abort()
  })

  it('drops forwarded frames of another principal', async () => {
    const controller = new AbortController()
    const reader = new EventReader(await fetch(`${owner.url}/_events`, { headers: { authorization: 'Bearer alice' }, signal: controller.signal }))
    const { session } = await reader.frame('hello')
    expect((await post(other.url, session, 'mallory', framesBody({ type: 'subscribe', id: 'stolen', path: 'chat', params: { room: 'x' } }))).status).toBe(202)
    // Frames of one publisher arrive in order: once alice's own frame is answered, mallory's was dropped.
    expect((await post(other.url, session, 'alice', framesBody({ type: 'subscribe', id: 'own', path: 'chat', params: { room: 'x' } }))).status).toBe(202)
    await reader.frame('subscribed', 'own')
    expect(reader.events.map((event) => event.data).join()).not.toContain('stolen')
    controller.abort()
  })
})
