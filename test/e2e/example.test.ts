// The example app (examples/basic) end to end, in real Chromium: server-rendered global context,
// cookie sign-in, a mutation whose `affects` refreshes the list with no reload, a local context,
// and staff-only deletes.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPlan, launchChromium } from './chromium.js'
import { startExample, type ExampleServer } from './example-server.js'

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

  beforeAll(async () => {
    // Both at once, but each kept as soon as it is up, so afterAll stops whichever started.
    const starting = [startExample().then((started) => void (server = started)), launchChromium().then((launched) => void (browser = launched))]
    await Promise.allSettled(starting)
    await Promise.all(starting)
    page = await browser.newPage()
    page.on('pageerror', (error) => pageErrors.push(error.message))
    // Chromium logs every 4xx as a console error; the validation test causes one on purpose.
    page.on('console', (message) => void (message.type() === 'error' && !message.text().startsWith('Failed to load resource') && pageErrors.push(message.text())))
    page.on('response', (response) => void (response.status() >= 500 && pageErrors.push(`${response.status()} from ${response.url()}`)))
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname
      if (path.startsWith('/api/mizan/')) apiCalls.push(path.slice('/api/mizan/'.length))
    })
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  const posts = () => page.getByRole('list', { name: 'Posts' })

  /** Calls a mutation over plain HTTP, as a script would; returns the response. */
  const mutate = (path: string, input: unknown, cookie?: string) =>
    fetch(new URL(`api/mizan/${path}`, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie && { cookie }) },
      body: JSON.stringify({ input }),
    })

  /** Signs in over HTTP; returns the `name=value` of the session cookie. */
  async function signIn(name: 'alice' | 'sam'): Promise<string> {
    const response = await mutate('auth.signIn', { name })
    expect(response.status).toBe(200)
    const setCookie = response.headers.getSetCookie()[0]!
    expect(setCookie).toMatch(/HttpOnly/)
    return setCookie.split(';')[0]!
  }

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
    await context.addCookies([{ name: alice.split('=')[0]!, value: alice.slice(alice.indexOf('=') + 1), url: server.url }])
    const noScript = await context.newPage()
    await noScript.goto(server.url)
    expect(await noScript.locator('.who').textContent()).toBe('Signed in as Alice')
    await context.close()

    // With scripts, the title is shown as text and never runs.
    await page.goto(server.url)
    await posts().getByText(sneaky).waitFor()
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined()
    const { id } = ((await created.json()) as { data: { id: string } }).data
    expect((await mutate('posts.remove', { id }, await signIn('sam'))).status).toBe(200)
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

    if (process.env.MIZAN_E2E_SCREENSHOT) await page.screenshot({ path: process.env.MIZAN_E2E_SCREENSHOT, fullPage: true })
    expect(pageErrors).toEqual([])
  })
})
