// Mistakes JS lets through are refused with a code and a message that names the option and the
// rule: unknown keys (with the name most likely meant), objects that are not plain, NULs and
// lone surrogates, numbers past 2^53, classes called without `new`, methods on a foreign `this`.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const path = require('node:path')

const { runWasi, runWasiAsync, Program, Mount } = require('..')
const { guest } = require('./guests')

const hello = guest('hello')
const invalid = (message) => ({ code: 'ERR_INVALID_OPTIONS', message })
const LONE = "not well-formed Unicode: it holds a lone surrogate (\\ud800), which UTF-8 cannot encode (String.prototype.toWellFormed() replaces it)"

const cases = [
  [{ limits: { timeout: 1 } }, 'unknown option `timeout` in options.limits; did you mean `timeoutMs`?'],
  [{ limits: { timeoutms: 1 } }, 'unknown option `timeoutms` in options.limits; did you mean `timeoutMs`?'],
  [{ limits: { memory: 1 } }, 'unknown option `memory` in options.limits; did you mean `memoryBytes`?'],
  [{ limits: { args: [] } }, 'unknown option `args` in options.limits; did you mean `options.args`?'],
  [{ timeoutMs: 1 }, 'unknown option `timeoutMs` in options; did you mean `limits.timeoutMs`?'],
  [{ stdIn: 'x' }, 'unknown option `stdIn` in options; did you mean `stdin`?'],
  [{ argv: ['a'] }, 'unknown option `argv` in options; did you mean `args`?'],
  [{ args: [], zzz: 1 }, 'unknown option `zzz` in options; the options are `args`, `programName`, `env`, `stdin`, `seed`, `startTime`, `files`, `limits`, `cacheDir`, `events`, `onOutput` and `mounts`'],
  [{ env: new Map([['A', 'b']]) }, 'options.env must be a plain object, got a Map (for a Map, pass Object.fromEntries(map))'],
  [{ files: new Set() }, 'options.files must be a plain object, got a Set'],
  [{ limits: new Date() }, 'options.limits must be a plain object, got a Date'],
  [new Map(), 'options must be a plain object, got a Map (for a Map, pass Object.fromEntries(map))'],
  [{ env: { 'A\0B': 'x' } }, 'a key of options.env ("A\\0B") holds a NUL character, which no name or path may hold'],
  [{ files: { 'a\0b': 'x' } }, 'a key of options.files ("a\\0b") holds a NUL character, which no name or path may hold'],
  [{ files: { '\ud800': 'a', '\ufffd': 'b' } }, `a key of options.files ("\ufffd") is ${LONE}`],
  [{ env: { '\ud800': 'a' } }, `a key of options.env ("\ufffd") is ${LONE}`],
  [{ env: { A: 'x\ud800' } }, `options.env.A is ${LONE}`],
  [{ args: ['ok', '\ud800'] }, `options.args[1] is ${LONE}`],
  [{ programName: '\ud800' }, `options.programName is ${LONE}`],
  [{ stdin: '\ud800' }, `options.stdin is ${LONE}`],
  [{ seed: 2 ** 53 }, "options.seed is 9007199254740992, a number above 2^53 - 1 (Number.MAX_SAFE_INTEGER), where numbers lose their lowest digits: pass it as a bigint (9007199254740992n, or BigInt('...') from its decimal digits)"],
]

test('run options: every mistake is ERR_INVALID_OPTIONS naming the option and the rule', async () => {
  for (const [options, message] of cases) {
    assert.throws(() => runWasi(hello, options), invalid(message), message)
    await assert.rejects(runWasiAsync(hello, options), invalid(message), message)
    assert.throws(() => new Program(hello).run(options), invalid(message), message)
  }
  // What is right still runs: a well-formed U+FFFD, a pair of surrogates, 2^53 - 1, a class
  // instance's own keys, a null-prototype object.
  const env = Object.assign(Object.create(null), { A: '\ufffd\ud83d\ude00' })
  const result = runWasi(hello, { env, args: ['\ud83d\ude00'], seed: 2 ** 53 - 1, limits: Object.assign(Object.create(null), { fuel: 1e9 }) })
  assert.equal(result.outcome, 'exited')
})

test('Program options: unknown keys are refused too', async () => {
  const message = 'unknown option `timeout` in the options of a Program; did you mean `timeoutMs`?'
  assert.throws(() => new Program(hello, { timeout: 5 }), invalid(message))
  await assert.rejects(Program.compileAsync(hello, { timeout: 5 }), invalid(message))
  assert.throws(() => new Program(hello, { cachedir: '/tmp' }), invalid('unknown option `cachedir` in the options of a Program; did you mean `cacheDir`?'))
})

test('classes called without new, and methods on a foreign this, are TypeErrors with codes', async () => {
  for (const [call, name] of [[() => Program(hello), 'Program'], [() => Mount({}), 'Mount']]) {
    assert.throws(call, (error) => error instanceof TypeError && error.code === 'ERR_CONSTRUCT_CALL_REQUIRED' && error.message === `Class constructor ${name} cannot be invoked without 'new'`)
  }
  assert.equal(globalThis.run, undefined)
  const program = new Program(hello)
  assert.throws(() => program.run.call({}), { name: 'TypeError', code: 'ERR_INVALID_THIS', message: 'Program.prototype.run was called on an object, not on a Program' })
  assert.throws(() => Program.prototype.run.call(new Mount({})), { code: 'ERR_INVALID_THIS', message: 'Program.prototype.run was called on a Mount, not on a Program' })
  // An async method rejects rather than throws.
  await assert.rejects(program.runAsync.call(null), { code: 'ERR_INVALID_THIS', message: 'Program.prototype.runAsync was called on null, not on a Program' })
  // Instances from every path are instances of the exported classes, and still work.
  assert.ok(program instanceof Program)
  assert.ok((await Program.compileAsync(hello)) instanceof Program)
  assert.ok(new Mount({}) instanceof Mount)
  assert.equal(program.run().outcome, 'exited')
})

test('the package loads from CommonJS and ESM through its exports map', () => {
  const root = path.join(__dirname, '..')
  const script = "import { runWasi, Program, Mount } from 'hermetic-wasi'; import all from 'hermetic-wasi'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const cjs = require('hermetic-wasi'); process.stdout.write(JSON.stringify([typeof runWasi, Program === cjs.Program, Mount === all.Mount, Object.keys(cjs), require('hermetic-wasi/package.json').name]))"
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root })
  assert.deepEqual(JSON.parse(out), ['function', true, true, ['runWasi', 'runWasiAsync', 'Program', 'Mount'], 'hermetic-wasi'])
})
