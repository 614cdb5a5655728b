import { createClient, type UploadInput, type UploadProgress } from '@mizan/client'
import { createMizanReact } from '@mizan/react'
import { initMizan } from '@mizan/server'
import { useMutation } from '@tanstack/react-query'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import { z } from 'zod'

// Files in inputs and outputs, as the client and the React layer type them.
const m = initMizan()
const filesRouter = m.router({
  posts: m.router({
    create: m.mutation(
      {
        input: z.object({
          title: z.string(),
          image: z.file().optional(),
          attachments: z.array(z.file()).optional(),
          profile: z.object({ avatar: z.file(), at: z.date() }).optional(),
        }),
      },
      ({ input }) => ({ title: input.title, files: (input.attachments?.length ?? 0) + (input.image ? 1 : 0) }),
    ),
  }),
  avatar: m.mutation({ input: z.file() }, () => true),
  plain: m.mutation({ input: z.object({ title: z.string() }) }, () => true),
  download: m.query(() => new File(['x'], 'x.txt')),
  stream: m.query(() => new ReadableStream<Uint8Array>()),
  blob: m.mutation(() => new Blob(['x'])),
})
type FilesRouter = typeof filesRouter

const client = createClient<FilesRouter>({ url: 'http://localhost/api/mizan' })
declare const file: File
declare const blob: Blob

// A File or any Blob goes wherever the input has a File: top level, in objects, in arrays.
client.posts.create.mutate({ title: 'a', image: file })
client.posts.create.mutate({ title: 'a', image: blob, attachments: [file, blob] })
client.posts.create.mutate({ title: 'a', profile: { avatar: blob, at: new Date() } })
client.avatar.mutate(file)
client.avatar.mutate(blob)
expectType<Promise<{ title: string; files: number }>>(client.posts.create.mutate({ title: 'a' }))

// Progress and abort are call options of any mutation.
client.posts.create.mutate({ title: 'a', image: file }, { onUploadProgress: ({ loaded, total }) => expectType<number>(loaded / total) })
client.avatar.mutate(file, { signal: new AbortController().signal, onUploadProgress: (progress) => expectType<UploadProgress>(progress) })

// Misuse does not compile: a string where a file goes, a file where a string goes, a wrong progress callback.
expectError(client.posts.create.mutate({ title: 'a', image: 'cat.png' }))
expectError(client.posts.create.mutate({ title: 'a', attachments: ['cat.png'] }))
expectError(client.posts.create.mutate({ title: file }))
expectError(client.avatar.mutate('cat.png'))
expectError(client.avatar.mutate(undefined))
expectError(client.posts.create.mutate({ title: 'a', profile: { avatar: file, at: 'yesterday' } }))
expectError(client.avatar.mutate(file, { onUploadProgress: (progress: string) => progress }))
expectError(client.avatar.mutate(file, { onUploadProgress: (loaded: number, total: number) => loaded + total }))
// Inputs without files are unchanged: a Blob is no string.
expectError(client.plain.mutate({ title: blob }))

// The mapping leaves non-file leaves as they are.
expectType<{ at: Date; tags: Set<string>; n: number[]; f: File | Blob }>({} as UploadInput<{ at: Date; tags: Set<string>; n: number[]; f: File }>)
expectType<readonly (File | Blob)[] | undefined>({} as UploadInput<readonly File[] | undefined>)
expectNotAssignable<UploadInput<{ f: File }>>({ f: 'x' })

// Binary outputs: a File stays a File, a Blob a Blob, a stream arrives as a Blob.
expectType<Promise<File>>(client.download.query())
expectType<Promise<Blob>>(client.stream.query())
expectType<Promise<Blob>>(client.blob.mutate())

// React: files in mutation variables, progress in mutationOptions and useMutation.
const api = createMizanReact<FilesRouter>(client)
const upload = useMutation(api.posts.create.mutationOptions({ onUploadProgress: (progress) => expectType<number>(progress.loaded) }))
upload.mutate({ title: 'a', image: blob, attachments: [file] })
expectError(upload.mutate({ title: 'a', image: 'cat.png' }))
api.avatar.useMutation({ onUploadProgress: ({ total }) => expectType<number>(total) }).mutate(blob)
expectError(api.avatar.useMutation({ onUploadProgress: (progress: number) => progress }))
expectError(api.posts.create.mutationOptions({ onUploadProgress: 'yes' }))
expectType<Blob | undefined>(api.stream.useQuery().data)
expectAssignable<File | undefined>(api.download.useQuery().data)
