// The example's realtime with WebSockets turned off, in real Chromium: every WebSocket the page
// opens fails before it opens (as behind a proxy that drops upgrades), so the client falls back to
// Server-Sent Events by itself. The chat between two signed-in browsers, and a post written in one
// appearing in the other's list (an invalidation pushed over the event stream), work the same.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPlan, launchChromium, watchPage } from './chromium.js'
import { cookieFor, signIn, startExample, type ExampleServer } from './example-server.js'

const plan = chromiumPlan()
if (plan.error !== undefined) {
  it('finds Chromium', () => {
    throw new Error(plan.error)
  })
}

describe.skipIf(!plan.run)('the example app in Chromium with WebSockets refused', () => {
  let server: ExampleServer
  let browser: Browser
  const pageErrors: string[] = []

  beforeAll(async () => {
    const starting = [startExample().then((started) => void (server = started)), launchChromium().then((launched) => void (browser = launched))]
    await Promise.allSettled(starting)
    await Promise.all(starting)
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  /** A signed-in page whose WebSockets all fail to open; `sockets` lists the ones it tried. */
  async function openPage(name: 'alice' | 'sam'): Promise<{ page: Page; sockets: string[]; calls: string[] }> {
    const context = await browser.newContext()
    await context.addCookies([cookieFor(server, await signIn(server, name))])
    // Every socket is sent to a port nothing listens on: it closes before it ever opens.
    await context.addInitScript(() => {
      const Native = window.WebSocket
      window.WebSocket = class extends Native {
        constructor(_url: string | URL, protocols?: string | string[]) {
          super('ws://127.0.0.1:1/', protocols)
        }
      }
    })
    const page = await context.newPage()
    const sockets: string[] = []
    page.on('websocket', (socket) => sockets.push(socket.url()))
    const calls = watchPage(page, pageErrors)
    await page.goto(server.url)
    return { page, sockets, calls }
  }

  const chatOf = (target: Page) => target.getByRole('list', { name: 'Chat messages' })
  const chatInput = (target: Page) => target.getByRole('textbox', { name: 'Chat message' })
  const live = (target: Page) => target.getByRole('status').filter({ hasText: 'Live' }).waitFor()

  it('chats and pushes over Server-Sent Events when no WebSocket can open', async () => {
    const [sam, alice] = await Promise.all([openPage('sam'), openPage('alice')])
    await Promise.all([live(sam.page), live(alice.page)])
    // Each page tried the socket, and then held its realtime on the event stream.
    for (const each of [sam, alice]) {
      expect(each.sockets.length).toBeGreaterThan(0)
      expect(each.sockets.every((url) => url === 'ws://127.0.0.1:1/')).toBe(true)
      expect(each.calls).toContain('_events')
    }

    const hello = `Hi over SSE ${Date.now()}`
    await chatInput(sam.page).fill(hello)
    await sam.page.getByRole('button', { name: 'Send', exact: true }).click()
    const received = chatOf(alice.page).getByRole('listitem').filter({ hasText: hello })
    await received.waitFor()
    expect(await received.locator('strong').textContent()).toBe('Sam')

    const reply = `Alice answers over SSE ${Date.now()}`
    await chatInput(alice.page).fill(reply)
    await chatInput(alice.page).press('Enter')
    await chatOf(sam.page).getByRole('listitem').filter({ hasText: reply }).filter({ hasText: 'Alice' }).waitFor()

    // A post Sam writes reaches Alice's list with no reload: an invalidation pushed on her stream.
    alice.calls.length = 0
    const title = `Pushed over SSE ${Date.now()}`
    await sam.page.getByLabel('Post title').fill(title)
    await sam.page.getByRole('button', { name: 'Publish' }).click()
    await alice.page.getByRole('list', { name: 'Posts' }).getByText(title).waitFor()
    expect(alice.calls.some((call) => call.includes('posts.list'))).toBe(true)
    // The refused sockets are the only errors the pages logged.
    expect(pageErrors.filter((error) => !error.startsWith("WebSocket connection to 'ws://127.0.0.1:1/' failed"))).toEqual([])
  })
})
