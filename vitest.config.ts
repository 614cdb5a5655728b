import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))

// Tests run against the sources; the built packages are exercised by tsd, the example and the bench.
export default defineConfig({
  resolve: {
    alias: {
      '@mizan/wire': source('wire'),
      '@mizan/server': source('server'),
      '@mizan/client': source('client'),
      '@mizan/react/forms': fileURLToPath(new URL('./packages/react/src/forms/index.ts', import.meta.url)),
      '@mizan/react/ssr': fileURLToPath(new URL('./packages/react/src/ssr.ts', import.meta.url)),
      '@mizan/react': source('react'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 15_000,
  },
})
