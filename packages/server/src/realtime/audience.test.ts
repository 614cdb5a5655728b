import { describe, expect, it } from 'vitest'
import { initMizan } from '../init.js'
import { flattenRouter } from '../router.js'
import { PushAudiences } from './audience.js'

type Ctx = { user: { id: string; roles: string[] } | null; org?: string }

/** The same router as each instance of a deployment builds it: fresh function objects every time. */
function buildRouter(orgRule: (ctx: Ctx) => boolean = (ctx) => ctx.org === 'acme') {
  const m = initMizan<Ctx>({ roles: (user) => user.roles })
  return m.router({
    open: m.query(() => 1),
    signedIn: m.query({ auth: true }, () => 1),
    staff: m.query({ auth: ['staff', 'admin'] }, () => 1),
    staffAgain: m.query({ auth: ['admin', 'staff'] }, () => 1),
    org: m.query({ auth: orgRule }, () => 1),
    mine: m.query({ auth: true, cache: { ttl: 1, scope: 'user' } }, () => 1),
    back: m.router({ a: m.query({ auth: 'staff' }, () => 1), b: m.query({ auth: orgRule }, () => 1) }),
    mixed: m.router({ a: m.query({ auth: true }, () => 1), b: m.query(() => 1) }),
  })
}

const groupsOf = (audiences: PushAudiences, paths: string[]) =>
  paths.map((path) => {
    const target = audiences.target(path)!
    return [path, target.shared?.group, target.own?.id]
  })

const PATHS = ['open', 'signedIn', 'staff', 'staffAgain', 'org', 'mine', 'back', 'mixed']

describe('push audiences', () => {
  it('name the same groups on every instance serving the same router', () => {
    const one = new PushAudiences(flattenRouter(buildRouter()))
    const two = new PushAudiences(flattenRouter(buildRouter()))
    expect(groupsOf(one, PATHS)).toEqual(groupsOf(two, PATHS))
    expect(groupsOf(one, ['open', 'signedIn', 'mine', 'mixed'])).toEqual([
      ['open', 'inv:public', undefined],
      ['signedIn', 'inv:auth:user', undefined],
      ['mine', undefined, 'user'], // the caller's own connections only
      ['mixed', 'inv:public', undefined], // one public procedure under it
    ])
    // One rule, however its roles are listed.
    expect(one.target('staff')!.shared).toBe(one.target('staffAgain')!.shared)
  })

  it('never share a group between two different predicates', () => {
    const one = new PushAudiences(flattenRouter(buildRouter()))
    const other = new PushAudiences(flattenRouter(buildRouter((ctx) => ctx.org === 'globex')))
    expect(one.target('org')!.shared!.group).not.toBe(other.target('org')!.shared!.group)
    expect(one.target('back')!.shared!.rules).toHaveLength(2)
  })

  it('place a connection by running each distinct rule once, a failing rule leaving it out', async () => {
    const audiences = new PushAudiences(flattenRouter(buildRouter()))
    const reported: string[] = []
    const report = (_: unknown, path: string) => reported.push(path)
    const place = async (ctx: unknown) => [...(await audiences.evaluate(ctx, null, report)).classes].sort()
    const back = audiences.target('back')!.shared!.id
    const org = audiences.target('org')!.shared!.id
    const staff = audiences.target('staff')!.shared!.id
    expect(await place({ user: null })).toEqual(['public'])
    expect(await place({ user: { id: 'a', roles: [] }, org: 'acme' })).toEqual([back, org, 'public', 'user'].sort())
    expect(await place({ user: { id: 'r', roles: ['superuser'] } })).toEqual([back, 'public', staff, 'roles:["staff"]', 'user'].sort())
    // A context the predicate cannot read: reported, and the connection is left out.
    expect(await place(null)).toEqual(['public'])
    expect(reported).toEqual(['org'])
  })
})
