// Timed output events: every write of the guest, in order, with its virtual time.
const test = require('node:test')
const assert = require('node:assert/strict')

const { runWasi, runWasiAsync, Program } = require('..')
const { guest, guestP1 } = require('./guests')

/** The events of a result as plain [stream, text, timeNs] triples. */
const plain = (result) => result.events.map((e) => [e.stream, e.data.toString(), e.timeNs])

/** The bytes of one stream's events, one after the other. */
const joined = (result, stream) => Buffer.concat(result.events.filter((e) => e.stream === stream).map((e) => e.data))

// ticks: stdout and stderr in turn around sleeps of 250 ms and 1 s; "tick 2, " and "same
// time\n" are two writes at one virtual time, merged into one event.
const TICKS = [
  ['stdout', 'tick 1\n', 0n],
  ['stderr', 'warn 1\n', 0n],
  ['stdout', 'tick 2, same time\n', 250_000_000n],
  ['stderr', 'warn 2\n', 1_250_000_000n],
  ['stdout', 'done\n', 1_250_000_000n],
]

test('events: every write in order, with its stream and virtual time, for components and preview1', async () => {
  for (const wasm of [guest('ticks'), guestP1('ticks')]) {
    const program = new Program(wasm)
    const results = [
      runWasi(wasm, { events: true }),
      runWasi(wasm, { events: true }),
      await runWasiAsync(wasm, { events: true }),
      program.run({ events: true }),
      await program.runAsync({ events: true }),
    ]
    for (const result of results) {
      assert.deepEqual(plain(result), TICKS)
      assert.deepEqual(result, results[0])
    }
    assert.equal(results[0].virtualTimeNs, 1_250_000_000n)
    assert.equal(results[0].stdout.toString(), 'tick 1\ntick 2, same time\ndone\n')
  }
})

test('events are only there when asked for, and do not change the rest of the result', () => {
  const plainRun = runWasi(guest('ticks'))
  assert.equal('events' in plainRun, false)
  assert.equal('events' in runWasi(guest('ticks'), { events: false }), false)
  const { events, ...rest } = runWasi(guest('ticks'), { events: true })
  assert.equal(events.length, 5)
  assert.deepEqual(rest, plainRun)
  assert.deepEqual(Object.keys(runWasi(guest('ticks'), { events: true })), [
    'outcome',
    'exitCode',
    'stdout',
    'stderr',
    'virtualTimeNs',
    'files',
    'events',
  ])
})

test("an event's data is a view of the result's stdout or stderr", () => {
  const result = runWasi(guest('ticks'), { events: true })
  const [first, second] = result.events
  assert.ok(Buffer.isBuffer(first.data))
  assert.equal(first.data.buffer, result.stdout.buffer)
  assert.equal(first.data.byteOffset, result.stdout.byteOffset)
  assert.equal(second.data.byteOffset, result.stderr.byteOffset)
})

test('output cut at outputBytes: the events hold exactly the bytes kept', () => {
  const result = runWasi(guest('flood'), { events: true, limits: { outputBytes: 1000 } })
  assert.equal(result.outcome, 'outputExceeded')
  assert.equal(result.stdout.length, 1000)
  assert.deepEqual(joined(result, 'stdout'), result.stdout)
  assert.deepEqual(joined(result, 'stderr'), Buffer.alloc(0))
  // flood writes without reading the clock, so its writes are one event.
  assert.deepEqual(
    result.events.map((e) => [e.stream, e.data.length, e.timeNs]),
    [['stdout', 1000, 0n]],
  )
})

