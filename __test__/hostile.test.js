// Hostile uploads and options that once killed or stalled the host (#11). Each attack runs in a
// child process, where an abort would end only the child, and is followed there by a normal run.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Program, runWasi } = require('..')
const { preview1 } = require('../tests/determinism/bounds')

/** A preview1 module that creates `big` in the preopened root and sets its size, printing the errno. */
const setSize = (bytes) =>
  preview1(
    `(local $fd i32)
    (call $print (i64.extend_i32_u (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const 3)
      (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 256))))
    (call $print (i64.extend_i32_u (call $set_size (i32.load (i32.const 256)) (i64.const ${bytes}))))`,
    {
      imports: `(import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $set_size (param i32 i64) (result i32)))`,
      extra: '(data (i32.const 2048) "big")',
    },
  )

/**
 * Runs `script` (the body of an async function given `runWasi` and the hello guest) in a child
 * process, then a normal run there, and returns what the script returned.
 */
function inChild(script) {
  const source = `
    const { runWasi } = require(${JSON.stringify(path.join(__dirname, '..'))})
    const hello = require('fs').readFileSync(${JSON.stringify(path.join(__dirname, '..', 'tests', 'guests', 'target', 'wasm32-wasip2', 'release', 'hello.wasm'))})
    ;(async () => {
      const value = await (async () => { ${script} })()
      const after = runWasi(hello).stdout.toString()
      process.stdout.write(JSON.stringify({ value, after }))
    })()`
  const output = JSON.parse(execFileSync(process.execPath, ['-e', source], { encoding: 'utf8' }))
  assert.equal(output.after, 'hello from stdout\n', 'a normal run after the attack')
  return output.value
}

test('a file set to 500 GB under fsBytes Infinity (4 GiB) fails with ENOSPC; the run goes on', () => {
  // fsBytes Infinity allows a 4 GiB file at most (what a Buffer holds): 500 GB is refused by the
  // budget; it used to abort Node ("memory allocation of 500000000000 bytes failed").
  const value = inChild(`
    const r = runWasi(${JSON.stringify(setSize(500e9))}, { files: {}, limits: { fsBytes: Infinity } })
    return [r.outcome, r.stdout.toString(), r.files.big.length]`)
  assert.deepEqual(value, ['exited', '0\n51\n', 0]) // 51: ENOSPC
})

test('limits on what the result holds cannot be set above what a Buffer holds', () => {
  for (const name of ['outputBytes', 'fsBytes']) {
    for (const bytes of [2 ** 32 + 1, 1e12, Number.MAX_SAFE_INTEGER]) {
      assert.throws(() => runWasi(setSize(1), { limits: { [name]: bytes } }), {
        code: 'ERR_INVALID_OPTIONS',
        message: `options.limits.${name} must be at most 4294967296 (what a Buffer holds), or Infinity for that much`,
      })
    }
    // At the maximum, and Infinity (which means the maximum), the run goes ahead.
    for (const bytes of [2 ** 32, Infinity]) {
      const result = runWasi(setSize(10), { files: {}, limits: { [name]: bytes } })
      assert.equal(result.stdout.toString(), '0\n0\n')
      assert.equal(result.files.big.length, 10)
    }
  }
})

test('a cacheDir other users may write is refused, on every call and every later compile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hermetic-wasi-shared-'))
  const refused = {
    code: 'ERR_INVALID_OPTIONS',
    message: `cacheDir ${dir} is writable by other users, who could plant native code in it; make it writable by its owner only (chmod go-w)`,
  }
  // (A planted FIFO or symlink in the cache: tests/all/disk_cache.rs.)
  const wasm = setSize(1)
  assert.equal(runWasi(wasm, { cacheDir: dir, files: {} }).outcome, 'exited')
  const program = new Program(wasm, { cacheDir: dir })
  const written = fs.readdirSync(dir).sort()
  assert.equal(written.length, 2) // the code and its sum file
  fs.chmodSync(dir, 0o777)
  // runWasi finds the program in its in-memory cache, and still refuses the directory.
  assert.throws(() => runWasi(wasm, { cacheDir: dir }), refused)
  assert.throws(() => new Program(wasm, { cacheDir: dir }), refused)
  // A program made before runs, but compiles for the fuel engine without the directory.
  assert.equal(program.run({ files: {}, limits: { fuel: 1e6 } }).outcome, 'exited')
  assert.deepEqual(fs.readdirSync(dir).sort(), written)
  fs.rmSync(dir, { recursive: true })
})

