// What could once depend on the engine or the CPU, with exact results: growth at every boundary
// (the same on the pooled and the fuel-metering engine; scripts/determinism.sh adds the on-demand
// engine and other CPUs), the stack depth of a runaway recursion, and relaxed SIMD.
const test = require('node:test')
const assert = require('node:assert/strict')

const { runWasi } = require('..')
const { guestC } = require('./guests')
const { growthProbes } = require('../tests/determinism/bounds')

const metered = (options) => ({ ...options, limits: { ...options.limits, fuel: 2n ** 62n } })

/** Each growth probe prints what each `memory.grow` / `table.grow` returned (-1: refused). */
const growth = {
  'grow-memory32-to-4gib': ['exited', '0\n1\n65535\n-1\n65536\n'],
  'grow-memory64-past-4gib': ['exited', '0\n-1\n65536\n'],
  'grow-memory32-in-one-step': ['exited', '0\n-1\n'],
  'grow-memory-declared-max': ['exited', '1\n-1\n3\n'],
  'grow-memory-to-memory-bytes': ['memoryExceeded', '0\n14\n'],
  'grow-table-150000': ['exited', '0\n150000\n'],
  'grow-table-to-cap': ['exited', '1\n9999999\n-1\n10000000\n'],
  'grow-table-past-cap-in-one-step': ['exited', '-1\n0\n'],
  'grow-table-to-memory-bytes': ['memoryExceeded', '0\n'],
  'grow-six-memories': ['exited', '1\n'.repeat(5)],
  'declare-table-past-cap': ['trapped', '', 'table minimum size of 10000001 elements exceeds table limits'],
  'declare-memory64-past-4gib': ['trapped', '', 'memory minimum size of 65537 pages exceeds memory limits'],
}

test('memories and tables grow to the same caps on the pooled and the metered engine', () => {
  const probes = growthProbes()
  assert.deepEqual(probes.map((p) => p.name), Object.keys(growth))
  for (const { name, wasm, options } of probes) {
    const [outcome, stdout, trap] = growth[name]
    for (const run of [runWasi(wasm, options), runWasi(wasm, metered(options))]) {
      assert.equal(run.outcome, outcome, name)
      assert.equal(run.stdout.toString(), stdout, name)
      assert.equal(run.trap?.message, trap, name)
    }
  }
})

test('a runaway C recursion gets exactly as deep on every x86-64 CPU; fuel makes frames larger', () => {
  const depth = (options) => {
    const result = runWasi(guestC('recursion'), options)
    assert.equal(result.outcome, 'trapped')
    assert.equal(result.trap.message, 'call stack exhausted')
    const lines = result.stdout.toString().split('\n')
    assert.equal(lines.pop(), '')
    lines.forEach((line, i) => assert.equal(line, String(i + 1)))
    return lines.length
  }
  // With the CPU's own features (BMI) the frame was 0x40 bytes and the depth 13,089 on this
  // test's machine; compiled for x86-64-v2 it is 0x50 bytes everywhere.
  const expected = process.arch === 'x64' ? { plain: 10_907, metered: 10_905 } : null
  const plain = depth({})
  const withFuel = depth(metered({}))
  if (expected) assert.deepEqual({ plain, metered: withFuel }, expected)
  else assert.ok(withFuel <= plain)
})

test('relaxed SIMD is refused: its fused multiply-add NaNs would depend on the CPU', () => {
  const wat = `(module (func (export "_start")
    (drop (f32x4.relaxed_madd (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0))))
    (memory (export "memory") 1))`
  assert.throws(() => runWasi(wat), (error) => {
    assert.equal(error.code, 'ERR_INVALID_WASM')
    assert.match(error.message, /relaxed SIMD support is not enabled/)
    return true
  })
})
