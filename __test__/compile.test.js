// Compile bombs (#11): small uploads that take Cranelift seconds and gigabytes. Compiling happens
// in a compiler process that is killed when the call's budget runs out or it is aborted, and
// whose memory is capped, so a call returns within its timeoutMs whatever the bytes. Times are
// generous sanity bounds; BENCHMARKS.md has the measured figures.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Program, runWasi, runWasiAsync } = require('..')
const { guest } = require('./guests')
const { manyFunctions, longExpression } = require('./bombs')

const bomb = manyFunctions(200_000)
const hello = () => runWasi(guest('hello')).stdout.toString()
const since = (start) => Number(process.hrtime.bigint() - start) / 1e6

test('a compile bomb ends as timeout within timeoutMs, and the next run is normal', () => {
  const start = process.hrtime.bigint()
  const result = runWasi(bomb, { limits: { timeoutMs: 300 } })
  const elapsed = since(start)
  assert.equal(result.outcome, 'timeout')
  assert.equal(result.stdout.length + result.stderr.length, 0)
  assert.ok(elapsed < 2000, `returned after ${elapsed} ms`)
  assert.equal(hello(), 'hello from stdout\n')
})

test('new Program gives up compiling after its own timeoutMs with ERR_COMPILE_LIMIT', () => {
  const start = process.hrtime.bigint()
  assert.throws(() => new Program(bomb, { timeoutMs: 300 }), {
    code: 'ERR_COMPILE_LIMIT',
    message: 'compiling the program took longer than timeoutMs',
  })
  assert.ok(since(start) < 2000)
  assert.throws(() => new Program(bomb, { timeoutMs: -1 }), { code: 'ERR_INVALID_OPTIONS' })
})

test('an aborted async call settles as cancelled while compiling, and frees its thread', async () => {
  // Four bombs hold every thread of libuv's default pool; an abort frees them at once.
  const controller = new AbortController()
  const calls = Array.from({ length: 4 }, () =>
    runWasiAsync(bomb, { limits: { timeoutMs: 60_000 } }, controller.signal),
  )
  await new Promise((resolve) => setTimeout(resolve, 300))
  const aborted = process.hrtime.bigint()
  controller.abort()
  const outcomes = (await Promise.all(calls)).map((result) => result.outcome)
  assert.deepEqual(outcomes, ['cancelled', 'cancelled', 'cancelled', 'cancelled'])
  await fs.promises.readFile(__filename)
  const elapsed = since(aborted)
  assert.ok(elapsed < 3000, `settled and read a file ${elapsed} ms after the abort`)
  assert.equal(hello(), 'hello from stdout\n')
})

test('Program.compileAsync stops when its signal aborts, compiling or queued, with an AbortError', async () => {
  const { getEventListeners } = require('node:events')
  // Four bombs on every thread of libuv's default pool, and a fifth waiting behind them.
  const controller = new AbortController()
  const compiles = Array.from({ length: 5 }, () => Program.compileAsync(bomb, { timeoutMs: 60_000 }, controller.signal))
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(getEventListeners(controller.signal, 'abort').length, 5)
  const aborted = process.hrtime.bigint()
  controller.abort()
  for (const settled of await Promise.allSettled(compiles)) {
    assert.equal(settled.status, 'rejected')
    assert.ok(settled.reason instanceof Error)
    assert.deepEqual([settled.reason.name, settled.reason.code, settled.reason.message], ['AbortError', 'ABORT_ERR', 'the compile was aborted'])
    // The signal's reason is the cause, as Node's own APIs give it.
    assert.equal(settled.reason.cause, controller.signal.reason)
  }
  const elapsed = since(aborted)
  assert.ok(elapsed < 3000, `rejected ${elapsed} ms after the abort`) // sanity bound: a compile takes 40 s
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  // Queued behind four compiles that hold every thread of the pool: an abort rejects it at
  // once, as an aborted run that has not started resolves at once.
  const busy = new AbortController()
  const holding = Array.from({ length: 4 }, () => Program.compileAsync(bomb, { timeoutMs: 60_000 }, busy.signal).catch((error) => error.name))
  const waiting = new AbortController()
  const queued = Program.compileAsync(guest('hello'), null, waiting.signal)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const abortedQueued = process.hrtime.bigint()
  waiting.abort()
  await assert.rejects(queued, { name: 'AbortError', code: 'ABORT_ERR' })
  assert.ok(since(abortedQueued) < 1000, `rejected ${since(abortedQueued)} ms after the abort, while 40 s compiles held the pool`)
  busy.abort()
  assert.deepEqual(await Promise.all(holding), ['AbortError', 'AbortError', 'AbortError', 'AbortError'])
  // Aborted while its listener was being added (before it was in): aborted all the same.
  const racing = new AbortController()
  const add = racing.signal.addEventListener.bind(racing.signal)
  racing.signal.addEventListener = (...args) => {
    racing.abort()
    add(...args)
  }
  await assert.rejects(Program.compileAsync(guest('hello'), null, racing.signal), { name: 'AbortError' })
  // Aborted already: rejected without compiling, even a program the cache holds.
  new Program(guest('hello'))
  await assert.rejects(Program.compileAsync(guest('hello'), null, AbortSignal.abort('enough')), { name: 'AbortError', code: 'ABORT_ERR', cause: 'enough' })
  // A signal that never aborts: the program, and no listener left behind.
  const idle = new AbortController()
  assert.equal((await Program.compileAsync(guest('hello'), undefined, idle.signal)).run().stdout.toString(), 'hello from stdout\n')
  assert.equal(getEventListeners(idle.signal, 'abort').length, 0)
  await assert.rejects(Program.compileAsync(guest('hello'), null, {}), { code: 'ERR_INVALID_OPTIONS', message: 'signal must be an AbortSignal' })
  assert.equal(hello(), 'hello from stdout\n')
})

