/**
 * Limits on the files one upload to a mutation may carry. Every field has a default; the schema's
 * own checks (`z.file().max(...)`, `.mime(...)`) still run after these, on the received files.
 *
 * ```ts
 * m.mutation({ input: z.object({ image: z.file() }), files: { maxFileSize: 5 * 1024 * 1024, types: ['image/*'] } }, handler)
 * ```
 */
export interface FileLimits {
  /** Bytes of one file (413, the body is not read further). Default 10 MiB. */
  maxFileSize?: number
  /** Files in one call (413). Default 10. Also bounds array indexes in part names. */
  maxFiles?: number
  /** Bytes of all the call's files together (413). Default `maxFileSize × maxFiles`. */
  maxTotalSize?: number
  /**
   * MIME types a file may declare (415), exact (`application/pdf`) or a wildcard (`image/*`);
   * compared without parameters and case. Default: any type.
   */
  types?: readonly string[]
}

/** Where and how a server keeps the files of an upload while its call runs (`createMizanServer({ uploads })`). */
export interface UploadOptions {
  /** The directory of temporary files. Default `os.tmpdir()`. */
  tempDir?: string
  /** Bytes a file may hold in memory before it is written to a temporary file. Default 1 MiB. */
  memoryThreshold?: number
  /** Milliseconds an upload may go without receiving a byte before it is refused (408). Default 30,000. */
  idleTimeout?: number
}

/** {@link FileLimits} with every default applied: what the multipart reader enforces. */
export interface ResolvedFileLimits {
  readonly maxFileSize: number
  readonly maxFiles: number
  readonly maxTotalSize: number
  /** `undefined` when any type is allowed. */
  readonly types: readonly string[] | undefined
}

/** {@link UploadOptions} with every default applied, except `tempDir` (`undefined`: `os.tmpdir()`, read when first needed). */
export interface ResolvedUploadOptions {
  readonly tempDir: string | undefined
  readonly memoryThreshold: number
  readonly idleTimeout: number
}

const MiB = 1024 * 1024

/** The default of {@link FileLimits.maxFileSize}. */
export const DEFAULT_MAX_FILE_SIZE = 10 * MiB
/** The default of {@link FileLimits.maxFiles}. */
export const DEFAULT_MAX_FILES = 10

/** A procedure's `files` option with its defaults. */
export function resolveFileLimits(limits: FileLimits | undefined): ResolvedFileLimits {
  const maxFileSize = limits?.maxFileSize ?? DEFAULT_MAX_FILE_SIZE
  const maxFiles = limits?.maxFiles ?? DEFAULT_MAX_FILES
  return {
    maxFileSize,
    maxFiles,
    maxTotalSize: limits?.maxTotalSize ?? maxFileSize * maxFiles,
    types: limits?.types === undefined ? undefined : limits.types.map(normalizeType),
  }
}

/** The server's `uploads` option with its defaults; a wrong value is a TypeError at startup. */
export function resolveUploadOptions(options: UploadOptions | undefined): ResolvedUploadOptions {
  const tempDir = options?.tempDir
  if (tempDir !== undefined && (typeof tempDir !== 'string' || tempDir === '')) throw new TypeError('Mizan: uploads.tempDir must be a directory path')
  const memoryThreshold = options?.memoryThreshold ?? MiB
  const idleTimeout = options?.idleTimeout ?? 30_000
  if (!isCount(memoryThreshold)) throw new TypeError('Mizan: uploads.memoryThreshold must be a whole number of bytes, 0 or more')
  if (!isCount(idleTimeout) || idleTimeout === 0) throw new TypeError('Mizan: uploads.idleTimeout must be a whole number of milliseconds above 0')
  return { tempDir, memoryThreshold, idleTimeout }
}

/** Checks a procedure's `files` option when it is defined, so a typo fails at startup, not on an upload. */
export function checkFileLimits(limits: unknown, where: string): void {
  if (limits === undefined) return
  if (typeof limits !== 'object' || limits === null) throw new TypeError(`Mizan: ${where}: files must be an object of limits`)
  const { maxFileSize, maxFiles, maxTotalSize, types } = limits as Record<string, unknown>
  for (const [name, value] of [
    ['maxFileSize', maxFileSize],
    ['maxFiles', maxFiles],
    ['maxTotalSize', maxTotalSize],
  ] as const) {
    if (value !== undefined && (!isCount(value) || value === 0)) throw new TypeError(`Mizan: ${where}: files.${name} must be a whole number above 0`)
  }
  if (types !== undefined && (!Array.isArray(types) || types.some((type) => typeof type !== 'string' || !/^[\w.+-]+\/(\*|[\w.+-]+)$/.test(type.trim())))) {
    throw new TypeError(`Mizan: ${where}: files.types must list MIME types such as "image/png" or "image/*"`)
  }
}

/** True when `type` (a part's declared Content-Type) is one of `allowed`, wildcards included. */
export function typeAllowed(type: string, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true
  const wanted = normalizeType(type)
  const slash = wanted.indexOf('/')
  for (const entry of allowed) {
    if (entry === wanted) return true
    if (entry.endsWith('/*') && slash !== -1 && wanted.slice(0, slash + 1) === entry.slice(0, -1)) return true
  }
  return false
}

/** A MIME type without parameters, lower case: `Image/PNG; q=1` → `image/png`. */
function normalizeType(type: string): string {
  const semi = type.indexOf(';')
  return (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase()
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** A size for people: `2 MiB`, `64 KiB`, else `1,000 bytes`. */
export function describeBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes.toLocaleString('en')} bytes`
}
