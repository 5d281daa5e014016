// runWasi: what each guest sees and what the caller gets back.
const test = require('node:test')
const assert = require('node:assert/strict')

const { runWasi, runWasiAsync } = require('..')
const { guest } = require('./guests')

/** Runs a guest twice, asserts both results are identical, returns one. */
function run(name, options) {
  const first = runWasi(guest(name), options)
  const second = runWasi(guest(name), options)
  assert.deepEqual(second, first, `two runs of ${name} differ`)
  return first
}

const text = (buf) => buf.toString('utf8')

test('hello', () => {
  const result = run('hello')
  assert.deepEqual(result, {
    outcome: 'exited',
    exitCode: 0,
    stdout: Buffer.from('hello from stdout\n'),
    stderr: Buffer.from('hello from stderr\n'),
    virtualTimeNs: 0n,
    files: {},
  })
  assert.ok(Buffer.isBuffer(result.stdout))
})

test('a result has its fields in one order, and stdout and stderr are separate Buffers', () => {
  const result = runWasi(guest('hello'))
  assert.deepEqual(Object.keys(result), ['outcome', 'exitCode', 'stdout', 'stderr', 'virtualTimeNs', 'files'])
  assert.ok(Buffer.isBuffer(result.stderr))
  // The two may share memory; writing one never changes the other.
  result.stdout.fill(0x21)
  assert.equal(text(result.stderr), 'hello from stderr\n')
  const trapped = runWasi(guest('panic'), { limits: { fuel: 10_000_000 } })
  assert.deepEqual(Object.keys(trapped), [
    'outcome',
    'exitCode',
    'stdout',
    'stderr',
    'virtualTimeNs',
    'files',
    'fuelConsumed',
    'trap',
  ])
})

test('options are read as JS reads properties: inherited ones and getters, each once, in order', () => {
  const reads = []
  const options = Object.create({ programName: 'inherited' })
  for (const name of ['stdin', 'args']) {
    Object.defineProperty(options, name, {
      get() {
        reads.push(name)
        return name === 'args' ? ['x'] : undefined
      },
      enumerable: true,
    })
  }
  const result = runWasi(guest('args_env'), options)
  assert.equal(text(result.stdout), 'arg[0]=inherited\narg[1]=x\ncwd=Some("/")\n')
  assert.deepEqual(reads, ['args', 'stdin'])
})

test('an option getter that throws: its error is thrown as it is, or rejects an async call', async () => {
  const boom = new TypeError('boom')
  const options = {
    get env() {
      throw boom
    },
  }
  assert.throws(() => runWasi(guest('hello'), options), (e) => e === boom)
  await assert.rejects(runWasiAsync(guest('hello'), options), (e) => e === boom)
  // Not only objects: what was thrown is the rejection, as it is.
  for (const thrown of [7, undefined, null, 'text']) {
    const throwing = { get args() { throw thrown } }
    await assert.rejects(runWasiAsync(guest('hello'), throwing), (e) => e === thrown)
  }
})