/**
 * Runs `script` (given `runWasi`, `bytes` read from a file holding `wasm`, and `hello`) in a
 * child process with `env` added, through `shell` (`ulimit` settings) if given, and returns what
 * it printed as JSON, with the child's peak RSS as `hwm`.
 */
function inChild(wasm, script, { env = {}, shell = '' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bomb-'))
  const file = path.join(dir, 'bomb.wasm')
  fs.writeFileSync(file, wasm)
  const source = `
    const { runWasi } = require(${JSON.stringify(path.join(__dirname, '..'))})
    const fs = require('fs')
    const bytes = fs.readFileSync(${JSON.stringify(file)})
    const hello = fs.readFileSync(${JSON.stringify(path.join(__dirname, '..', 'tests', 'guests', 'target', 'wasm32-wasip2', 'release', 'hello.wasm'))})
    const attempt = (f) => { try { return f() } catch (e) { return { code: e.code, message: e.message } } }
    const value = (() => { ${script} })()
    const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024
    process.stdout.write(JSON.stringify({ ...value, hwm }))`
  fs.writeFileSync(path.join(dir, 'child.js'), source)
  const command = `${shell} exec "${process.execPath}" "${path.join(dir, 'child.js')}"`
  const output = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env } })
  fs.rmSync(dir, { recursive: true })
  return JSON.parse(output)
}

test('a compilation past the compiler memory cap is ERR_COMPILE_LIMIT; the host stays small', () => {
  // A 512 MiB cap: a million-term expression needs about 700 MB.
  const { error, again, out, hwm } = inChild(
    longExpression(1_000_000),
    `return {
      error: attempt(() => runWasi(bytes, { limits: { timeoutMs: 120000 } })),
      again: attempt(() => runWasi(bytes)).code,
      out: runWasi(hello).stdout.toString(),
    }`,
    { env: { HERMETIC_WASI_COMPILE_MEMORY_BYTES: String(512 << 20) } },
  )
  assert.deepEqual(error, {
    code: 'ERR_COMPILE_LIMIT',
    message: 'compiling the program needs more than 512 MiB of memory',
  })
  assert.equal(again, 'ERR_COMPILE_LIMIT', 'cached like an invalid upload')
  assert.equal(out, 'hello from stdout\n')
  assert.ok(hwm < 400 << 20, `the host peaked at ${hwm >> 20} MiB`)
})

test('the compiler memory cap follows a lower ulimit -d, and a bad setting is ERR_INVALID_OPTIONS', () => {
  const { error, out } = inChild(
    longExpression(1_000_000),
    `return { error: attempt(() => runWasi(bytes, { limits: { timeoutMs: 120000 } })), out: runWasi(hello).stdout.toString() }`,
    { shell: 'ulimit -d 600000;' }, // KiB: 585 MiB
  )
  assert.deepEqual(error, { code: 'ERR_COMPILE_LIMIT', message: 'compiling the program needs more than 585 MiB of memory' })
  assert.equal(out, 'hello from stdout\n')
  const bad = inChild(Buffer.alloc(0), `return { error: attempt(() => runWasi(hello)) }`, {
    env: { HERMETIC_WASI_COMPILE_MEMORY_BYTES: 'lots' },
  })
  assert.deepEqual(bad.error, {
    code: 'ERR_INVALID_OPTIONS',
    message: 'HERMETIC_WASI_COMPILE_MEMORY_BYTES must be a number of bytes of at least 268435456, got "lots"',
  })
})

