// Vite builds the browser app from this folder into ../dist-web, which the server serves.
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../dist-web',
    emptyOutDir: true,
    rolldownOptions: {
      // @mizan/client loads superjson lazily, but this page needs it at once to read the server's
      // state (parseState): sharing the chunk is intended, not a missed split.
      checks: { ineffectiveDynamicImport: false },
    },
  },
})
