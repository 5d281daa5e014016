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
  assert.throws(() => new Program('text'), { code: 'ERR_INVALID_WASM', message: 'wasm must be a Uint8Array, got a string' })
})

test('Program#run throws ERR_INVALID_OPTIONS', () => {
  const program = new Program(guest('hello'))
  assert.throws(() => program.run({ seed: 'x' }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.seed must be a number or a bigint, got a string',
  })
})
