// hermetic-wasi/snapshot: a result printed as readable text, the same on every run (and, being
// plain string building, on every machine), through the API jest and vitest call.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const snapshot = require('hermetic-wasi/snapshot')
const { runWasi } = require('..')
const { preview1 } = require('../tests/determinism/bounds')

const sleepy = fs.readFileSync(path.join(__dirname, '..', 'server', 'page', 'sleep.wat'), 'utf8')

test('text output as lines, events with their virtual times', () => {
  const result = runWasi(sleepy, { events: true })
  const text = `RunResult {
  outcome: exited
  exitCode: 0
  virtualTime: 1.000000000 s
  stdout:
    | tick 1
    | tick 2
    | tick 3
  stderr: (empty)
  events: 3
    0.000000000 s stdout "tick 1\\n"
    0.500000000 s stdout "tick 2\\n"
    1.000000000 s stdout "tick 3\\n"
}`
  assert.equal(snapshot.print(result), text)
  assert.equal(snapshot.print(runWasi(sleepy, { events: true })), text, 'a second run prints the same')
})

test('bytes that are not printable UTF-8 as escapes; a missing final newline marked', () => {
  // "ü\t\\", then a NUL, an invalid byte, an escape and a lone continuation byte, no newline.
  const bytes = [0xc3, 0xbc, 0x09, 0x5c, 0x0a, 0x00, 0xff, 0x1b, 0x5b, 0x80]
  const stores = bytes.map((b, i) => `(i32.store8 (i32.const ${200 + i}) (i32.const ${b}))`).join(' ')
  const result = runWasi(preview1(`${stores} (call $say (i32.const 200) (i32.const ${bytes.length}))`), { events: true, limits: { fuel: 1_000_000 } })
  assert.equal(
    snapshot.print(result),
    `RunResult {
  outcome: exited
  exitCode: 0
  virtualTime: 0.000000000 s
  fuelConsumed: ${result.fuelConsumed}
  stdout:
    | ü\t\\\\
    | \\x00\\xff\\x1b[\\x80
    (no newline at end)
  stderr: (empty)
  events: 1
    0.000000000 s stdout "ü\\t\\\\\\n\\x00\\xff\\x1b[\\x80"
}`,
  )
})

test('a trap with its backtrace; the files tree with text, binary digests, directories and links', () => {
  const trapped = runWasi('(module (func $boom unreachable) (func (export "_start") (call $boom)))')
  assert.equal(
    snapshot.print(trapped),
    `RunResult {
  outcome: trapped
  exitCode: 134
  virtualTime: 0.000000000 s
  trap: wasm \`unreachable\` instruction executed
    at boom
    at wasm-function[1]
  stdout: (empty)
  stderr: (empty)
}`,
  )
  const files = runWasi('(module (func (export "_start")))', {
    files: { 'a/notes.txt': 'one\ntwo', 'a/empty': '', 'b.bin': Buffer.from([0, 1, 2]), 'c/d': { type: 'dir' }, link: { type: 'symlink', target: 'a/notes.txt' } },
  })
  assert.equal(
    snapshot.print(files),
    `RunResult {
  outcome: exited
  exitCode: 0
  virtualTime: 0.000000000 s
  stdout: (empty)
  stderr: (empty)
  files:
    a/
    a/empty: (empty)
    a/notes.txt:
      | one
      | two
      (no newline at end)
    b.bin: 3 bytes, binary, sha256 ae4b3280e56e2faf83f414a6e3dabe9d5fbe18976544c05fed121accb85b53fc
    c/
    c/d/
    link -> a/notes.txt
}`,
  )
})

test('the serializer API of jest and vitest: test() recognizes results, serialize() indents nested ones', () => {
  const result = runWasi('(module (func (export "_start")))')
  assert.equal(snapshot.test(result), true)
  for (const other of [null, 'exited', { outcome: 'exited' }, { ...result, outcome: 'done' }, { ...result, stdout: 'x' }]) assert.equal(snapshot.test(other), false)
  assert.equal(
    snapshot.serialize(result, { indent: '  ' }, '    '),
    'RunResult {\n      outcome: exited\n      exitCode: 0\n      virtualTime: 0.000000000 s\n      stdout: (empty)\n      stderr: (empty)\n    }',
  )
})

test('no two results print the same: names that are not plain are quoted, invisible characters escaped', () => {
  const base = { outcome: 'exited', exitCode: 0, stderr: Buffer.alloc(0), virtualTimeNs: 0n }
  const texts = [
    { ...base, stdout: Buffer.from('a'), files: {} },
    { ...base, stdout: Buffer.from('a\n(no newline at end)\n'), files: {} },
    { ...base, stdout: Buffer.alloc(0), files: { 'x -> y': Buffer.alloc(0) } },
    { ...base, stdout: Buffer.alloc(0), files: { x: { type: 'symlink', target: 'y: (empty)' } } },
  ].map((result) => snapshot.print(result))
  assert.equal(new Set(texts).size, texts.length)
  assert.match(texts[0], /\n {2}stdout:\n {4}\| a\n {4}\(no newline at end\)\n/)
  assert.match(texts[1], /\n {2}stdout:\n {4}\| a\n {4}\| \(no newline at end\)\n/)
  assert.match(texts[2], /\n {4}"x -> y": \(empty\)\n/)
  assert.match(texts[3], /\n {4}x -> "y: \(empty\)"\n/)
  const hidden = snapshot.print({ ...base, stdout: Buffer.from('\u202eabc\u200b\u0085\n'), files: {} })
  assert.match(hidden, /\| \\u\{202e\}abc\\u\{200b\}\\u\{0085\}\n/)
})