test('a damaged disk cache entry never reaches wasmtime: one flipped bit once broke the whole process', () => {
  // Found by an attack review: flipping 0x20 at 0x40df of this module's cached code (a byte of
  // wasmtime's metadata, on this build) made wasmtime's deserializer panic with its type
  // registry locked; the program threw, and so did every later run in the process. The
  // checksum is now checked before wasmtime reads the file, so the entry is recompiled and
  // replaced, wherever the flipped bit is.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hermetic-wasi-flip-'))
  const wat = `(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1) (data (i32.const 100) "hello A\\n")
    (func (export "_start") (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 8))
      (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`
  const script = (flip) => `const { runWasi } = require(${JSON.stringify(path.join(__dirname, '..'))})
    const fs = require('fs'), path = require('path'), dir = ${JSON.stringify(dir)}
    const code = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.cwasm')) ?? 'none')
    if (${flip} >= 0) {
      const bytes = fs.readFileSync(code)
      bytes[${flip} % bytes.length] ^= 0x20
      fs.unlinkSync(code)
      fs.writeFileSync(code, bytes)
    }
    const cached = runWasi(${JSON.stringify(wat)}, { cacheDir: dir })
    const other = runWasi('(module (func (export "_start")))')
    process.stdout.write(JSON.stringify([cached.outcome, cached.stdout.toString(), other.outcome]))`
  try {
    const expected = JSON.stringify(['exited', 'hello A\n', 'exited'])
    assert.equal(execFileSync(process.execPath, ['-e', script(-1)]).toString(), expected)
    const valid = fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f)))
    for (const flip of [0x40df, 0x4000, 0x2000, 0]) {
      assert.equal(execFileSync(process.execPath, ['-e', script(flip)], { stdio: ['ignore', 'pipe', 'ignore'] }).toString(), expected, `flip at ${flip}`)
      assert.deepEqual(fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f))), valid)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a trap backtrace cuts each function name at 1024 bytes (a 4 MB name once made 80 MB)', () => {
  const name = 'a'.repeat(4 << 20)
  const wat = `(module (memory (export "memory") 1)
    (func $${name} (call $${name}))
    (func (export "_start") (call $${name})))`
  const result = runWasi(wat)
  assert.equal(result.outcome, 'trapped')
  assert.equal(result.trap.message, 'call stack exhausted')
  assert.deepEqual(result.trap.backtrace, Array(20).fill(`${'a'.repeat(1021)}...`))
})

test('a run creates at most 100 memories, 1000 core instances and 1000 tables, however deeply nested', () => {
  const run = (body) =>
    runWasi(`(component ${body}
      (core module $main (func (export "run") (result i32) (i32.const 0))) (core instance $i (instantiate $main))
      (func $run (result (result)) (canon lift (core func $i "run")))
      (instance $r (export "run" (func $run))) (export "wasi:cli/run@0.2.0" (instance $r)))`)
  const memories = (n) => `(core module $m (memory 0)) ${'(core instance (instantiate $m))'.repeat(n)}`
  // Each empty memory used to reserve 4 GiB of address space on the on-demand engine, charged
  // to nothing: 10,000 of them took 40 TiB and made other runs fail.
  assert.equal(run(memories(99)).outcome, 'exited') // and $main: no memory
  assert.deepEqual(run(memories(101)).trap, {
    message: 'resource limit exceeded: memory count too high at 101',
    backtrace: [],
  })
  const nested = `(component $c (core module $m) ${'(core instance (instantiate $m))'.repeat(600)})
    (instance (instantiate $c)) (instance (instantiate $c))`
  assert.deepEqual(run(nested).trap, {
    message: 'resource limit exceeded: instance count too high at 1001',
    backtrace: [],
  })
  // 100 tables a module (what wasmtime's parser allows), 11 instances.
  const tables = `(core module $m ${'(table 0 funcref) '.repeat(100)}) ${'(core instance (instantiate $m))'.repeat(11)}`
  assert.deepEqual(run(tables).trap, {
    message: 'resource limit exceeded: table count too high at 1100',
    backtrace: [],
  })
  assert.equal(runWasi(setSize(0), { files: {} }).outcome, 'exited', 'a normal run afterwards')
})

test('memory the operating system refuses ends the run as hostOutOfMemory, not a guest trap', () => {
  // Six memories run on the on-demand engine, which reserves 4 GiB of address space for each:
  // more than a 20 GB `ulimit -v` holds. The next run in the same process is normal.
  const memories = (n) => `(module ${'(memory 1) '.repeat(n - 1)}(memory (export "memory") 1) (func (export "_start")))`
  const script = `
    const { runWasi } = require(${JSON.stringify(path.join(__dirname, '..'))})
    const refused = runWasi(${JSON.stringify(memories(6))})
    const fine = runWasi(${JSON.stringify(memories(2))})
    process.stdout.write(JSON.stringify([refused.outcome, refused.exitCode, refused.trap, fine.outcome]))`
  const output = execFileSync('bash', ['-c', 'ulimit -v 20000000 && exec "$0" -e "$1"', process.execPath, script], {
    encoding: 'utf8',
  })
  assert.deepEqual(JSON.parse(output), ['hostOutOfMemory', 137, null, 'exited'])
})

