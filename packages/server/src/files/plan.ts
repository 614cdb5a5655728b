import type { ProcedureDef } from '../procedure.js'
import { resolveFileLimits, type ResolvedFileLimits } from './limits.js'
import { fileSlotsOf, type FileSlot } from './slots.js'

/** How a procedure takes files: where its input has them, and the limits of one upload. */
export interface UploadPlan {
  readonly slots: FileSlot
  readonly limits: ResolvedFileLimits
}

/**
 * The upload plan of a procedure whose input schema holds `z.file()`, else `undefined`. Made when
 * the router is served, where a query that would take files, or `files` limits on a procedure
 * that takes none, are refused with a TypeError: both are mistakes, and no request should find them.
 */
export function uploadPlanOf(path: string, def: ProcedureDef): UploadPlan | undefined {
  const input = def.options.input
  const slots = input === undefined ? undefined : fileSlotsOf(input)
  if (slots === undefined) {
    if (def.options.files !== undefined) throw new TypeError(`Mizan: "${path}" declares files limits, but its input schema holds no z.file() (zod 4) to put files in`)
    return undefined
  }
  if (def.kind === 'query') throw new TypeError(`Mizan: "${path}" is a query whose input holds z.file(): files go with mutations`)
  return { slots, limits: resolveFileLimits(def.options.files) }
}