test('compiled code past 512 MiB is refused before the host reads it (data images of 640 MiB from 1 KB of text)', () => {
  // Two one-byte data segments almost 16 MiB apart make wasmtime build an image of them per
  // memory (it builds sparse images up to 16 MiB).
  const memories = Array.from({ length: 40 }, (_, i) =>
    `(memory $m${i} 256) (data (memory $m${i}) (i32.const 0) "a") (data (memory $m${i}) (i32.const 16777214) "b")`)
  const wat = `(module ${memories.join(' ')} (func (export "_start")))`
  const { error, hwm } = inChild(Buffer.from(wat), `return { error: attempt(() => runWasi(bytes.toString(), { limits: { timeoutMs: 60000 } })) }`)
  assert.deepEqual(error, { code: 'ERR_COMPILE_LIMIT', message: 'the compiled program is larger than 512 MiB' })
  assert.ok(hwm < 200 << 20, `the host peaked at ${hwm >> 20} MiB`)
})

test('WebAssembly text is parsed by the compiler process, within the budget', () => {
  // 24 MB of text took the host 3.9 s and 1.8 GB to parse.
  const { result, hwm } = inChild(
    Buffer.from(`(module ${'(func)'.repeat(4_000_000)})`),
    `const start = process.hrtime.bigint()
    const r = runWasi(bytes.toString(), { limits: { timeoutMs: 300 } })
    return { result: [r.outcome, Number(process.hrtime.bigint() - start) / 1e6 < 2000] }`,
  )
  assert.deepEqual(result, ['timeout', true])
  assert.ok(hwm < 400 << 20, `the host peaked at ${hwm >> 20} MiB`)
})

test('a compiler process that stops reading costs the budget, not a hang', () => {
  // A stopped idle compiler cannot take a request bigger than a pipe's buffer (hello is 84 KB).
  const { result } = inChild(
    Buffer.alloc(0),
    `runWasi(hello)
    const children = fs.readdirSync('/proc/self/task').flatMap((t) => fs.readFileSync('/proc/self/task/' + t + '/children', 'utf8').split(' ')).filter(Boolean)
    for (const pid of children) process.kill(Number(pid), 'SIGSTOP')
    const other = Buffer.concat([hello, Buffer.from([0, 2, 1, 0x78])])
    const start = process.hrtime.bigint()
    const r = runWasi(other, { limits: { timeoutMs: 500 } })
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6
    for (const pid of children) try { process.kill(Number(pid), 'SIGKILL') } catch {}
    return { result: [r.outcome, elapsed < 2000] }`,
  )
  assert.deepEqual(result, ['timeout', true])
})

test('compiler processes load the addon the host loaded, even when its file is gone since', () => {
  // The host loads a copy under a name that does not end in .node and compiles once (which
  // pins the file), then the copy is removed (an upgrade in place): new compiler processes,
  // for the killed one and for distinct bytes, still start, through /proc.
  const { result } = inChild(
    Buffer.alloc(0),
    `const copy = require('path').join(require('os').tmpdir(), 'hw-' + process.pid + '.so')
    fs.copyFileSync(${JSON.stringify(path.join(__dirname, '..', 'hermetic-wasi.linux-x64-gnu.node'))}, copy)
    const m = { exports: {} }
    process.dlopen(m, copy)
    m.exports.runWasi(hello)
    fs.rmSync(copy)
    const bomb = ${JSON.stringify(`(module ${'(func)'.repeat(200_000)})`)}
    const stopped = m.exports.runWasi(bomb, { limits: { timeoutMs: 200 } }).outcome
    const r = m.exports.runWasi(Buffer.concat([hello, Buffer.from([0, 2, 1, 0x79])]))
    return { result: [stopped, r.outcome, r.stdout.toString()] }`,
  )
  assert.deepEqual(result, ['timeout', 'exited', 'hello from stdout\n'])
})

test('compiler processes are reaped: no zombies, at most two idle', () => {
  const children = fs
    .readdirSync(`/proc/${process.pid}/task`)
    .flatMap((task) => fs.readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').split(' '))
    .filter(Boolean)
  const states = children.map((pid) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0])
  assert.ok(children.length <= 2, `${children.length} children`)
  assert.ok(!states.includes('Z'), `states ${states}`)
})