// 100,001 one-byte writes, to stdout and stderr in turn: no two can merge.
const ALTERNATING = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ab")
  (func (export "_start") (local $i i32)
    (i32.store (i32.const 4) (i32.const 1))
    (loop $l
      (i32.store (i32.const 0) (i32.add (i32.const 16) (i32.and (local.get $i) (i32.const 1))))
      (drop (call $fd_write (i32.add (i32.const 1) (i32.and (local.get $i) (i32.const 1))) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100001))))))`

test('a run keeps at most 100,000 events: the write that would make one more ends it as outputExceeded', () => {
  const plainRun = runWasi(ALTERNATING)
  assert.equal(plainRun.outcome, 'exited')
  assert.equal(plainRun.stdout.length, 50_001)
  const result = runWasi(ALTERNATING, { events: true })
  assert.equal(result.outcome, 'outputExceeded')
  assert.equal(result.events.length, 100_000)
  assert.equal(result.stdout.length, 50_000)
  assert.equal(result.stderr.length, 50_000)
  assert.deepEqual(joined(result, 'stdout'), result.stdout)
  assert.deepEqual(joined(result, 'stderr'), result.stderr)
  assert.deepEqual(plain({ events: result.events.slice(-2) }), [
    ['stdout', 'a', 0n],
    ['stderr', 'b', 0n],
  ])
})

test('events must be a boolean', () => {
  assert.throws(() => runWasi(guest('hello'), { events: 1 }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.events must be a boolean, got a number',
  })
})

test('onOutput: each write on the JS thread as it happens, in order, all before the promise settles', async () => {
  for (const wasm of [guest('ticks'), guestP1('ticks')]) {
    const heard = []
    const result = await runWasiAsync(wasm, {
      onOutput: (event) => {
        assert.ok(Buffer.isBuffer(event.data))
        heard.push([event.stream, event.data.toString(), event.timeNs])
      },
    })
    // Not merged: "tick 2, " and "same time\n" are two writes.
    assert.deepEqual(heard, [
      ['stdout', 'tick 1\n', 0n],
      ['stderr', 'warn 1\n', 0n],
      ['stdout', 'tick 2, ', 250_000_000n],
      ['stdout', 'same time\n', 250_000_000n],
      ['stderr', 'warn 2\n', 1_250_000_000n],
      ['stdout', 'done\n', 1_250_000_000n],
    ])
    assert.equal('events' in result, false)
    assert.deepEqual(result, runWasi(wasm))
  }
})

test('onOutput and events carry every byte value exactly, short or long', async () => {
  for (const length of [256, 70_000]) {
    const input = Uint8Array.from({ length }, (_, i) => (i * 7) % 256)
    const heard = []
    const result = await runWasiAsync(guest('echo'), { stdin: input, events: true, onOutput: (e) => heard.push(e) })
    assert.deepEqual(new Uint8Array(result.stdout), input)
    assert.deepEqual(new Uint8Array(joined(result, 'stdout')), input)
    const live = Buffer.concat(heard.filter((e) => e.stream === 'stdout').map((e) => e.data))
    assert.deepEqual(new Uint8Array(live), input)
  }
})

test('onOutput hears a write while the guest still runs', async () => {
  // spin prints one line, then loops until something stops it: only an onOutput call made
  // while it runs can abort it before its 10 s timeout.
  const controller = new AbortController()
  const heard = []
  const result = await new Program(guest('spin')).runAsync(
    {
      onOutput: (event) => {
        heard.push(event.data.toString())
        controller.abort()
      },
    },
    controller.signal,
  )
  assert.deepEqual(heard, ['spinning\n'])
  assert.equal(result.outcome, 'cancelled')
  assert.equal(result.stdout.toString(), 'spinning\n')
})

test('a slow onOutput slows the guest down and loses nothing', async () => {
  const sleeper = new Int32Array(new SharedArrayBuffer(4))
  const chunks = []
  const result = await runWasiAsync(guest('flood'), {
    limits: { outputBytes: 200_000 },
    events: true,
    onOutput: (event) => {
      assert.equal(event.stream, 'stdout')
      chunks.push(event.data)
      if (chunks.length % 2000 === 0) Atomics.wait(sleeper, 0, 0, 20)
    },
  })
  assert.equal(result.outcome, 'outputExceeded')
  assert.deepEqual(Buffer.concat(chunks), result.stdout)
  assert.equal(result.stdout.length, 200_000)
  // One write per line (the last one cut), far more than the 1024 that may wait for the JS
  // thread.
  const lines = result.stdout.toString().split('\n')
  assert.equal(chunks.length, lines.length)
  assert.equal(chunks.length, 19_192)
  assert.deepEqual(chunks.slice(0, 2).map(String), ['line 0\n', 'line 1\n'])
})

test('an onOutput that throws: no more calls, the run is cancelled, the promise rejects with what it threw', async () => {
  const boom = new Error('boom')
  let calls = 0
  const rejection = await runWasiAsync(guest('spin'), {
    onOutput: () => {
      calls++
      throw boom
    },
  }).then(
    () => assert.fail('resolved'),
    (error) => error,
  )
  assert.equal(rejection, boom)
  assert.equal(calls, 1)
  assert.equal(rejection.result.outcome, 'cancelled')
  assert.equal(rejection.result.stdout.toString(), 'spinning\n')
  // A thrown primitive is the rejection as it is.
  await assert.rejects(runWasiAsync(guest('spin'), { onOutput: () => { throw 7 } }), (e) => e === 7)
})

test('onOutput is for async runs, and must be a function', async () => {
  const message = 'options.onOutput is for async runs: use runWasiAsync or Program#runAsync'
  assert.throws(() => runWasi(guest('hello'), { onOutput: () => {} }), { code: 'ERR_INVALID_OPTIONS', message })
  assert.throws(() => new Program(guest('hello')).run({ onOutput: () => {} }), { code: 'ERR_INVALID_OPTIONS', message })
  await assert.rejects(runWasiAsync(guest('hello'), { onOutput: 'log' }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.onOutput must be a function, got a string',
  })
})

test('the event loop turns while a chatty guest feeds onOutput', async () => {
  let ticks = 0
  const timer = setInterval(() => ticks++, 5)
  let delivered = 0
  const result = await runWasiAsync(guest('flood'), {
    limits: { outputBytes: 4_000_000 },
    onOutput: () => {
      delivered++
      const until = process.hrtime.bigint() + 3_000n
      while (process.hrtime.bigint() < until);
    },
  })
  clearInterval(timer)
  assert.equal(result.outcome, 'outputExceeded')
  assert.ok(delivered > 100_000, `${delivered} writes`)
  // Over a second of callbacks: a loop held by one long drain would tick once or not at all.
  assert.ok(ticks >= 20, `${ticks} ticks`)
})

test('a process that exits while onOutput runs are in flight exits at once', () => {
  const script = `
    const { runWasiAsync } = require(${JSON.stringify(require.resolve('..'))})
    const wasm = require('fs').readFileSync(${JSON.stringify(require.resolve('../tests/guests/target/wasm32-wasip2/release/flood.wasm'))})
    for (let i = 0; i < 3; i++) runWasiAsync(wasm, { limits: { timeoutMs: 60_000, outputBytes: 2 ** 32 }, onOutput() {} })
    runWasiAsync(require('fs').readFileSync(${JSON.stringify(require.resolve('../tests/guests/target/wasm32-wasip2/release/spin.wasm'))}), { limits: { timeoutMs: 60_000 } })
    setTimeout(() => process.exit(3), 300)`
  const started = Date.now()
  const child = require('node:child_process').spawnSync(process.execPath, ['-e', script], { timeout: 30_000 })
  assert.equal(child.status, 3)
  assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`)
})

