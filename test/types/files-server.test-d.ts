import { createMizanServer, initMizan, type FileLimits, type ManifestFiles, type UploadOptions } from '@mizan/server'
import { expectAssignable, expectError, expectType } from 'tsd'
import { z } from 'zod'

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()
const j = initMizan<Ctx>({ transformer: 'json' })
type OutputOf<P> = P extends { '~types'?: { output: infer O } } ? O : never

// A mutation takes files: the handler gets standard File objects, and `files` sets the limits.
const upload = m.mutation(
  { input: z.object({ title: z.string(), image: z.file().optional(), attachments: z.array(z.file()).max(3) }), files: { maxFileSize: 1024, maxFiles: 4, maxTotalSize: 4096, types: ['image/*'] } },
  ({ input }) => {
    expectType<File | undefined>(input.image)
    expectType<File[]>(input.attachments)
    return { title: input.title }
  },
)
expectType<{ title: string }>({} as OutputOf<typeof upload>)

// `files` goes with mutations only.
expectError(m.query({ files: { maxFiles: 1 } }, () => 1))
// And its fields are what FileLimits says.
expectError(m.mutation({ files: { maxFileSize: '1 MB' } }, () => 1))
expectError(m.mutation({ files: { types: 'image/*' } }, () => 1))
expectAssignable<FileLimits>({})
expectAssignable<FileLimits>({ types: ['application/pdf'] })

// Results that are bytes: a Blob or a File stays itself, a stream arrives as a Blob.
const blob = m.query(() => new Blob(['x']))
const file = m.mutation(async () => new File(['x'], 'x.txt'))
const stream = m.query(() => new ReadableStream<Uint8Array>())
expectType<Blob>({} as OutputOf<typeof blob>)
expectType<File>({} as OutputOf<typeof file>)
expectType<Blob>({} as OutputOf<typeof stream>)
// The same under the json transformer, where other values are what JSON makes of them.
const jBlob = j.query(() => new Blob(['x']))
const jFile = j.mutation(() => new File(['x'], 'x'))
const jStream = j.query(async () => new ReadableStream<Uint8Array>())
const jDate = j.query(() => ({ at: new Date() }))
expectType<Blob>({} as OutputOf<typeof jBlob>)
expectType<File>({} as OutputOf<typeof jFile>)
expectType<Blob>({} as OutputOf<typeof jStream>)
expectType<{ at: string }>({} as OutputOf<typeof jDate>)
// An output schema decides too.
const checked = m.query({ output: z.instanceof(Blob) }, () => new Blob([]))
expectType<Blob>({} as OutputOf<typeof checked>)

// The server's uploads option.
const router = m.router({ upload })
createMizanServer({ router, createContext: () => ({ user: null }), uploads: { tempDir: '/tmp', memoryThreshold: 0, idleTimeout: 5000 } })
expectError(createMizanServer({ router, createContext: () => ({ user: null }), uploads: { memoryThreshold: '1 MiB' } }))
expectAssignable<UploadOptions>({})
expectType<ManifestFiles | undefined>(createMizanServer({ router, createContext: () => ({ user: null }) }).manifest.procedures['upload']!.files)
