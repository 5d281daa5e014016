// Preview1 core modules and WebAssembly text through the public API.
const test = require('node:test')
const assert = require('node:assert/strict')

const { Program, runWasi, runWasiAsync } = require('..')
const { guest, guestP1 } = require('./guests')

test('a preview1 module gives the same output as the component build of the same program', () => {
  const module = runWasi(guestP1('hello'))
  assert.deepEqual(module, runWasi(guestP1('hello')))
  assert.deepEqual(module, runWasi(guest('hello')))
  const sleep = runWasi(guestP1('sleep'))
  assert.equal(sleep.virtualTimeNs, runWasi(guest('sleep')).virtualTimeNs)
})

test('proc_exit(n) is exitCode n', () => {
  const program = new Program(guestP1('p1_exit'))
  for (const code of [0, 3, 126, 255, 256]) {
    const result = program.run({ args: [String(code)] })
    assert.equal(result.outcome, 'exited')
    assert.equal(result.exitCode, code)
    assert.equal(result.stdout.toString(), `exiting with ${code}\n`)
  }
})

test('preview1 files: seeded, changed, handed back', async () => {
  const options = { args: ['100'], files: { 'in.txt': 'hello files', old: { type: 'symlink', target: 'in.txt' } } }
  const result = runWasi(guestP1('p1_files'), options)
  assert.equal(result.outcome, 'exited')
  assert.equal(
    result.stdout.toString(),
    'read "hello files"\nmoved/a/f.txt: "moved with its directory"\nls / ["in.txt", "moved", "new", "out"]\n' +
      'copy.txt: 11 bytes, modified SystemTime { tv_sec: 1257894000, tv_nsec: 2000 }\n' +
      'wrote 100 bytes\nstill running\n',
  )
  assert.deepEqual(await runWasiAsync(guestP1('p1_files'), options), result)
  assert.deepEqual(Object.keys(result.files), [
    'big',
    'in.txt',
    'moved',
    'moved/a',
    'moved/a/f.txt',
    'new',
    'out',
    'out/copy.txt',
  ])
  assert.equal(result.files.big.length, 100)
  assert.deepEqual(result.files['out/copy.txt'], Buffer.from('HELLO FILES'))
  assert.deepEqual(result.files.new, { type: 'symlink', target: 'in.txt' })
})

// A module that writes "hi from text\n" with fd_write and exits with 7.
const WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi from text\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit (i32.const 7))))`

test('WebAssembly text runs, as a string or as bytes', () => {
  for (const wasm of [WAT, Buffer.from(WAT)]) {
    const result = runWasi(wasm)
    assert.equal(result.outcome, 'exited')
    assert.equal(result.exitCode, 7)
    assert.equal(result.stdout.toString(), 'hi from text\n')
  }
  assert.throws(() => runWasi('(module (func'), (error) => {
    assert.equal(error.code, 'ERR_INVALID_WASM')
    assert.match(error.message, /^invalid WebAssembly text: /)
    return true
  })
})