test('output the host cannot hold ends the run as hostOutOfMemory, not an abort', () => {
  // Writes 64 KiB at a time, forever, with no output limit, in a 6 GB address space (the
  // memory's 4 GiB reservation included): growing the captured stdout fails after 512 MiB.
  const flood = preview1(
    `(i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
    (loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))`,
    { memory: '(memory (export "memory") 2)' },
  )
  const script = `
    const { runWasi } = require(${JSON.stringify(path.join(__dirname, '..'))})
    let result = runWasi(${JSON.stringify(flood)}, { limits: { outputBytes: Infinity, timeoutMs: 60000 } })
    const seen = [result.outcome, result.exitCode, result.stdout.length > 0]
    result = null
    global.gc()
    const after = runWasi('(module (memory (export "memory") 1) (func (export "_start")))').outcome
    process.stdout.write(JSON.stringify([...seen, after]))`
  const output = execFileSync('bash', ['-c', 'ulimit -v 6000000 && exec "$0" --expose-gc -e "$1"', process.execPath, script], {
    encoding: 'utf8',
  })
  assert.deepEqual(JSON.parse(output), ['hostOutOfMemory', 137, true, 'exited'])
})

test('instance state and segments are bounded before compiling; a program at the bound instantiates quickly', (t) => {
  // The programs are made in the child: they are too big for its command line.
  const value = inChild(`
    const { Program } = require(${JSON.stringify(path.join(__dirname, '..'))})
    const { performance } = require('perf_hooks')
    const component = (module, count) => \`(component (core module $m \${module})
      \${'(core instance (instantiate $m))'.repeat(count)}
      (core module $main (func (export "run") (result i32) (i32.const 0))) (core instance $i (instantiate $main))
      (func $run (result (result)) (canon lift (core func $i "run")))
      (instance $r (export "run" (func $run))) (export "wasi:cli/run@0.2.0" (instance $r)))\`
    const globals = (n) => '(global i32 (i32.const 1))'.repeat(n)
    const bomb = component(globals(1000000), 300)
    let started = performance.now()
    // Parsing the text and measuring take longer than 100 ms.
    const early = runWasi(bomb, { limits: { memoryBytes: 1 << 20, timeoutMs: 100 } }).outcome
    const earlyMs = performance.now() - started
    started = performance.now()
    let refused
    try {
      runWasi(bomb, { limits: { memoryBytes: 1 << 20, timeoutMs: 10000 } })
    } catch (e) {
      refused = [e.code, e.message]
    }
    const refusedMs = performance.now() - started
    // About 61 MiB of state: just below the bound.
    const atBound = new Program(component(globals(400000), 10), { timeoutMs: Infinity })
    started = performance.now()
    // A generous bound: instantiating it takes tens of ms, more on a loaded machine.
    const outcome = atBound.run({ limits: { timeoutMs: 2000 } }).outcome
    const runMs = performance.now() - started
    // What an attack review found: 990 instances of 100,000 empty passive segments took 3 GB,
    // 7.8 million resource types 270 ms past the timeout (780,000 here).
    const limit = (wat) => {
      try {
        return new Program(wat, { timeoutMs: Infinity }).run().outcome
      } catch (e) {
        return e.message
      }
    }
    const passive = limit(component('(elem func)'.repeat(100000), 990))
    const types = '(type (resource (rep i32)))'.repeat(780)
    const resources = limit(\`(component (component $c \${types}) \${'(instance (instantiate $c))'.repeat(1000)})\`)
    const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024
    return { early, earlyMs, refused, refusedMs, outcome, runMs, passive, resources, hwm }`)
  t.diagnostic(JSON.stringify(value))
  // Once: 4.7 GB of RSS, and 4 s past a 100 ms timeout.
  assert.equal(value.early, 'timeout')
  assert.ok(value.earlyMs < 2500, `${value.earlyMs} ms`)
  assert.deepEqual(value.refused, [
    'ERR_COMPILE_LIMIT',
    'instantiating the program would take 4579 MiB of instance state, more than the 64 MiB a run may have',
  ])
  assert.ok(value.refusedMs < 5000, `${value.refusedMs} ms`)
  assert.equal(value.outcome, 'exited')
  assert.ok(value.runMs < 2000, `${value.runMs} ms`)
  assert.equal(
    value.passive,
    'instantiating the program would take 3023 MiB of instance state, more than the 64 MiB a run may have',
  )
  assert.equal(
    value.resources,
    'instantiating the program would take 388 MiB of instance state, more than the 64 MiB a run may have',
  )
  assert.ok(value.hwm < 1024 * 1024 * 1024, `peak RSS ${value.hwm}`)
})
