// The browser's schema of a file field, rebuilt from the field's `accept` and `maxSize`: loaded
// with the rest of the browser's schema (schema.ts), on demand.
import { z } from 'zod'
import { accepts, humanSize } from './files.js'
import { ownMessage } from './messages.js'
import type { FormField } from './wire.js'

/** The browser's schema of a file field: `z.file()` bounded by the field's size and types. */
export function fileSchema(field: FormField): z.ZodType {
  let file: z.ZodType<File> = z.file()
  const { maxSize, accept } = field
  if (maxSize !== undefined) file = (file as z.ZodFile).max(maxSize, `The file is larger than ${humanSize(maxSize)}`)
  // A refinement raises zod's `custom` code: the server's word on a wrong type is its `invalid_value` message.
  const wrongType = ownMessage(field.messages, field.multiple === true ? 'item.invalid_value' : 'invalid_value') ?? `Accepted types: ${accept}`
  if (accept !== undefined && accept.trim() !== '') file = file.refine((value) => accepts(accept, value), wrongType)
  return field.multiple === true ? z.array(file) : file
}

