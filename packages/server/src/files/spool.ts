import { randomBytes } from 'node:crypto'
import { constants, openAsBlob } from 'node:fs'
import { open, unlink, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

/**
 * Where one upload's files live while its call runs: in memory up to `memoryThreshold` bytes each,
 * then in a temporary file of `tempDir`. A temporary file has a random name (never derived from
 * the client's), is created exclusively (`wx`: no following a planted link) and readable by this
 * process's user only (0600). {@link cleanup} removes every one, however the call ended.
 */
export class Spool {
  private readonly paths: string[] = []
  /** Files being written: cleanup waits for them, so none is created after it ran. */
  private readonly writing = new Set<Promise<unknown>>()
  private cleaned: Promise<void> | undefined

  constructor(
    private readonly tempDir: string | undefined,
    private readonly memoryThreshold: number,
  ) {}

  /**
   * Reads one file part to its end into a `File`. `count` sees each chunk first and throws to
   * refuse it (a limit passed): the stream is then left for the caller to destroy.
   */
  take(stream: Readable, name: string, type: string, count: (bytes: number) => void): Promise<File> {
    const taking = this.read(stream, name, type, count)
    const settled = taking.catch(() => {})
    this.writing.add(settled)
    void settled.then(() => this.writing.delete(settled))
    return taking
  }

  private async read(stream: Readable, name: string, type: string, count: (bytes: number) => void): Promise<File> {
    let chunks: Uint8Array<ArrayBuffer>[] = []
    let size = 0
    let handle: FileHandle | undefined
    let path: string | undefined
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        count(chunk.length)
        size += chunk.length
        if (handle === undefined && size > this.memoryThreshold) {
          if (this.cleaned !== undefined) throw new Error('Mizan: the upload was already cleaned up')
          path = join(this.tempDir ?? tmpdir(), `mizan-upload-${randomBytes(16).toString('hex')}`)
          // Recorded before it exists, so a cleanup racing the open still removes it.
          this.paths.push(path)
          handle = await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)
          for (const held of chunks) await handle.write(held)
          chunks = []
        }
        if (handle !== undefined) await handle.write(chunk)
        else chunks.push(chunk as Uint8Array<ArrayBuffer>)
      }
    } finally {
      await handle?.close()
    }
    if (path === undefined) return new File(chunks, name, { type })
    // Backed by the file on disk, read only when the handler reads it.
    return new File([await openAsBlob(path, { type })], name, { type })
  }

  /** The temporary files made so far (for tests and diagnostics). */
  get tempFiles(): readonly string[] {
    return this.paths
  }

  /** Removes every temporary file, once the files being written have stopped. Safe to call twice. */
  cleanup(): Promise<void> {
    return (this.cleaned ??= (async () => {
      while (this.writing.size > 0) await Promise.all(this.writing)
      await Promise.all(this.paths.map((path) => unlink(path).catch(() => {})))
    })())
  }
}
