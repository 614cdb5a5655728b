// The console's summary table and the number formats its cells (and the per-round lines) use.
// Plain aligned text rather than console.table: it reads in a terminal and pastes into an issue.

/**
 * Prints `header` and `lines` (cells already formatted as strings) as columns two spaces apart,
 * after a blank line. Columns in `left` are text, padded on the right; the others are numbers,
 * right-aligned so that digits line up. `groups`, one key per line, puts a blank line wherever
 * the key changes (a new measure, a new payload).
 * @param {string[]} header
 * @param {string[][]} lines
 * @param {{ left?: number[], groups?: unknown[] }} [options]
 */
export function printTable(header, lines, { left = [0], groups } = {}) {
  const leftAligned = new Set(left)
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)))
  const format = (cells) => cells.map((cell, i) => (leftAligned.has(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd()
  console.log()
  console.log(format(header))
  console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  for (const [i, line] of lines.entries()) {
    if (groups !== undefined && i > 0 && groups[i] !== groups[i - 1]) console.log()
    console.log(format(line))
  }
}

/** A share of one core as a percentage; n/a where it could not be read. */
export function fmtPercent(share) {
  return share === null || share === undefined ? 'n/a' : `${Math.round(share * 100)} %`
}

export function fmtInt(value) {
  return Math.round(value).toLocaleString('en-US')
}

/** Milliseconds, two decimals below 10 ms (where they still mean something), one above. */
export function fmtMs(ms) {
  return ms === null || ms === undefined ? 'n/a' : ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`
}

export function fmtBytes(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`
}
