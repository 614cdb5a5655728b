// One value per Node process, whatever loads this module.
//
// Next.js may evaluate a module more than once in one process: `next dev` re-evaluates it on every
// edit (hot reload), and a build can give a route handler and a page separate copies of shared
// modules. State that must be one per process — the notes, the session secret, the Mizan server —
// is therefore kept on `globalThis` under a registered symbol, not in a module-level `const`.

const registry = globalThis as typeof globalThis & { [key: symbol]: unknown }

/** The value stored under `name` in this process, created by `create` the first time. */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`mizan-example-next:${name}`)
  if (!(key in registry)) registry[key] = create()
  return registry[key] as T
}