test('setters on the prototypes change nothing in options and results', () => {
  let hits = 0
  const keys = [
    [Array.prototype, ['0', '1', '2', '3']],
    [Object.prototype, ['events', 'fuelConsumed', 'trap', 'stream', 'data', 'timeNs', 'files']],
  ]
  let ticks
  let args
  const ticksWasm = guestP1('ticks')
  const argsWasm = guest('args_env')
  try {
    for (const [proto, names] of keys) {
      for (const key of names) {
        // Setters only: read, an inherited key is undefined, as if absent; assigned, it counts.
        Object.defineProperty(proto, key, { set() { hits++ }, configurable: true })
      }
    }
    ticks = runWasi(ticksWasm, { events: true, limits: { fuel: 1e9 } })
    args = runWasi(argsWasm, { args: ['A'], env: { X: '1' } })
  } finally {
    for (const [proto, names] of keys) for (const key of names) delete proto[key]
  }
  assert.equal(hits, 0)
  assert.equal(ticks.outcome, 'exited')
  assert.deepEqual(plain(ticks), TICKS)
  assert.ok(Object.hasOwn(ticks, 'fuelConsumed'))
  assert.equal(args.stdout.toString(), 'arg[0]=main\narg[1]=A\nenv X=1\ncwd=Some("/")\n')
})

test('a thrown Proxy is the rejection as it is, its traps untouched', async () => {
  let trapped = 0
  const proxy = new Proxy({}, { get() { trapped++ }, has() { trapped++ }, getOwnPropertyDescriptor() { trapped++ } })
  const rejection = await runWasiAsync(guest('spin'), { onOutput: () => { throw proxy } }).catch((e) => e)
  assert.equal(rejection, proxy)
})
