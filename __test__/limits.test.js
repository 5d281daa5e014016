// Hostile guests: each run ends with its limit's outcome and partial output, and the next run in
// the same process is normal.
const test = require('node:test')
const assert = require('node:assert/strict')

const { Program, runWasi } = require('..')
const { guest } = require('./guests')

const programs = new Map()
const program = (name) => {
  if (!programs.has(name)) programs.set(name, new Program(guest(name)))
  return programs.get(name)
}
const text = (buf) => buf.toString('utf8')

/** Runs twice, asserts identical results, and that a normal run afterwards is fine. */
function run(name, options) {
  const first = program(name).run(options)
  const second = program(name).run(options)
  assert.deepEqual(second, first, `two runs of ${name} differ`)
  assert.equal(text(program('hello').run().stdout), 'hello from stdout\n')
  return first
}

test('spin: the wall-clock timeout fires in a loop that never calls the host', () => {
  const began = process.hrtime.bigint()
  const result = program('spin').run({ limits: { timeoutMs: 200 } })
  const ms = Number(process.hrtime.bigint() - began) / 1e6
  assert.deepEqual(result, {
    outcome: 'timeout',
    exitCode: 137,
    stdout: Buffer.from('spinning\n'),
    stderr: Buffer.alloc(0),
    virtualTimeNs: 0n,
    files: {},
  })
  assert.ok(ms < 200 + 2000, `a 200 ms budget took ${ms} ms`) // generous sanity bound
  assert.equal(text(program('hello').run().stdout), 'hello from stdout\n')
})

test('spin: fuel is deterministic, as number or bigint', () => {
  const result = run('spin', { limits: { fuel: 1_000_000 } })
  assert.equal(result.outcome, 'fuelExhausted')
  assert.equal(result.exitCode, 137)
  assert.equal(result.fuelConsumed, 1_000_000n)
  assert.equal(text(result.stdout), 'spinning\n')
  assert.deepEqual(run('spin', { limits: { fuel: 1_000_000n } }), result)
})

test('hello: fuelConsumed only when metered', () => {
  const metered = run('hello', { limits: { fuel: 10n ** 12n } })
  assert.equal(metered.outcome, 'exited')
  assert.equal(typeof metered.fuelConsumed, 'bigint')
  assert.ok(metered.fuelConsumed > 0n)
  assert.equal('fuelConsumed' in run('hello'), false)
})

const allocated = (mib) =>
  Array.from({ length: mib / 16 }, (_, i) => `allocated ${(i + 1) * 16} MiB\n`).join('')

test('oom: memoryExceeded at the first growth past the limit', () => {
  const result = run('oom', { limits: { memoryBytes: 64 * 1024 * 1024 } })
  assert.equal(result.outcome, 'memoryExceeded')
  assert.equal(result.exitCode, 137)
  assert.equal(text(result.stdout), allocated(48))
  assert.equal(text(run('oom').stdout), allocated(240)) // the 256 MiB default
})

test('flood: output is cut at exactly outputBytes', () => {
  const result = run('flood', { limits: { outputBytes: 1000 } })
  const all = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join('')
  assert.equal(result.outcome, 'outputExceeded')
  assert.equal(text(result.stdout), all.slice(0, 1000))
  const byDefault = run('flood')
  assert.equal(byDefault.outcome, 'outputExceeded')
  assert.equal(byDefault.stdout.length, 16 * 1024 * 1024)
})

test('recursion: a stack overflow is a trap with a backtrace', () => {
  const result = run('recursion')
  assert.equal(result.outcome, 'trapped')
  assert.equal(result.exitCode, 134)
  assert.deepEqual(result.trap, {
    message: 'call stack exhausted',
    backtrace: Array(20).fill('recursion::recurse'),
  })
  assert.equal(text(result.stdout), 'recursing\n')
})

test('sleep_forever: virtual time is bounded (1 hour by default)', () => {
  const result = run('sleep_forever')
  assert.equal(result.outcome, 'virtualTimeExceeded')
  assert.equal(result.virtualTimeNs, 3_600_000_000_000n)
  assert.equal(text(result.stdout), [0, 10, 20, 30, 40, 50, 60].map((m) => `slept ${m} minutes\n`).join(''))
  const short = run('sleep_forever', { limits: { virtualTimeMs: 90_000 } })
  assert.equal(short.virtualTimeNs, 90_000_000_000n)
})

test('clock_busy: a busy-wait on the clock hits the virtual time limit', () => {
  const result = run('clock_busy', { limits: { virtualTimeMs: 100 } })
  assert.equal(result.outcome, 'virtualTimeExceeded')
  assert.equal(result.virtualTimeNs, 100_000_000n)
  assert.equal(text(result.stdout), 'reading the clock\n')
})

test('Infinity lifts a limit', () => {
  const lifted = { fuel: Infinity, timeoutMs: Infinity, memoryBytes: Infinity, outputBytes: Infinity, virtualTimeMs: Infinity }
  const result = run('sleep', { limits: lifted })
  assert.equal(result.outcome, 'exited')
  assert.equal('fuelConsumed' in result, false)
})

test('invalid limits throw ERR_INVALID_OPTIONS', () => {
  const hello = guest('hello')
  const cases = [
    [{ limits: 5 }, 'options.limits must be an object, got a number'],
    [{ limits: { fuel: -1 } }, 'options.limits.fuel must be a non-negative integer or Infinity'],
    [{ limits: { timeoutMs: 1.5 } }, 'options.limits.timeoutMs must be a non-negative integer or Infinity'],
    [{ limits: { memoryBytes: '1' } }, 'options.limits.memoryBytes must be a non-negative integer or Infinity'],
    [{ limits: { outputBytes: NaN } }, 'options.limits.outputBytes must be a non-negative integer or Infinity'],
    [{ limits: { virtualTimeMs: -Infinity } }, 'options.limits.virtualTimeMs must be a non-negative integer or Infinity'],
  ]
  for (const [options, message] of cases) {
    assert.throws(() => runWasi(hello, options), { code: 'ERR_INVALID_OPTIONS', message })
  }
})
