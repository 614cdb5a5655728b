/**
 * A rate-limit window: milliseconds as a number, or a count and a unit (`'500ms'`, `'10s'`, `'1m'`,
 * `'1h'`, `'1d'`).
 */
export type RateLimitWindow = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

// Digits only: `${number}` also admits forms such as '1e3' or ' 1', which read badly as windows.
const WINDOW_TEXT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/

/**
 * The window in whole milliseconds, or a `TypeError` naming what is wrong: a limit that cannot be
 * read must stop the app at startup, never count wrongly at run time.
 */
export function parseWindow(window: unknown): number {
  let ms: number
  if (typeof window === 'number') ms = window
  else if (typeof window === 'string') {
    const match = WINDOW_TEXT.exec(window)
    if (match === null) throw new TypeError(`Mizan: rate limit window "${window}" is not a number of milliseconds or a count with ms, s, m, h or d ('10s', '1m')`)
    ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
  } else throw new TypeError('Mizan: a rate limit window is milliseconds (a number) or a string such as "1m"')
  if (!Number.isFinite(ms) || ms < 1 || !Number.isInteger(ms)) {
    throw new TypeError(`Mizan: rate limit window ${String(window)} must be a whole number of milliseconds, at least 1`)
  }
  return ms
}
