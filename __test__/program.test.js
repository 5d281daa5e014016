// Program: compile once, run many times; the same results as runWasi.
const test = require('node:test')
const assert = require('node:assert/strict')

const { Program, runWasi } = require('..')
const { guest, corpus } = require('./guests')

test('Program#run gives the same results as runWasi', () => {
  for (const [name, options] of corpus) {
    const program = new Program(guest(name))
    assert.deepEqual(program.run(options), runWasi(guest(name), options), name)
    assert.deepEqual(program.run(options), program.run(options), name)
  }
})

test('new Program throws ERR_INVALID_WASM', () => {
  assert.throws(() => new Program(Buffer.from('nope')), {
    code: 'ERR_INVALID_WASM',
    message: 'not a WebAssembly binary (it does not start with \\0asm)',
  })
  assert.throws(() => new Program('text'), { code: 'ERR_INVALID_WASM', message: 'not a WebAssembly binary (it does not start with \\0asm)' })
  // A path passed by mistake: the message says what to do instead.
  const hint = (path) => `not a WebAssembly binary (it does not start with \\0asm); "${path}" looks like a file's path: pass the file's contents, not its name`
  assert.throws(() => new Program('program.wasm'), { code: 'ERR_INVALID_WASM', message: hint('program.wasm') })
  assert.throws(() => runWasi('./dir/hello.wat'), { code: 'ERR_INVALID_WASM', message: hint('./dir/hello.wat') })
  assert.throws(() => runWasi(Buffer.from('two\nlines.wasm')), { code: 'ERR_INVALID_WASM', message: 'not a WebAssembly binary (it does not start with \\0asm)' })
})

test('Program#run throws ERR_INVALID_OPTIONS', () => {
  const program = new Program(guest('hello'))
  assert.throws(() => program.run({ seed: 'x' }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.seed must be a number or a bigint, got a string',
  })
})

/** `wasm` with a custom section naming `tag` appended: other bytes, the same program. */
function tagged(wasm, tag) {
  const name = Buffer.from(tag)
  return Buffer.concat([wasm, Buffer.from([0, name.length + 1, name.length]), name])
}

test('cacheDir keeps compiled code on disk, checked before use', () => {
  const fs = require('node:fs')
  const os = require('node:os')
  const path = require('node:path')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hermetic-wasi-'))
  try {
    const expected = runWasi(guest('hello'))
    const wasm = tagged(guest('hello'), `cache-${process.pid}`)
    assert.deepEqual(new Program(wasm, { cacheDir: dir }).run(), expected)
    // The code itself, which a later process maps, and its checksum beside it.
    const files = fs.readdirSync(dir).sort()
    assert.equal(files.length, 2)
    assert.match(files[0], /^[0-9a-f]{64}-plain-[0-9a-f]{16}\.cwasm$/)
    assert.equal(files[1], `${files[0]}.sum`)
    const entry = path.join(dir, files[0])
    const valid = fs.readFileSync(entry)
    // A fresh process, whose in-memory cache is empty, takes the entry from the disk through
    // the environment variable, or recompiles a damaged one and writes it again.
    const child = (env) => {
      const script = `const { runWasi } = require(${JSON.stringify(path.join(__dirname, '..'))});
        const r = runWasi(Buffer.from(process.argv[1], 'base64'));
        process.stdout.write(r.outcome + ' ' + r.stdout)`
      return require('node:child_process').execFileSync(
        process.execPath, ['-e', script, wasm.toString('base64')],
        { env: { ...process.env, HERMETIC_WASI_CACHE_DIR: dir, ...env } },
      ).toString()
    }
    assert.equal(child(), 'exited hello from stdout\n')
    fs.writeFileSync(entry, valid.subarray(0, 1000))
    assert.equal(child(), 'exited hello from stdout\n')
    assert.deepEqual(fs.readFileSync(entry), valid)
  } finally {
    fs.rmSync(dir, { recursive: true })
  }
})

test('a bad cacheDir is ERR_INVALID_OPTIONS', () => {
  assert.throws(() => new Program(guest('hello'), { cacheDir: 5 }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.cacheDir must be a string, got a number',
  })
  assert.throws(() => runWasi(guest('hello'), { cacheDir: '' }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.cacheDir must be a non-empty path without NUL characters',
  })
})

test('Program.compileAsync compiles on the thread pool, to the program new Program makes', async () => {
  // Bytes no cache holds: a real compile, in a compiler process. The event loop turns while it
  // runs (were it synchronous, the promise would settle before any timer fired).
  const wasm = tagged(guest('hello'), `compileAsync ${process.pid} ${Date.now()}`)
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const program = await Program.compileAsync(wasm)
  clearInterval(timer)
  assert.ok(ticks > 0, 'the event loop turned during the compile')
  assert.ok(program instanceof Program)
  assert.deepEqual(program.run(), runWasi(guest('hello')))
  assert.deepEqual(await program.runAsync({ args: ['x'] }), runWasi(wasm, { args: ['x'] }))
  // Text, and a cached program, too.
  const wat = '(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))) (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 3))))'
  assert.equal((await Program.compileAsync(wat, null)).run().exitCode, 3)
  assert.equal((await Program.compileAsync(wat, { timeoutMs: 1000 })).run().exitCode, 3)
})

test('Program.compileAsync rejects, never throws, with the errors of new Program', async () => {
  const refusals = [
    [[Buffer.from('nope')], { code: 'ERR_INVALID_WASM', message: 'not a WebAssembly binary (it does not start with \\0asm)' }],
    [[42], { code: 'ERR_INVALID_WASM' }],
    [[guest('hello'), { timeoutMs: 'x' }], { code: 'ERR_INVALID_OPTIONS' }],
    [[guest('hello'), 7], { code: 'ERR_INVALID_OPTIONS', message: 'options must be an object, got a number' }],
  ]
  for (const [args, expected] of refusals) {
    let sync
    assert.throws(() => new Program(...args), (error) => {
      sync = error
      return true
    })
    const promise = Program.compileAsync(...args)
    assert.ok(promise instanceof Promise)
    await assert.rejects(promise, expected)
    await assert.rejects(Program.compileAsync(...args), { code: sync.code, message: sync.message })
  }
  // A getter that throws: the promise rejects with what it threw.
  const thrown = new Error('from a getter')
  const options = {
    get cacheDir() {
      throw thrown
    },
  }
  await assert.rejects(Program.compileAsync(guest('hello'), options), (error) => error === thrown)
  // Whatever it threw, an Error or not, from the options or the signal: never thrown at the
  // caller (a Symbol once was, uncatchable by .catch), never replaced.
  for (const value of [Symbol('s'), 42, 'text', null, undefined, thrown]) {
    const getter = { get timeoutMs() { throw value } }
    const signal = { aborted: false, addEventListener() { throw value }, removeEventListener() {} }
    for (const args of [[guest('hello'), getter], [guest('hello'), null, signal]]) {
      const promise = Program.compileAsync(...args)
      await assert.rejects(promise, (error) => error === value)
    }
  }
})
