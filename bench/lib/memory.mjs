// A process's memory from /proc/<pid>/status: what it holds now (VmRSS) and the most it has held
// (VmHWM, the high-water mark, kept by the kernel at every page fault, so no peak between two
// samples is missed). Off Linux every reading is null, shown as n/a.
import { readFileSync, writeFileSync } from 'node:fs'

/** One field of /proc/<pid>/status (`VmRSS`, `VmHWM`), in bytes; null where there is none. */
export function statusBytes(pid, field) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm'))
    return match === null ? null : Number(match[1]) * 1024
  } catch {
    return null
  }
}

/**
 * Resets the process's high-water mark to what it holds now (writing 5 to /proc/<pid>/clear_refs,
 * Linux 4.0 and later), so a later VmHWM is the peak of what came after, not of its start.
 * Returns whether the kernel took it; where it did not, VmHWM still holds any earlier peak.
 */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
