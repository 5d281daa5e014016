// Misuse throws an Error with a stable code and a message naming the problem.
const test = require('node:test')
const assert = require('node:assert/strict')

const { runWasi } = require('..')
const { guest } = require('./guests')

function throws(args, code, message) {
  assert.throws(
    () => runWasi(...args),
    (error) => {
      assert.ok(error instanceof Error)
      assert.equal(error.code, code)
      assert.equal(error.message, message)
      return true
    },
  )
}

const NOT_WASM = 'not a WebAssembly binary (it does not start with \\0asm)'

test('ERR_INVALID_WASM', () => {
  throws([], 'ERR_INVALID_WASM', 'wasm must be a Uint8Array or a string of WebAssembly text, got undefined')
  throws([42], 'ERR_INVALID_WASM', 'wasm must be a Uint8Array or a string of WebAssembly text, got a number')
  throws([[0, 97, 115, 109]], 'ERR_INVALID_WASM', 'wasm must be a Uint8Array or a string of WebAssembly text, got an array')
  throws([new Uint16Array(8)], 'ERR_INVALID_WASM', 'wasm must be a Uint8Array or a string of WebAssembly text, got a typed array')
  throws([new Uint8Array()], 'ERR_INVALID_WASM', NOT_WASM)
  throws([Buffer.from('hello world')], 'ERR_INVALID_WASM', NOT_WASM)
  throws(
    [Buffer.from('0061736d01000000', 'hex')],
    'ERR_INVALID_WASM',
    'the module does not export `_start` as a function without parameters or results, so it is not a WASI command',
  )
})

test('ERR_INVALID_WASM: a truncated component', () => {
  const hello = guest('hello')
  assert.throws(
    () => runWasi(hello.subarray(0, hello.length >> 1)),
    (error) => error.code === 'ERR_INVALID_WASM' && error.message.startsWith('invalid component: '),
  )
})

test('ERR_INVALID_OPTIONS', () => {
  const hello = guest('hello')
  const cases = [
    [5, 'options must be an object, got a number'],
    ['x', 'options must be an object, got a string'],
    [{ args: 'a' }, 'options.args must be an array of strings, got a string'],
    [{ args: ['a', 1] }, 'options.args[1] must be a string, got a number'],
    [{ programName: null, args: [{}] }, 'options.args[0] must be a string, got an object'],
    [{ programName: 3 }, 'options.programName must be a string, got a number'],
    [{ env: ['A=B'] }, 'options.env must be an object of strings, got an array'],
    [{ env: { A: 1 } }, 'options.env.A must be a string, got a number'],
    [{ env: { 'A=B': 'x' } }, 'env names must be non-empty without \'=\' or NUL: "A=B"'],
    [{ args: ['a\0b'] }, 'args and programName must not contain NUL characters: "a\\0b"'],
    [{ stdin: 5 }, 'options.stdin must be a string or a Uint8Array, got a number'],
    [{ stdin: new Int32Array(2) }, 'options.stdin must be a string or a Uint8Array, got a typed array'],
    [{ seed: -1 }, 'options.seed must be an integer from 0 to 18446744073709551615'],
    [{ seed: 1.5 }, 'options.seed must be an integer from 0 to 18446744073709551615'],
    [{ seed: 2 ** 60 }, "options.seed is 1152921504606846976, a number above 2^53 - 1 (Number.MAX_SAFE_INTEGER), where numbers lose their lowest digits: pass it as a bigint (1152921504606846976n, or BigInt('...') from its decimal digits)"],
    [{ seed: 2n ** 64n }, 'options.seed must be an integer from 0 to 18446744073709551615'],
    [{ seed: -1n }, 'options.seed must be an integer from 0 to 18446744073709551615'],
    [{ seed: '1' }, 'options.seed must be a number or a bigint, got a string'],
    [{ startTime: new Date(NaN) }, 'options.startTime must be a valid Date not before 1970'],
    [{ startTime: new Date(-1) }, 'options.startTime must be a valid Date not before 1970'],
    [{ startTime: -5 }, 'options.startTime must be an integer from 0 to 8640000000000000'],
    [{ startTime: '2020-01-01' }, 'options.startTime must be a Date or a number, got a string'],
  ]
  for (const [options, message] of cases) {
    throws([hello, options], 'ERR_INVALID_OPTIONS', message)
  }
})

test('null and undefined options are the defaults', () => {
  const hello = guest('hello')
  const expected = runWasi(hello)
  assert.deepEqual(runWasi(hello, undefined), expected)
  assert.deepEqual(runWasi(hello, null), expected)
  assert.deepEqual(runWasi(hello, { args: undefined, env: null }), expected)
})

test('the wasm bytes are copied before any option getter runs', () => {
  const bytes = guest('hello')
  const buffer = new ArrayBuffer(bytes.length, { maxByteLength: bytes.length })
  new Uint8Array(buffer).set(bytes)
  const options = {
    get args() {
      buffer.resize(0) // shrinks the caller's array under a borrowed slice
      return ['x']
    },
  }
  const result = runWasi(new Uint8Array(buffer), options)
  assert.equal(result.outcome, 'exited')
  assert.equal(result.stdout.toString(), 'hello from stdout\n')
})

test('env takes only own enumerable properties', () => {
  const env = Object.create({ INHERITED: 'from the prototype' })
  env.OWN = 'yes'
  Object.defineProperty(env, 'HIDDEN', { value: 'not enumerable', enumerable: false })
  env[Symbol('sym')] = 'symbol keys are skipped'
  const result = runWasi(guest('args_env'), { env })
  assert.equal(result.stdout.toString(), 'arg[0]=main\nenv OWN=yes\ncwd=Some("/")\n')
})
