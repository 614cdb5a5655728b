// Pages the server renders without React: the 404 page and /manifest, which shows what this server
// declares (the same JSON edges and tools read at /api/mizan/_manifest), as a person would read it.
import type { Manifest, ManifestProcedure } from '@mizan/server'
import { escapeHtml } from './html.js'

/** A small HTML page in the example's look; `body` is already escaped markup. */
function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${escapeHtml(title)} · Mizan example</title>
<link rel="icon" href="data:," />
<style>
  :root { --bg: #f5f6fa; --card: #fff; --text: #1d2230; --muted: #6b7285; --line: #e3e6ee; --accent: #4f46e5;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--text); background: var(--bg); line-height: 1.5; }
  * { box-sizing: border-box; }
  body { margin: 0; overflow-wrap: anywhere; }
  header { padding: 0.9rem max(1.5rem, calc((100% - 1040px) / 2 + 1.5rem)); background: var(--card); border-bottom: 1px solid var(--line); }
  header a { color: var(--text); text-decoration: none; font-size: 1.25rem; font-weight: 700; }
  header a span { color: var(--accent); font-weight: 500; }
  main { max-width: 1040px; margin: 1.5rem auto; padding: 0 1.5rem; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem 1.4rem; margin-bottom: 1.25rem; }
  h1 { font-size: 1.4rem; margin: 0 0 0.5rem; }
  h2 { font-size: 1.05rem; margin: 0 0 0.75rem; }
  p { margin: 0.4rem 0; }
  .muted { color: var(--muted); }
  a { color: var(--accent); }
  code { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.85em; background: #eef0f7; padding: 0.05rem 0.3rem; border-radius: 4px; }
  .table { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
  th, td { text-align: left; padding: 0.45rem 0.6rem; border-top: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 500; border-top: none; white-space: nowrap; }
  td:first-child { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; }
</style>
</head>
<body>
<header><a href="/">Mizan <span>example</span></a></header>
<main>
${body}
</main>
</body>
</html>
`
}

/** The page for a path the example does not serve. */
export function notFoundPage(path: string): string {
  return layout(
    'Page not found',
    `<section class="card">
  <h1>Page not found</h1>
  <p class="muted">Nothing is served at <code>${escapeHtml(path)}</code>.</p>
  <p><a href="/">Back to the posts</a> · <a href="/manifest">What this server declares</a></p>
</section>`,
  )
}

/** The manifest as a page: every procedure with its declarations, then channels. */
export function manifestPage(manifest: Manifest): string {
  const procedures = Object.entries(manifest.procedures)
    .map(([path, p]) => `<tr><td>${escapeHtml(path)}</td><td>${p.kind}</td><td>${escapeHtml(authText(p))}</td><td>${escapeHtml(p.affects.join(', ') || '—')}</td><td>${escapeHtml(extras(p))}</td></tr>`)
    .join('\n')
  const channels = Object.entries(manifest.channels)
    .map(([path, c]) => `<tr><td>${escapeHtml(path)}</td><td>${c.authorized ? 'authorize' : 'anyone'}</td><td>${escapeHtml(c.affects.join(', ') || '—')}</td><td>${c.receives ? 'yes' : 'no'}</td></tr>`)
    .join('\n')
  return layout(
    'Manifest',
    `<section class="card">
  <h1>What this server declares</h1>
  <p class="muted">The router as edges, CDN rules and tools read it, without its source: who may call each procedure, what a mutation
  <code>affects</code>, what may be cached for whom. The same data as JSON: <a href="${escapeHtml(manifest.basePath)}/_manifest"><code>${escapeHtml(manifest.basePath)}/_manifest</code></a>.</p>
  <p class="muted">Version ${manifest.version} · transformer <code>${escapeHtml(manifest.transformer)}</code> · <code>${escapeHtml(manifest.hash)}</code></p>
</section>
<section class="card">
  <h2>Procedures</h2>
  <div class="table"><table>
    <thead><tr><th>path</th><th>kind</th><th>who may call</th><th>affects</th><th>also</th></tr></thead>
    <tbody>
${procedures}
    </tbody>
  </table></div>
</section>
<section class="card">
  <h2>Channels</h2>
  <div class="table"><table>
    <thead><tr><th>path</th><th>who may join</th><th>refetched after a gap</th><th>takes messages</th></tr></thead>
    <tbody>
${channels}
    </tbody>
  </table></div>
</section>`,
  )
}

function authText(p: ManifestProcedure): string {
  switch (p.auth.kind) {
    case 'none':
      return 'anyone'
    case 'user':
      return 'signed-in users'
    case 'roles':
      return `roles: ${p.auth.roles?.join(', ')}`
    case 'predicate':
      return 'a rule in code'
  }
}

/** Context, cache, rate limit and socket declarations, in words. */
function extras(p: ManifestProcedure): string {
  const parts: string[] = []
  if (p.context !== null) parts.push(`${p.context} context`)
  if (p.cacheControl !== null) parts.push(`Cache-Control: ${p.cacheControl}`)
  if (p.rateLimit !== null) parts.push(`at most ${p.rateLimit.max} per ${p.rateLimit.window / 1000} s by ${p.rateLimit.by}`)
  if (p.websocket) parts.push('also over the WebSocket')
  return parts.join(' · ') || '—'
}
