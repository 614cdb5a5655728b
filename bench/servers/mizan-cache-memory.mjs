// Mizan with the origin cache in memory: a 1 ms handler behind `cache: { ttl, scope: 'public' }`.
import { cachedGreetServer } from './mizan-cached.mjs'
import { memoryCache } from '@mizan/server'

await cachedGreetServer(memoryCache())
