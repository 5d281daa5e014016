// A program's result as a snapshot (__snapshots__/result.test.js.snap), and a directory of
// golden files (testdata/): one vitest test per program.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { runWasi } from 'hermetic-wasi'
import { goldenTests } from 'hermetic-wasi/golden'

// Prints three lines, 500 ms of virtual time apart (sleeps take no real time).
const sleepy = readFileSync(new URL('sleep.wat', import.meta.url), 'utf8')

test('a run with a virtual pause, as a readable snapshot', () => {
  expect(runWasi(sleepy, { events: true })).toMatchSnapshot()
})

test('a trap, as a readable snapshot', () => {
  expect(runWasi('(module (func $boom unreachable) (func (export "_start") (call $boom)))')).toMatchSnapshot()
})

goldenTests(fileURLToPath(new URL('testdata', import.meta.url)), { test })