test('a worker thread runs guests too (each JS environment has its own helpers)', async () => {
  const { Worker } = require('node:worker_threads')
  const script = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { runWasi } = require(workerData.addon)
    const r = runWasi(workerData.wasm, { args: [] })
    parentPort.postMessage([r.outcome, r.stdout.toString(), r.stderr.toString()])`
  const worker = new Worker(script, {
    eval: true,
    workerData: { addon: require.resolve('..'), wasm: guest('hello') },
  })
  const [message] = await require('node:events').once(worker, 'message')
  assert.deepEqual(message, ['exited', 'hello from stdout\n', 'hello from stderr\n'])
  await require('node:events').once(worker, 'exit')
  assert.equal(runWasi(guest('hello')).outcome, 'exited')
})

test('echo: stdin as string and as bytes', () => {
  const fromString = run('echo', { stdin: 'héllo\n' })
  assert.equal(text(fromString.stdout), 'héllo\n')
  assert.equal(text(fromString.stderr), 'read 7 bytes\n')
  const bytes = new Uint8Array(70000).map((_, i) => i % 251)
  const fromBytes = run('echo', { stdin: bytes })
  assert.deepEqual(new Uint8Array(fromBytes.stdout), bytes)
  assert.equal(text(fromBytes.stderr), 'read 70000 bytes\n')
  // Every byte value, in output short enough to travel as a string: exact.
  const all = Uint8Array.from({ length: 256 }, (_, i) => i)
  assert.deepEqual(new Uint8Array(run('echo', { stdin: all }).stdout), all)
})

test('stdin_empty', () => {
  assert.equal(text(run('stdin_empty').stdout), 'read 0 bytes\n')
})

test('args_env: exactly what was given, in order', () => {
  const result = run('args_env', {
    programName: 'tool',
    args: ['--flag', 'two words', ''],
    env: { ZED: 'last-set-first', ALPHA: 'a=b' },
  })
  assert.equal(
    text(result.stdout),
    'arg[0]=tool\narg[1]=--flag\narg[2]=two words\narg[3]=\n' +
      'env ZED=last-set-first\nenv ALPHA=a=b\ncwd=Some("/")\n',
  )
})

test('args_env: nothing of the host by default', () => {
  assert.equal(text(run('args_env').stdout), 'arg[0]=main\ncwd=Some("/")\n')
})

const sleepStdout = (startNs) =>
  `start ${startNs + 1000n}\n` +
  [1, 2, 3, 4, 5].map((i) => `slept ${i}: elapsed ${i * 1000} ms, wall ${i * 1000} ms\n`).join('')

test('sleep: 5 x 1 s of virtual time, instantly', () => {
  const began = process.hrtime.bigint()
  const result = run('sleep')
  const wallMs = Number(process.hrtime.bigint() - began) / 1e6
  assert.ok(wallMs < 5000, `two runs of 5 virtual seconds took ${wallMs} ms`)
  assert.equal(result.outcome, 'exited')
  assert.equal(text(result.stdout), sleepStdout(1257894000000n * 1000000n))
  assert.equal(result.virtualTimeNs, 5_000_012_000n)
})

test('startTime as Date and as number', () => {
  const ms = Date.UTC(2024, 1, 29, 12, 0, 0)
  const fromDate = run('sleep', { startTime: new Date(ms) })
  const fromNumber = run('sleep', { startTime: ms })
  assert.deepEqual(fromDate, fromNumber)
  assert.equal(text(fromDate.stdout), sleepStdout(BigInt(ms) * 1000000n))
})

test('clock_spin: a busy-wait on the clock ends', () => {
  const result = run('clock_spin')
  assert.equal(text(result.stdout), '999999 reads, elapsed 1000001000 ns\n')
})

test('random: seeded, as number or bigint', () => {
  const a = run('random', { seed: 42 })
  const b = run('random', { seed: 42n })
  const c = run('random', { seed: 43 })
  assert.deepEqual(a, b)
  assert.notDeepEqual(a.stdout, c.stdout)
  const lines = text(a.stdout).split('\n')
  assert.match(lines[0], /^bytes [0-9a-f]{32}$/)
  assert.notEqual(lines[0], lines[1])
  const max = run('random', { seed: 2n ** 64n - 1n })
  assert.equal(max.outcome, 'exited')
})

test('exit codes', () => {
  const cases = [
    [['exit-ok'], 0],
    [['exit-err'], 1],
    [['return-err'], 1],
    [['code', '7'], 7],
    [['code', '255'], 255],
    [['std', '3'], 1], // Rust's std reports every nonzero code as exit(err)
  ]
  for (const [args, exitCode] of cases) {
    const result = run('exit_code', { args })
    assert.equal(result.outcome, 'exited', args.join(' '))
    assert.equal(result.exitCode, exitCode, args.join(' '))
    assert.equal(text(result.stdout), `exiting with ${args.join(' ')}\n`)
    assert.equal(result.trap, undefined)
  }
})

test('panic: a trap with its message and the partial output', () => {
  const result = run('panic')
  assert.equal(result.outcome, 'trapped')
  assert.equal(result.exitCode, 134)
  assert.deepEqual(result.trap, {
    message: 'wasm `unreachable` instruction executed',
    // Innermost first; std's frames are those of Rust 1.95 for wasm32-wasip2.
    backtrace: [
      'abort',
      'std::sys::pal::wasi::helpers::abort_internal',
      'std::process::abort',
      '__rustc::__rust_abort',
      '__rustc::__rust_start_panic',
      '__rustc::rust_panic',
      'std::panicking::panic_with_hook',
      'std::panicking::panic_handler::{closure#0}',
      'std::sys::backtrace::__rust_end_short_backtrace::<std::panicking::panic_handler::{closure#0}, !>',
      '__rustc::rust_begin_unwind',
      'core::panicking::panic_fmt',
      'panic::main',
      'std::sys::backtrace::__rust_begin_short_backtrace',
      'std::rt::lang_start::{{closure}}',
      'std::rt::lang_start_internal',
      '__main_void',
      '_start',
    ],
  })
  assert.equal(text(result.stdout), 'before the panic\n')
  assert.equal(
    text(result.stderr),
    "\nthread 'main' (1) panicked at src/bin/panic.rs:4:5:\nboom\n" +
      'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n',
  )
})

test('poll_nothing: a deadlock is an outcome', () => {
  const result = run('poll_nothing')
  assert.equal(result.outcome, 'deadlock')
  assert.equal(result.exitCode, 137)
  assert.equal(text(result.stdout), 'waiting on nothing\n')
  assert.equal(result.virtualTimeNs, 0n)
})
