// The example app (examples/basic) end to end, in real Chromium: server-rendered global context,
// cookie sign-in, a mutation whose `affects` refreshes the list with no reload, a local context,
// staff-only deletes, and realtime between browsers: a chat room, and a post written in one
// browser appearing in the others' lists (invalidations pushed over the WebSocket).
import { createHmac } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPlan, launchChromium, watchPage } from './chromium.js'
import { cookieFor, mutate as mutateExample, signIn as signInExample, startExample, type ExampleServer } from './example-server.js'

const plan = chromiumPlan()
if (plan.error !== undefined) {
  it('finds Chromium', () => {
    throw new Error(plan.error)
  })
}

describe.skipIf(!plan.run)('the example app in Chromium', () => {
  let server: ExampleServer
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []
  const apiCalls: string[] = []

  /** Collects a page's errors into pageErrors and the API calls it makes into `calls`. */
  const watch = (target: Page, calls: string[] = []): string[] => watchPage(target, pageErrors, calls)

  beforeAll(async () => {
    // Both at once, but each kept as soon as it is up, so afterAll stops whichever started.
    const starting = [startExample().then((started) => void (server = started)), launchChromium().then((launched) => void (browser = launched))]
    await Promise.allSettled(starting)
    await Promise.all(starting)
    page = await browser.newPage()
    watch(page, apiCalls)
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  const postsOf = (target: Page) => target.getByRole('list', { name: 'Posts' })
  const posts = () => postsOf(page)
  const chatOf = (target: Page) => target.getByRole('list', { name: 'Chat messages' })
  const chatInput = (target: Page) => target.getByRole('textbox', { name: 'Chat message' })
  /** Resolves once the page's chat panel has joined its channel: its socket is open and subscribed. */
  const live = (target: Page) => target.getByRole('status').filter({ hasText: 'Live' }).waitFor()

  const mutate = (path: string, input: unknown, cookie?: string) => mutateExample(server, path, input, cookie)
  const signIn = (name: 'alice' | 'sam') => signInExample(server, name)

  it('puts the signed-in user and the query cache in the first HTML', async () => {
    const alice = await signIn('alice')
    // A title that would end the state's <script> early if the page did not escape it.
    const sneaky = '</script><script>window.pwned = 1</script>'
    const created = await mutate('posts.create', { title: sneaky }, alice)
    expect(created.status).toBe(200)

    const html = await (await fetch(server.url, { headers: { cookie: alice } })).text()
    expect(html).toContain('Signed in as <strong>Alice</strong>')
    expect(html).toContain('Hello, Mizan') // posts.list page 1 was prefetched too
    expect(html).toMatch(/<script>window\.__MIZAN_STATE__ = "[^<]*"<\/script>/)
    expect(html).not.toContain(sneaky)
    expect((await (await fetch(server.url)).text())).toContain('Not signed in')

    // The first paint, before any script: the header already names the user.
    const context = await browser.newContext({ javaScriptEnabled: false })
    await context.addCookies([cookieFor(server, alice)])
    const noScript = await context.newPage()
    await noScript.goto(server.url)
    expect(await noScript.locator('.who').textContent()).toBe('Signed in as Alice')
    await context.close()

    // With scripts, the title is shown as text and never runs.
    await page.goto(server.url)
    await posts().getByText(sneaky).waitFor()
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined()

    // A delete made elsewhere (here, a script) reaches the open page over its socket, signed out too.
    await live(page)
    const { id } = ((await created.json()) as { data: { id: string } }).data
    expect((await mutate('posts.remove', { id }, await signIn('sam'))).status).toBe(200)
    await posts().getByText(sneaky).waitFor({ state: 'detached' })
  })

  it('hydrates without refetching, signs in, and publishes a post that appears with no reload', async () => {
    apiCalls.length = 0
    await page.goto(server.url)
    await page.getByRole('button', { name: 'Sign in as Alice' }).waitFor() // React has rendered
    await page.evaluate(() => ((window as { marker?: string }).marker = 'same document'))
    await posts().getByText('Hello, Mizan').waitFor()
    // The server sent both: nothing is fetched again on first render.
    expect(apiCalls.filter((call) => /currentUser|posts\.list/.test(call))).toEqual([])

    await page.getByRole('button', { name: 'Sign in as Alice' }).click()
    await page.getByText('Signed in as Alice').waitFor()

    // Server-side validation, shown on the field.
    await page.getByLabel('Post title').fill('x')
    await page.getByRole('button', { name: 'Publish' }).click()
    await page.getByText('At least 3 characters').waitFor()

    const title = `Written in Chromium ${Date.now()}`
    await page.getByLabel('Post title').fill(title)
    await page.getByRole('button', { name: 'Publish' }).click()
    await posts().getByText(title).waitFor()
    expect(await page.getByLabel('Post title').inputValue()).toBe('')
    expect(await page.evaluate(() => (window as { marker?: string }).marker)).toBe('same document')
  })

  it('lists posts as cards (no bodies) and fetches the whole of a post when it is opened', async () => {
    const body = 'Publish a post and the list refreshes'
    // The list is server-rendered as cards: the state in the page holds no post's text.
    const html = await (await fetch(server.url)).text()
    expect(html).toContain('Mutations declare what they affect')
    expect(html).not.toContain(body)

    apiCalls.length = 0
    const opened = page.waitForResponse((response) => response.url().includes('posts.byId'))
    await page.getByRole('button', { name: 'Mutations declare what they affect' }).click()
    const answer = await opened
    // The detail view asks for the `full` shape by name, and gets the text.
    expect(decodeURIComponent(new URL(answer.url()).search)).toContain('shape="full"')
    await page.getByRole('region', { name: 'Post' }).getByText(body, { exact: false }).waitFor()
    expect(await page.getByRole('button', { name: 'Mutations declare what they affect' }).getAttribute('aria-expanded')).toBe('true')

    // A post written with a text: the list refreshes as cards, and opening it fetches the text.
    const title = `With a text ${Date.now()}`
    await page.getByLabel('Post title').fill(title)
    await page.getByLabel('Post text').fill('The text of a post written in Chromium.')
    const listed = page.waitForResponse((response) => response.url().includes('posts.list'))
    await page.getByRole('button', { name: 'Publish' }).click()
    const list = (await (await listed).json()) as unknown
    expect(JSON.stringify(list)).toContain(title)
    expect(JSON.stringify(list)).not.toContain('The text of a post written in Chromium.')
    await page.getByRole('button', { name: title }).click()
    await page.getByText('The text of a post written in Chromium.').waitFor()
  })

  it('renders the greeting local context, refreshed by sign-in and by its input', async () => {
    const greeting = page.getByTestId('greeting')
    await greeting.filter({ hasText: 'Hello, world!' }).filter({ hasText: 'asked by Alice' }).waitFor()
    await page.getByLabel('Your name').fill('Ada')
    await greeting.filter({ hasText: 'Hello, Ada!' }).waitFor()
  })

  it('lets staff delete a post, and the list follows', async () => {
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0) // Alice is not staff
    await page.getByRole('button', { name: 'Switch to Sam (staff)' }).click()
    await page.getByText('Signed in as Sam').waitFor()
    const doomed = posts().getByText('Hello, Mizan')
    await page.getByRole('button', { name: 'Delete “Hello, Mizan”' }).click()
    await doomed.waitFor({ state: 'detached' })
    expect(await page.evaluate(() => (window as { marker?: string }).marker)).toBe('same document')
  })

  // Two more browsers (each its own cookie jar): Alice, signed in by cookie, and a signed-out guest.
  // `page` is Sam, signed in through the header's buttons: its socket was reopened for each user.
  let alice: { page: Page; calls: string[] }
  let guest: { page: Page; calls: string[] }

  /** A page in a fresh browser context, signed in with `cookie` when given. */
  async function openPage(cookie?: string): Promise<{ page: Page; calls: string[] }> {
    const context: BrowserContext = await browser.newContext()
    if (cookie !== undefined) await context.addCookies([cookieFor(server, cookie)])
    const opened = await context.newPage()
    const calls = watch(opened)
    await opened.goto(server.url)
    return { page: opened, calls }
  }

  it('carries chat messages between two signed-in browsers, each under its own name', async () => {
    ;[alice, guest] = await Promise.all([signIn('alice').then(openPage), openPage()]) // the guest is for the next test
    await alice.page.getByText('Signed in as Alice').waitFor()
    await Promise.all([live(page), live(alice.page)])

    const hello = `Hi from Sam ${Date.now()}`
    await chatInput(page).fill(hello)
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    const received = chatOf(alice.page).getByRole('listitem').filter({ hasText: hello })
    await received.waitFor()
    expect(await received.locator('strong').textContent()).toBe('Sam') // the name comes from Sam's socket, not from the message
    await chatOf(page).getByText(hello).waitFor() // the sender's room hears it too
    expect(await chatInput(page).inputValue()).toBe('')

    const reply = `Hello Sam, Alice here ${Date.now()}`
    await chatInput(alice.page).fill(reply)
    await chatInput(alice.page).press('Enter')
    await chatOf(page).getByRole('listitem').filter({ hasText: reply }).filter({ hasText: 'Alice' }).waitFor()
  })

  it('shows a post written in one browser in the others’ lists, signed in or not, with no reload', async () => {
    await guest.page.getByText('Sign in to chat.').waitFor() // no chat subscription while signed out…
    await live(guest.page) // …but the activity one keeps its socket open
    for (const other of [alice, guest]) {
      other.calls.length = 0
      await other.page.evaluate(() => ((window as { marker?: string }).marker = 'same document'))
    }

    const title = `Live from Sam’s tab ${Date.now()}`
    await page.getByLabel('Post title').fill(title)
    await page.getByRole('button', { name: 'Publish' }).click()
    await Promise.all([postsOf(alice.page).getByText(title).waitFor(), postsOf(guest.page).getByText(title).waitFor()])
    await chatOf(guest.page).getByText(`Sam published “${title}”`).waitFor() // the activity channel

    for (const other of [alice, guest]) {
      expect(other.calls.filter((call) => call.includes('posts.create'))).toEqual([]) // it only refetched
      expect(other.calls.some((call) => call.includes('posts.list'))).toBe(true)
      expect(await other.page.evaluate(() => (window as { marker?: string }).marker)).toBe('same document')
    }
    // Alice's page shows why it refetched: an invalidation pushed by the server.
    await alice.page.getByText('pushed: changed elsewhere').first().waitFor()

    if (process.env.MIZAN_E2E_SCREENSHOT) await alice.page.screenshot({ path: process.env.MIZAN_E2E_SCREENSHOT, fullPage: true })
    expect(pageErrors).toEqual([])
  })

  it('uploads an attached image with a progress bar, shows it in the other browser after the push, and refuses one too large', async () => {
    const png = pngBytes(400 * 1024) // a valid PNG, padded: large enough for several progress events
    // Chromium's own network throttling (DevTools protocol) makes the upload take about a second.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 400 * 1024 })
    // Every value the progress bar takes, recorded in the page as it changes.
    await page.evaluate(() => {
      const seen: string[] = ((window as { progressSeen?: string[] }).progressSeen = [])
      new MutationObserver(() => {
        const bar = document.querySelector('progress')
        if (bar !== null) seen.push(`${bar.value}/${bar.max}`)
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'max'] })
    })

    alice.calls.length = 0
    const title = `With a picture ${Date.now()}`
    await page.getByLabel('Post title').fill(title)
    await page.getByLabel('Attach an image').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png })
    await page.getByRole('button', { name: 'Publish' }).click()
    await page.getByRole('progressbar', { name: 'Upload progress' }).waitFor()
    await posts().getByText(title).waitFor()
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })

    const seen = await page.evaluate(() => (window as { progressSeen?: string[] }).progressSeen ?? [])
    const fractions = seen.map((entry) => entry.split('/').map(Number)).map(([value, max]) => value! / max!)
    expect(fractions.some((fraction) => fraction > 0 && fraction < 1), `progress values: ${seen.join(', ')}`).toBe(true)
    expect(Math.max(...fractions)).toBe(1)

    // The image, served by `posts.image` with its type, shows in both lists: Alice's refetched on the push.
    const altText = `Image of “${title}”`
    for (const target of [page, alice.page]) {
      const img = postsOf(target).getByRole('img', { name: altText })
      await img.waitFor()
      await expect.poll(() => img.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth)).toBe(1)
    }
    expect(alice.calls.filter((call) => call.includes('posts.create'))).toEqual([])

    // Over the limit: cut off by the server, with a clear message, and nothing published.
    const tooLarge = pngBytes(3 * 1024 * 1024)
    await page.getByLabel('Post title').fill(`Too large ${Date.now()}`)
    await page.getByLabel('Attach an image').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: tooLarge })
    await page.getByRole('button', { name: 'Publish' }).click()
    await page.getByRole('alert').filter({ hasText: /is too large: a file may be 2 MiB at most/ }).waitFor()
    expect(await posts().getByText(/^Too large/).count()).toBe(0)
    expect(pageErrors).toEqual([])
  })

  it('checks the feedback form in the browser before any request, shows the server’s check on the field, and refreshes the list it affects', async () => {
    const visitor = await browser.newPage()
    const calls = watch(visitor)
    await visitor.goto(server.url)
    const form = visitor.locator('form.mizan-form')
    await form.getByRole('button', { name: 'Send feedback' }).waitFor()

    // The browser's own check, from the schema the server sent: no request at all.
    const email = form.getByLabel('Email')
    await email.fill('not-an-email')
    await email.blur()
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await email.getAttribute('aria-describedby')) ?? ''
    // The server's own wording, carried in the form's schema: the same message `validate` would give.
    expect(await visitor.locator(`[id="${describedBy.split(' ').at(-1)}"]`).textContent()).toBe('Enter an email address')
    await form.getByLabel('Message').fill('Too short')
    await form.getByLabel('Message').blur()
    await form.getByText('At least 10 characters').waitFor()
    expect(calls.filter((call) => call.startsWith('contact.validate') || call.startsWith('contact.submit'))).toEqual([])

    // A valid address the server knows: its check's message lands on the field.
    await email.fill('grace@example.com')
    await email.blur()
    await form.getByText('This address has sent feedback already: thank you!').waitFor()
    expect(calls.some((call) => call.startsWith('contact.validate'))).toBe(true)
    expect(calls.filter((call) => call.startsWith('contact.submit'))).toEqual([])

    // Fixed, filled (a nested field, an enum, an optional file) and sent: the list it affects refreshes.
    const message = `The form checked itself ${Date.now()}`
    await email.fill(`ada-${Date.now()}@example.com`)
    await form.getByLabel('Name').fill('Ada')
    await form.getByLabel('Topic').selectOption({ label: 'An idea' })
    await form.getByLabel('Message').fill(message)
    await form.getByLabel('Your city').fill('London')
    await form.getByLabel('Screenshot').setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: pngBytes(1024) })
    await form.getByRole('button', { name: 'Send feedback' }).click()
    const entry = visitor.getByRole('list', { name: 'Recent feedback' }).getByRole('listitem').filter({ hasText: message })
    await entry.waitFor()
    expect(await entry.textContent()).toMatch(/Ada from London · idea · .* with screen\.png/)
    expect(calls.filter((call) => call.startsWith('contact.submit'))).toHaveLength(1)
    expect(calls.some((call) => call.includes('feedback.recent'))).toBe(true)
    await visitor.close()
    expect(pageErrors).toEqual([])
  })

  it('serves a post’s image as a download through a route, and takes only correctly signed webhooks', async () => {
    // The post with an image made by the upload test: its download link is the route's URL.
    const link = posts().getByRole('link', { name: 'download image' }).first()
    const href = await link.getAttribute('href')
    const download = await fetch(new URL(href!, server.url))
    expect([download.status, download.headers.get('content-type'), download.headers.get('content-disposition')]).toEqual([200, 'image/png', "attachment; filename*=UTF-8''photo.png"])
    const missing = await fetch(new URL('api/mizan/posts/nope/image', server.url))
    expect([missing.status, (await missing.json()).error]).toEqual([404, { code: 'NOT_FOUND', status: 404, message: 'Post nope has no image', data: { id: 'nope' } }])

    const event = JSON.stringify({ id: 'evt_1', amount: 42, currency: 'EUR' })
    const sign = (body: string) => `sha256=${createHmac('sha256', 'example-only-webhook-secret').update(body).digest('hex')}`
    const deliver = (body: string, signature: string) =>
      fetch(new URL('webhooks/payments', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signature }, body })
    const forged = await deliver(event.replace('42', '4200'), sign(event))
    expect(forged.status).toBe(401)
    const accepted = await deliver(event, sign(event))
    expect([accepted.status, await accepted.json()]).toEqual([200, { data: { received: 'evt_1' } }])
    // Every page hears of it on the activity channel.
    await chatOf(page).getByText('A payment of 42 EUR arrived').waitFor()
  })

  it('wraps a 120-character title without spaces instead of pushing the page sideways, wide or narrow', async () => {
    const long = 'W'.repeat(120)
    expect((await mutate('posts.create', { title: long }, await signIn('alice'))).status).toBe(200)
    const reader = await browser.newPage()
    watch(reader)
    for (const width of [1280, 375]) {
      await reader.setViewportSize({ width, height: 800 })
      await reader.goto(server.url)
      await postsOf(reader).getByText(long).waitFor()
      const overflow = await reader.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow, `horizontal overflow at ${width}px`).toBe(0)
    }
    await reader.close()
  })

  it('answers an unknown page with a 404 page that leads back, and scripts with plain text', async () => {
    const lost = await browser.newPage()
    const response = await lost.goto(new URL('no/such/page', server.url).href)
    expect(response?.status()).toBe(404)
    await lost.getByRole('heading', { name: 'Page not found' }).waitFor()
    await lost.getByRole('link', { name: 'Back to the posts' }).click()
    await postsOf(lost).waitFor()
    await lost.close()
    const script = await fetch(new URL('no/such/page', server.url))
    expect([script.status, await script.text()]).toEqual([404, 'Not found'])
  })

  it('shows what the server declares at /manifest, linked from the page', async () => {
    const reader = await browser.newPage()
    watch(reader)
    await reader.goto(server.url)
    await reader.getByRole('link', { name: 'the manifest' }).click()
    await reader.getByRole('heading', { name: 'What this server declares' }).waitFor()
    const create = reader.getByRole('row').filter({ hasText: 'posts.create' })
    await expect(create.textContent()).resolves.toMatch(/mutation.*signed-in users.*posts\.list/)
    expect(await reader.getByRole('link', { name: '/api/mizan/_manifest' }).getAttribute('href')).toBe('/api/mizan/_manifest')
    await reader.close()
    expect(pageErrors).toEqual([])
  })
})

/** A 1×1 PNG followed by `size` bytes of padding (browsers ignore bytes after the IEND chunk). */
function pngBytes(size: number): Buffer {
  const pixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
  return Buffer.concat([pixel, Buffer.alloc(size)])
}
