// The Next.js example (examples/next) built with `next build`, run with `next start`, and driven in
// real Chromium: the Mizan API in a route handler, Server Components prefetching through the
// in-process caller into the first HTML, hydration with no refetch, cookie sign-in, a note
// that appears in the list with no reload because `notes.add` declares `affects: ['notes.list']`,
// and realtime through the route handler: another browser's list follows over Server-Sent Events.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPlan, launchChromium, watchPage } from './chromium.js'
import { buildNext, startNext, type NextServer } from './next-server.js'

const plan = chromiumPlan()
if (plan.error !== undefined) {
  it('finds Chromium', () => {
    throw new Error(plan.error)
  })
}

const WELCOME = 'Welcome: this list was rendered on the server.' // the note a fresh server starts with
const SNEAKY = '</script><script>window.pwned = 1</script>'

describe.skipIf(!plan.run)('the Next.js example in Chromium', () => {
  let server: NextServer
  let browser: Browser
  const pageErrors: string[] = []

  beforeAll(async () => {
    // The build comes first and alone: it uses both cores. Chromium starts beside the server.
    await buildNext(240_000)
    const starting = [startNext(30_000).then((started) => void (server = started)), launchChromium().then((launched) => void (browser = launched))]
    await Promise.allSettled(starting)
    await Promise.all(starting)
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  /** Records a page's errors (React's hydration mismatches are console errors) and its API calls. */
  const watch = (target: Page): string[] => watchPage(target, pageErrors)

  const api = (path: string, init?: RequestInit) => fetch(new URL(`api/mizan/${path}`, server.url), init)
  const mutate = (path: string, input: unknown, cookie?: string) =>
    api(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie && { cookie }) }, body: JSON.stringify({ input }) })
  const notesOf = (target: Page) => target.getByRole('list', { name: 'Notes' })

  it('serves the API from the route handler: queries, a cookie sign-in, auth and bad input', async () => {
    const list = await api('notes.list')
    expect(list.status).toBe(200)
    expect(JSON.stringify(await list.json())).toContain(WELCOME)
    expect((await api('_manifest')).status).toBe(200)

    expect((await mutate('notes.add', { text: 'anonymous' })).status).toBe(401) // `auth: true`
    expect((await mutate('notes.add', { text: 42 })).status).toBe(401) // auth runs before validation
    expect((await api('notes.add', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).status).toBe(400)

    const signIn = await mutate('auth.signIn', { name: 'Script' })
    expect(signIn.status).toBe(200)
    expect(signIn.headers.get('x-mizan-invalidate')).toContain('currentUser')
    const setCookie = signIn.headers.getSetCookie()[0]!
    expect(setCookie).toMatch(/HttpOnly/)
    const cookie = setCookie.split(';')[0]!
    expect((await mutate('notes.add', { text: '' }, cookie)).status).toBe(400)
    expect((await mutate('notes.add', { text: 'x' }, `${cookie}tampered`)).status).toBe(401) // the signature is checked
  })

  it('puts the notes and the signed-in user in the first HTML, as markup', async () => {
    const html = await (await fetch(server.url)).text()
    expect(html).toContain(`<p>${WELCOME}</p>`) // rendered, not only carried in the payload
    expect(html).toContain('Not signed in.')

    const cookie = (await mutate('auth.signIn', { name: 'Grace' })).headers.getSetCookie()[0]!.split(';')[0]!
    const signedIn = await (await fetch(server.url, { headers: { cookie } })).text()
    expect(signedIn).toContain('Signed in as <strong>Grace</strong>')

    // The same before any script runs: what a visitor sees on first paint.
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(server.url)
    expect(await notesOf(page).getByRole('listitem').first().locator('p').textContent()).toBe(WELCOME)
    await context.close()

    // Data in the page is escaped: a note that would end the payload's <script> early stays text.
    expect((await mutate('notes.add', { text: SNEAKY }, cookie)).status).toBe(200)
    expect(await (await fetch(server.url)).text()).not.toContain(SNEAKY)
  })

  let added: string

  it('hydrates with no refetch, signs in, and adds a note the list shows with no reload', async () => {
    const page = await browser.newPage()
    const calls = watch(page)
    await page.goto(server.url)
    await page.locator('button:enabled', { hasText: 'Sign in' }).waitFor() // hydrated: buttons are enabled
    await page.evaluate(() => ((window as { marker?: string }).marker = 'same document'))
    await notesOf(page).getByText(WELCOME).waitFor()
    await notesOf(page).getByText(SNEAKY).waitFor() // shown as text…
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined() // …never run
    expect(procedures(calls)).toEqual([]) // the user and the notes came with the page

    await page.getByLabel('Your name').fill('Ada')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Signed in as Ada').waitFor() // `auth.signIn` affects `currentUser`
    expect(calls.some((call) => call.includes('currentUser'))).toBe(true)

    await page.getByRole('button', { name: 'Add note' }).click()
    await page.getByText('Write something').waitFor() // the server's validation message, on the form

    added = `Written in Chromium ${Date.now()}`
    calls.length = 0
    await page.getByLabel('New note').fill(added)
    await page.getByRole('button', { name: 'Add note' }).click()
    const item = notesOf(page).getByRole('listitem').filter({ hasText: added })
    await item.waitFor()
    expect(await item.locator('small').textContent()).toMatch(/^Ada · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/)
    expect(await notesOf(page).getByRole('listitem').first().locator('p').textContent()).toBe(added) // newest first
    expect(await page.getByLabel('New note').inputValue()).toBe('')
    // The list was refetched because the reply named it: no invalidation code in the app.
    const addAt = calls.findIndex((call) => call.includes('notes.add'))
    expect(addAt).toBeGreaterThanOrEqual(0)
    expect(calls.slice(addAt + 1).some((call) => call.includes('notes.list'))).toBe(true)
    expect(await page.evaluate(() => (window as { marker?: string }).marker)).toBe('same document')
  })

  it('shows the note to another browser, signed out, from its first HTML', async () => {
    expect(await (await fetch(server.url)).text()).toContain(`<p>${added}</p>`)
    const context = await browser.newContext()
    const page = await context.newPage()
    const calls = watch(page)
    await page.goto(server.url)
    await notesOf(page).getByText(added).waitFor()
    await page.getByText('Sign in to add notes.').waitFor()
    await page.locator('button:enabled', { hasText: 'Sign in' }).waitFor()
    expect(procedures(calls)).toEqual([])
    await context.close()
  })

  it('follows a note added elsewhere, live over Server-Sent Events through the route handler', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const sockets: string[] = []
    page.on('websocket', (socket) => sockets.push(socket.url()))
    const calls = watch(page)
    await page.goto(server.url)
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor() // the activity channel joined
    expect(calls).toContain('_events')
    await page.evaluate(() => ((window as { marker?: string }).marker = 'same document'))

    // Another browser (here, a script) adds a note: this page's list follows, with no reload.
    const cookie = (await mutate('auth.signIn', { name: 'Linus' })).headers.getSetCookie()[0]!.split(';')[0]!
    const text = `Added elsewhere ${Date.now()}`
    expect((await mutate('notes.add', { text }, cookie)).status).toBe(200)
    await notesOf(page).getByText(text).waitFor() // an invalidation pushed on the event stream
    await page.getByRole('list', { name: 'Activity' }).getByText('Linus added a note').waitFor() // the channel's message
    expect(calls.some((call) => call.includes('notes.list'))).toBe(true) // it refetched the list
    expect(await page.evaluate(() => (window as { marker?: string }).marker)).toBe('same document')
    expect(sockets).toEqual([]) // no WebSocket was tried: a route handler takes none
    await context.close()
    expect(pageErrors).toEqual([])
  })
})

/** The procedures among a page's API calls: the realtime connection's `_events` requests left out. */
function procedures(calls: string[]): string[] {
  return calls.filter((call) => !call.startsWith('_events'))
}
