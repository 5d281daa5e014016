// Which WebAssembly proposals the sandbox runs and which it refuses, with the exact refusal: the
// table in the README's "WebAssembly proposals" section, one small module per row. Exception
// handling gets its own tests: throws across functions, many throws, an uncaught throw, fuel
// and memoryBytes (its exception objects live on a GC heap that counts against memoryBytes).
const test = require('node:test')
const assert = require('node:assert/strict')

const { runWasi } = require('..')
const { exceptionProbes } = require('../tests/determinism/exceptions')

const module_ = (body, memory = '(memory (export "memory") 1)') =>
  `(module ${memory} ${body} (func (export "_start")))`

/** Each proposal: a module using it, and `null` (it runs) or the refusal's message. */
const proposals = {
  'multi-value': [module_('(func (result i32 i32) (i32.const 1) (i32.const 2))'), null],
  'bulk-memory': [module_('(func (memory.fill (i32.const 0) (i32.const 0) (i32.const 1)))'), null],
  'reference-types': [module_('(table 1 externref) (func (drop (ref.null extern)))'), null],
  simd: [module_('(func (drop (i32x4.splat (i32.const 1))))'), null],
  'tail-call': [module_('(func $f (return_call $f))'), null],
  'extended-const': [module_('(global i32 (i32.add (i32.const 1) (i32.const 2)))'), null],
  'multi-memory': [module_('(memory $second 1)'), null],
  memory64: [module_('', '(memory (export "memory") i64 1)'), null],
  'function-references': [module_('(type $t (func)) (func (param (ref $t)) (call_ref $t (local.get 0)))'), null],
  'exception-handling': [module_('(tag $t) (func (try_table (catch_all 0) (throw $t)))'), null],
  'relaxed-simd': [
    module_('(func (drop (f32x4.relaxed_madd (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0))))'),
    'relaxed SIMD support is not enabled',
  ],
  threads: [module_('', '(memory (export "memory") 1 1 shared)'), 'threads must be enabled for shared memories'],
  gc: [
    module_('(type $s (struct (field i32))) (func (drop (struct.new $s (i32.const 1))))'),
    'struct indexed types not supported without the gc feature',
  ],
  'legacy-exceptions': [
    module_('(tag $t) (func try throw $t catch_all end)'),
    'legacy_exceptions feature required for try instruction',
  ],
  'wide-arithmetic': [
    module_('(func (drop (drop (i64.add128 (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)))))'),
    'wide arithmetic support is not enabled',
  ],
  'custom-page-sizes': [
    module_('', '(memory (export "memory") 1 (pagesize 1))'),
    "the custom page sizes proposal must be enabled to customize a memory's page size",
  ],
  'stack-switching': [
    module_('(type $f (func)) (type $c (cont $f))'),
    'cannot define continuation types when stack switching is disabled',
  ],
}

for (const [name, [wat, refusal]] of Object.entries(proposals)) {
  test(`proposal ${name}: ${refusal ? 'refused' : 'runs'}`, () => {
    for (const limits of [{}, { fuel: 1000 }]) {
      if (refusal === null) {
        assert.equal(runWasi(wat, { limits }).outcome, 'exited')
      } else {
        assert.throws(
          () => runWasi(wat, { limits }),
          (e) => e.code === 'ERR_INVALID_WASM' && e.message.includes(refusal),
        )
      }
    }
  })
}

const probes = Object.fromEntries(exceptionProbes().map((p) => [p.name, p]))
const metered = (options) => ({ ...options, limits: { fuel: 2n ** 62n, ...options.limits } })

test('exceptions cross functions, carry payloads, are caught by reference and thrown again', () => {
  const { wasm, options } = probes['exceptions-across-functions']
  for (const run of [runWasi(wasm, options), runWasi(wasm, metered(options))]) {
    assert.equal(run.outcome, 'exited')
    assert.equal(run.stdout.toString(), '4242\n42\n4242\n7\n')
  }
})

test('a hundred thousand throws run in bounded memory: their exception objects are collected', () => {
  const { wasm, options } = probes['exceptions-many-throws']
  const expected = '100000\n424200000\n'
  for (const run of [runWasi(wasm, options), runWasi(wasm, metered(options))]) {
    assert.equal(run.outcome, 'exited')
    assert.equal(run.stdout.toString(), expected)
  }
  // One 64 KiB page of linear memory leaves 64 KiB for the GC heap: enough, since each
  // exception is collected once caught.
  assert.equal(runWasi(wasm, { limits: { memoryBytes: 128 << 10 } }).stdout.toString(), expected)
  // The GC heap counts against memoryBytes: with no room beside the linear memory, the first
  // throw exceeds it.
  const full = runWasi(wasm, { limits: { memoryBytes: 64 << 10 } })
  assert.equal(full.outcome, 'memoryExceeded')
  assert.equal(full.stdout.toString(), '')
})

test('an uncaught exception traps; fuel counts throws exactly', () => {
  const uncaught = probes['exceptions-uncaught']
  const run = runWasi(uncaught.wasm, uncaught.options)
  assert.equal(run.outcome, 'trapped')
  assert.equal(run.stdout.toString(), '1\n')
  assert.equal(run.trap.message, 'thrown Wasm exception')
  const fuel = probes['exceptions-fuel-exhausted']
  const a = runWasi(fuel.wasm, fuel.options)
  const b = runWasi(fuel.wasm, fuel.options)
  assert.equal(a.outcome, 'fuelExhausted')
  assert.deepEqual(b, a)
  const finished = runWasi(probes['exceptions-across-functions'].wasm, { limits: { fuel: 1_000_000 } })
  assert.equal(finished.fuelConsumed, 8472n)
})
