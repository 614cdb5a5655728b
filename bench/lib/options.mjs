// The command line every benchmark shares: its own flags, plus `--quick` (a short smoke run,
// what `npm run bench -- --quick` passes) and `--help`. Values are checked before anything runs:
// a typo should stop the run at once (exit code 2), not after minutes of measuring.
import { parseArgs } from 'node:util'

/**
 * @param {object} spec
 * @param {import('node:util').ParseArgsConfig['options']} spec.options  the benchmark's own flags
 * @param {Record<string, [quick: string, full: string]>} [spec.quick]  flags whose default --quick changes
 * @param {string} spec.usage  what --help prints
 * @returns the parsed `values`, and `integer` / `number` to read one of them as a checked number
 */
export function readOptions({ options, quick = {}, usage }) {
  /** @type {Record<string, any>} */
  const { values } = parseArgs({
    options: {
      ...options,
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  // --quick only changes the defaults: an explicit flag still wins.
  for (const [name, [short, full]] of Object.entries(quick)) values[name] ??= values.quick ? short : full
  const check = (name, min, integer) => {
    const value = Number(values[name])
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      console.error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min} (got "${values[name]}")`)
      process.exit(2)
    }
    return value
  }
  return {
    values,
    integer: (name, min) => check(name, min, true),
    number: (name, min) => check(name, min, false),
  }
}

/**
 * The servers an `--only a,b` run measures (all without it); an unknown name stops the run (exit 2).
 * @template {{ name: string }} S
 * @param {S[]} servers
 * @param {string[] | undefined} only
 * @returns {S[]}
 */
export function chooseServers(servers, only) {
  if (only === undefined) return servers
  const unknown = only.filter((name) => !servers.some((server) => server.name === name))
  if (unknown.length > 0) {
    console.error(`--only: no server named ${unknown.join(', ')} (have ${servers.map((server) => server.name).join(', ')})`)
    process.exit(2)
  }
  return servers.filter((server) => only.includes(server.name))
}
