// Mizan taking a file upload, as an app writes it: one mutation whose input holds `z.file()`,
// served by `createMizanServer` on `server.listen`, `@mizan/server` loaded through its package
// exports (this repository's build). Upload options keep their defaults, so a file over the
// memory threshold (1 MiB) spools to a temporary file in os.tmpdir(); the handler reads only the
// File's size, and Mizan deletes the temporary file once the call has settled.
import { initMizan, createMizanServer } from '@mizan/server'
import { z } from 'zod'

const m = initMizan()
const router = m.router({
  upload: m.mutation(
    // Limits raised to 2 GiB so the benchmark's largest file (1 GiB) passes; the defaults are 10 MiB.
    { input: z.object({ file: z.file() }), files: { maxFileSize: 2 * 1024 ** 3, maxTotalSize: 2 * 1024 ** 3 } },
    async ({ input }) => ({ size: input.file.size }),
  ),
})

const server = createMizanServer({ router, basePath: '' })
const { port } = await server.listen(0, '127.0.0.1')
console.log(port)
