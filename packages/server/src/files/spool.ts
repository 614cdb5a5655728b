import type { WriteStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { nodeCrypto, nodeFs, nodeOs, nodePath, nodeStream } from '../builtins.js'

/** Bytes a file being written to disk may have queued before the upload waits for the disk. */
export const WRITE_BUFFER = 1024 * 1024

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

  /**
   * Holds a part in memory until it passes `memoryThreshold`, then writes it to a temporary file.
   * Events and `pipe`, not async iteration: a stream's iterator reads with `read()`, which joins
   * whatever is buffered into a new Buffer, a copy of every byte of a large upload.
   */
  private read(stream: Readable, name: string, type: string, count: (bytes: number) => void): Promise<File> {
    return new Promise<File>((resolve, reject) => {
      const held: Uint8Array<ArrayBuffer>[] = []
      let size = 0
      const stop = (): void => {
        stream.off('data', onData)
        stream.off('end', onEnd)
        stream.off('error', onError)
        stream.off('close', onClose)
      }
      const onData = (chunk: Buffer): void => {
        try {
          count(chunk.length)
        } catch (error) {
          stop()
          return reject(error)
        }
        size += chunk.length
        held.push(chunk as Uint8Array<ArrayBuffer>)
        if (size > this.memoryThreshold) {
          stop()
          stream.pause()
          this.toDisk(stream, held, name, type, count).then(resolve, reject)
        }
      }
      const onEnd = (): void => {
        stop()
        resolve(new File(held, name, { type }))
      }
      const onError = (error: unknown): void => {
        stop()
        reject(error)
      }
      // Destroyed without an error (the parser gave up on the upload): the part ends here too.
      const onClose = (): void => onError(new Error('Mizan: the file part was cut off'))
      stream.on('data', onData)
      stream.on('end', onEnd)
      stream.on('error', onError)
      stream.on('close', onClose)
    })
  }

  /** Writes what was held, then the rest of the part as it arrives, to a new temporary file. */
  private async toDisk(stream: Readable, held: readonly Uint8Array[], name: string, type: string, count: (bytes: number) => void): Promise<File> {
    if (this.cleaned !== undefined) throw new Error('Mizan: the upload was already cleaned up')
    const path = nodePath().join(this.tempDir ?? nodeOs().tmpdir(), `mizan-upload-${nodeCrypto().randomBytes(16).toString('hex')}`)
    // Recorded before it exists, so a cleanup racing the open still removes it.
    this.paths.push(path)
    // `wx`: created here or not at all (never through a planted link); readable by this user only.
    // A 1 MiB buffer (not 16 KiB) lets the parser run ahead of the disk: uploads ran ~20 % faster
    // (bench/upload.mjs) for at most that much more memory per upload.
    const out = nodeFs().createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_BUFFER })
    // The file exists once the stream is ready: until then a cleanup could run before the open and
    // miss it. This call stays pending meanwhile, so cleanup (which waits for it) comes after.
    await opened(out)
    for (const chunk of held) out.write(chunk)
    // Counted beside the pipe: a limit passed destroys the part, which fails the pipeline.
    stream.on('data', (chunk: Buffer) => {
      try {
        count(chunk.length)
      } catch (error) {
        stream.destroy(error as Error)
      }
    })
    await nodeStream().promises.pipeline(stream, out)
    // Backed by the file on disk, read only when the handler reads it.
    return new File([await nodeFs().openAsBlob(path, { type })], name, { type })
  }

  /** The temporary files made so far (for tests and diagnostics). */
  get tempFiles(): readonly string[] {
    return this.paths
  }

  /** Removes every temporary file, once the files being written have stopped. Safe to call twice. */
  cleanup(): Promise<void> {
    return (this.cleaned ??= (async () => {
      while (this.writing.size > 0) await Promise.all(this.writing)
      await Promise.all(this.paths.map((path) => nodeFs().promises.unlink(path).catch(() => {})))
    })())
  }
}

/** Resolves once a write stream's file is open; rejects if opening it failed. */
function opened(out: WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      out.off('error', onError)
      resolve()
    }
    const onError = (error: Error): void => {
      out.off('ready', onReady)
      reject(error)
    }
    out.once('ready', onReady)
    out.once('error', onError)
  })
}
