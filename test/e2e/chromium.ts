// Finds the system Chromium for the browser tests. Never downloads one: on a machine without it the
// suite is skipped with a warning, except in CI, where a missing browser must fail the run.
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const INSTALL = 'Install it with: apt-get install -y chromium (or set CHROMIUM_PATH to a Chromium binary)'

/** Whether the browser tests can run here; in CI a missing browser is an error, not a skip. */
export function chromiumPlan(): { run: boolean; error?: string } {
  if (existsSync(CHROMIUM)) return { run: true }
  if (process.env.CI === 'true') return { run: false, error: `The end-to-end tests need Chromium in CI, and ${CHROMIUM} does not exist. ${INSTALL}` }
  console.warn(`\n⚠️  Browser end-to-end tests SKIPPED: no Chromium at ${CHROMIUM}.\n   ${INSTALL}\n`)
  return { run: false }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * Watches a page: its errors go into `errors` (uncaught exceptions, console errors such as React's
 * hydration mismatches, 5xx answers; Chromium's "Failed to load resource" for an expected 4xx is
 * not one), and the paths under /api/mizan/ it calls into `calls`, which it returns.
 */
export function watchPage(target: Page, errors: string[], calls: string[] = []): string[] {
  target.on('pageerror', (error) => errors.push(error.message))
  target.on('console', (message) => void (message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text())))
  target.on('response', (response) => void (response.status() >= 500 && errors.push(`${response.status()} from ${response.url()}`)))
  target.on('request', (request) => {
    const path = new URL(request.url()).pathname
    if (path.startsWith('/api/mizan/')) calls.push(path.slice('/api/mizan/'.length))
  })
  return calls
}
