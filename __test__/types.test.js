// The package's types (main.d.ts): `tsc --strict` over what TypeScript users write
// (types/usage.ts), and the claims the types make, checked against the runtime: a result's
// `trap` is there exactly when it trapped, `fuelConsumed` exactly when fuel meters the run,
// `events` exactly when asked for, `files` always; `wasm` may be text and options `null`
// everywhere the types say so.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const path = require('node:path')

const { runWasi, runWasiAsync, Program } = require('..')
const { preview1 } = require('../tests/determinism/bounds')

test('tsc --strict accepts what users write and refuses what the runtime refuses', () => {
  const tsc = path.join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc')
  // Exits non-zero, printing each error, on any type error or unused @ts-expect-error.
  execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types')], { encoding: 'utf8', stdio: 'pipe' })
})

const programs = {
  exited: preview1('(call $print (i64.const 1))'),
  trapped: '(module (func (export "_start") unreachable))',
  fuelExhausted: '(module (func (export "_start") (loop $l (br $l))))',
  memoryExceeded: '(module (memory 1) (func (export "_start") (drop (memory.grow (i32.const 100)))))',
}
const limitsOf = { fuelExhausted: { fuel: 1000 }, memoryExceeded: { memoryBytes: 65536 } }

test('results have exactly the fields their types promise', async () => {
  const keys = (result) => Object.keys(result).sort()
  const base = ['exitCode', 'files', 'outcome', 'stderr', 'stdout', 'virtualTimeNs']
  for (const [outcome, wat] of Object.entries(programs)) {
    const limits = limitsOf[outcome]
    const plain = runWasi(wat, limits ? { limits } : null)
    assert.equal(plain.outcome, outcome)
    const fuel = limits?.fuel !== undefined ? ['fuelConsumed'] : []
    assert.deepEqual(keys(plain), [...base, ...fuel, ...(outcome === 'trapped' ? ['trap'] : [])].sort(), outcome)
    if (outcome === 'trapped') assert.deepEqual(Object.keys(plain.trap).sort(), ['backtrace', 'message'])
    const metered = await runWasiAsync(wat, { limits: { ...limits, fuel: limits?.fuel ?? 10n ** 12n }, events: true }, null)
    assert.deepEqual(keys(metered), [...base, 'events', 'fuelConsumed', ...(outcome === 'trapped' ? ['trap'] : [])].sort(), outcome)
    assert.equal(typeof metered.fuelConsumed, 'bigint')
  }
  // fuel: Infinity meters nothing: no fuelConsumed.
  assert.equal(runWasi(programs.exited, { limits: { fuel: Infinity } }).fuelConsumed, undefined)
  // events: false is no events.
  assert.equal('events' in runWasi(programs.exited, { events: false }), false)
})

test('text and null options are accepted wherever the types take them', async () => {
  const wat = programs.exited
  const stdout = (result) => result.stdout.toString()
  const program = new Program(wat, null)
  assert.deepEqual(
    [
      stdout(runWasi(wat, null)),
      stdout(await runWasiAsync(wat, null, null)),
      stdout(program.run(null)),
      stdout(await program.runAsync(null, null)),
      stdout((await Program.compileAsync(wat, null)).run()),
    ],
    ['1\n', '1\n', '1\n', '1\n', '1\n'],
  )
})
