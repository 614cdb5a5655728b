// docs/testing.md is made of test files. Compiling them (scripts/check-docs.mjs) is not enough for a
// testing guide: this runs them, as written, in a vitest run of their own, so a guide whose tests
// fail — because the API moved, or the advice was wrong — fails the suite.
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { extractBlocks } from '../../scripts/check-docs.mjs'
import { redisAvailable } from '../support/redis.js'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dir = join(repo, 'test/docs', `.testing-guide-${process.pid}`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Report = {
  numFailedTests: number
  numPassedTests: number
  testResults: { name: string; status: string; message: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[]
}

it("runs the testing guide's tests, and they pass", async () => {
  const { units } = extractBlocks(readFileSync(join(repo, 'docs/testing.md'), 'utf8'), 'docs/testing.md')
  const withRedis = await redisAvailable("testing guide's Redis")
  mkdirSync(dir, { recursive: true })
  const files: string[] = []
  for (const unit of units) {
    if (unit.base === 'redis.test' && !withRedis) continue
    const file = join(dir, `${unit.base}.${unit.tsx ? 'tsx' : 'ts'}`)
    writeFileSync(file, unit.parts.map((part: { code: string[] }) => part.code.join('\n')).join('\n'))
    if (unit.base.endsWith('.test')) files.push(file)
  }
  expect(files.length).toBeGreaterThanOrEqual(7)

  const output = join(dir, 'report.json')
  const vitest = join(repo, 'node_modules/vitest/vitest.mjs')
  await new Promise<void>((done) => {
    // A failing run exits non-zero; the report says why, so it is read either way.
    execFile(process.execPath, [vitest, 'run', relative(repo, dir), '--reporter=json', `--outputFile=${output}`], { cwd: repo }, () => done())
  })
  const report = JSON.parse(readFileSync(output, 'utf8')) as Report
  const failures = report.testResults
    .filter((file) => file.status !== 'passed')
    .flatMap((file) => [
      ...(file.message ? [`${relative(dir, file.name)}: ${file.message}`] : []),
      ...file.assertionResults.filter((test) => test.status === 'failed').map((test) => `${relative(dir, file.name)} > ${test.fullName}: ${test.failureMessages[0]?.split('\n')[0]}`),
    ])
  expect(failures).toEqual([])
  expect(report.testResults.map((file) => relative(dir, file.name)).sort()).toEqual(files.map((file) => relative(dir, file)).sort())
  expect(report.numFailedTests).toBe(0)
  expect(report.numPassedTests).toBeGreaterThanOrEqual(11)
}, 120_000)
