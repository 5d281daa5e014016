// runWasiAsync and Program#runAsync: the thread pool, the same results, AbortSignal.
const test = require('node:test')
const assert = require('node:assert/strict')
const { getEventListeners } = require('node:events')

const { Program, runWasi, runWasiAsync } = require('..')
const { guest, corpus } = require('./guests')

// Long enough that only an abort ends these runs within the test.
const NO_TIMEOUT = { limits: { timeoutMs: 60_000 } }

test('async runs give the same results as sync runs', async () => {
  for (const [name, options] of corpus) {
    const sync = runWasi(guest(name), options)
    assert.deepEqual(await runWasiAsync(guest(name), options), sync, name)
    assert.deepEqual(await new Program(guest(name)).runAsync(options), sync, name)
  }
})

test('many runs in flight at once give the same results as sequential runs', async () => {
  const runs = [...corpus, ...corpus, ...corpus]
  const programs = new Map(corpus.map(([name]) => [name, new Program(guest(name))]))
  const sequential = runs.map(([name, options]) => programs.get(name).run(options))
  const parallel = await Promise.all(
    runs.map(([name, options], i) =>
      i % 2 ? programs.get(name).runAsync(options) : runWasiAsync(guest(name), options),
    ),
  )
  assert.deepEqual(parallel, sequential)
})

test('aborting a spinning run ends it as cancelled with its output; the next run is normal', async () => {
  const program = new Program(guest('spin'))
  const controller = new AbortController()
  const started = Date.now()
  const pending = program.runAsync(NO_TIMEOUT, controller.signal)
  setTimeout(() => controller.abort(), 100)
  const result = await pending
  const elapsed = Date.now() - started
  assert.equal(result.outcome, 'cancelled')
  assert.equal(result.exitCode, 137)
  assert.equal(result.stdout.toString(), 'spinning\n')
  assert.ok(elapsed < 5_000, `cancelled after ${elapsed} ms`) // sanity bound only
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  const hello = await runWasiAsync(guest('hello'), {}, new AbortController().signal)
  assert.equal(hello.outcome, 'exited')
  assert.equal(hello.stdout.toString(), 'hello from stdout\n')
})

test('an already aborted signal cancels the run before it starts', async () => {
  const result = await runWasiAsync(guest('hello'), { limits: { fuel: 1000 } }, AbortSignal.abort())
  assert.deepEqual(result, {
    outcome: 'cancelled',
    exitCode: 137,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    virtualTimeNs: 0n,
    fuelConsumed: 0n,
    files: {},
  })
  // Aborted while its listener was being added, before it was in: the same.
  const racing = new AbortController()
  const add = racing.signal.addEventListener.bind(racing.signal)
  racing.signal.addEventListener = (...args) => {
    racing.abort()
    add(...args)
  }
  assert.equal((await runWasiAsync(guest('hello'), {}, racing.signal)).outcome, 'cancelled')
})

test('aborting a queued run cancels it without running it', async () => {
  // Fill every thread of the pool (4 by default) with spinning runs, so the next one queues.
  const program = new Program(guest('spin'))
  const spinners = new AbortController()
  const busy = Array.from({ length: 4 }, () => program.runAsync(NO_TIMEOUT, spinners.signal))
  const queued = new AbortController()
  const pending = runWasiAsync(guest('hello'), {}, queued.signal)
  queued.abort()
  const result = await pending
  assert.equal(result.outcome, 'cancelled')
  assert.equal(result.stdout.length, 0)
  assert.equal(result.virtualTimeNs, 0n)
  spinners.abort()
  for (const run of await Promise.all(busy)) assert.equal(run.outcome, 'cancelled')
})

test('a signal is left as it was: one listener per run, removed when the run ends', async () => {
  const controller = new AbortController()
  const onabort = () => {}
  controller.signal.onabort = onabort // an `abort` listener of its own
  const runs = [1, 2, 3].map(() => runWasiAsync(guest('hello'), {}, controller.signal))
  assert.equal(getEventListeners(controller.signal, 'abort').length, 4)
  await Promise.all(runs)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
  assert.equal(controller.signal.onabort, onabort)
})

test('async calls reject, never throw, with the coded errors of the sync API', async () => {
  await assert.rejects(runWasiAsync(42), {
    code: 'ERR_INVALID_WASM',
    message: 'wasm must be a Uint8Array or a string of WebAssembly text, got a number',
  })
  await assert.rejects(runWasiAsync(Buffer.from('nope')), {
    code: 'ERR_INVALID_WASM',
    message: 'not a WebAssembly binary (it does not start with \\0asm)',
  })
  await assert.rejects(runWasiAsync(guest('hello'), { seed: 'x' }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.seed must be a number or a bigint, got a string',
  })
  await assert.rejects(runWasiAsync(guest('hello'), {}, { aborted: false }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'signal must be an AbortSignal',
  })
  await assert.rejects(new Program(guest('hello')).runAsync({ env: { 'A=B': 'c' } }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'env names must be non-empty without \'=\' or NUL: "A=B"',
  })
})

test('an exception thrown by the caller\'s own getters rejects the promise', async () => {
  const boom = new Error('boom')
  const options = {
    get env() {
      throw boom
    },
  }
  await assert.rejects(runWasiAsync(guest('hello'), options), (error) => error === boom)
  const signal = {
    aborted: false,
    addEventListener() {
      throw boom
    },
    removeEventListener() {},
  }
  await assert.rejects(runWasiAsync(guest('hello'), {}, signal), (error) => error === boom)
})

test('a signal whose removeEventListener throws does not crash the process', async () => {
  const listeners = []
  const signal = {
    aborted: false,
    addEventListener: (type, listener) => listeners.push(listener),
    removeEventListener() {
      throw new Error('cannot remove')
    },
  }
  const result = await runWasiAsync(guest('hello'), {}, signal)
  assert.equal(result.outcome, 'exited')
  assert.equal(listeners.length, 1)
  // Give an uncaught exception from the completion callback the chance to surface.
  await new Promise((resolve) => setImmediate(resolve))
})
