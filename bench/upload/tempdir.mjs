// Each upload server gets a fresh, empty temporary directory of its own (TMPDIR, which
// os.tmpdir() reads), so the benchmark can see the file spool there during the upload and check
// that the server deleted it afterwards: a server that kept the file in memory, or left it
// behind, would be measured doing something else than the benchmark says.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A new empty directory under the system's temporary directory. */
export function freshTempDir() {
  return mkdtempSync(path.join(os.tmpdir(), 'mizan-bench-upload-'))
}

/** The files under `dir` (sub-directories included) and their sizes in bytes. */
export function filesIn(dir) {
  const files = []
  for (const name of readdirSync(dir, { recursive: true })) {
    try {
      const stat = statSync(path.join(dir, name))
      if (stat.isFile()) files.push({ name, size: stat.size })
    } catch {
      // Deleted between the listing and the stat: it is gone, which is what counts.
    }
  }
  return files
}

/** Waits until no file is left under `dir`, up to `ms`; resolves with those still there. */
export async function waitEmpty(dir, ms) {
  const deadline = performance.now() + ms
  for (;;) {
    const left = filesIn(dir)
    if (left.length === 0 || performance.now() > deadline) return left
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true })
}
