// Prints one closing line for the whole test run, read from vitest's JSON report.
import { readFileSync } from 'node:fs'

const report = JSON.parse(readFileSync(new URL('../node_modules/.cache/mizan/vitest.json', import.meta.url), 'utf8'))
const failed = report.numFailedTests
const skipped = report.numPendingTests + report.numTodoTests
console.log(`\nTests: ${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
if (failed > 0 || report.numTotalTests === 0) process.exit(1)
