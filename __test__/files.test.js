// The in-memory filesystem from JS: seeding `files`, the tree handed back, the round trip,
// escapes, fsBytes and bad input.
const test = require('node:test')
const assert = require('node:assert/strict')

const { Program, runWasi, runWasiAsync } = require('..')
const { guest, guestP1 } = require('./guests')

const programs = new Map()
/** Runs guest `name` twice with `options` and asserts both results are identical. */
function run(name, options) {
  if (!programs.has(name)) programs.set(name, new Program(guest(name)))
  const first = programs.get(name).run(options)
  assert.deepEqual(programs.get(name).run(options), first)
  return first
}

const seed = () => ({
  'data/input.txt': 'hello, tree\n',
  'data/remove-me.txt': Buffer.from('bye'),
  'data/empty': { type: 'dir' },
})

test('fs_roundtrip: the guest reads, writes, renames and lists; the tree comes back', () => {
  const files = seed()
  const result = run('fs_roundtrip', { files })
  assert.deepEqual(files, seed(), 'the caller\'s object is not mutated')
  assert.equal(result.outcome, 'exited')
  assert.equal(
    result.stdout.toString(),
    [
      'read data/input.txt: "hello, tree\\n"',
      'ls /: data/',
      'wrote out/upper.txt',
      'appended out/log.txt: "one\\ntwo\\n"',
      'renamed tmp -> moved: tmp exists: false',
      'ls moved/a/b: deep.txt',
      'readlink out/upper-sym: "upper.txt"',
      'via symlink: "HELLO, TREE\\n"',
      'out/upper.txt link count: 2',
      'remove_dir moved: Uncategorized (errno Some(55))',
      'out/sized.bin len: 5',
      'ls /: data/ moved/ out/',
      'ls out: log.txt sized.bin upper-link.txt upper-sym@ upper.txt',
      '',
    ].join('\n'),
  )
  assert.deepEqual(result.files, {
    data: { type: 'dir' },
    'data/input.txt': Buffer.from('hello, tree\n'),
    moved: { type: 'dir' },
    'moved/a': { type: 'dir' },
    'moved/a/b': { type: 'dir' },
    'moved/a/b/deep.txt': Buffer.from('deep'),
    out: { type: 'dir' },
    'out/log.txt': Buffer.from('one\ntwo\n'),
    'out/sized.bin': Buffer.alloc(5),
    'out/upper-link.txt': Buffer.from('HELLO, TREE\n'),
    'out/upper-sym': { type: 'symlink', target: 'upper.txt' },
    'out/upper.txt': Buffer.from('HELLO, TREE\n'),
  })
  assert.deepEqual(Object.keys(result.files), Object.keys(result.files).sort(), 'in path order')
})

test('a result\'s files, passed back, are the same tree', async () => {
  const first = run('fs_roundtrip', { files: seed() })
  const second = run('fs_tree', { files: first.files })
  assert.equal(second.outcome, 'exited')
  assert.deepEqual(second.files, first.files)
  assert.match(second.stdout.toString(), /^\/data\/\n\/data\/input.txt: "hello, tree\\n"\n/)
  assert.deepEqual(await runWasiAsync(guest('fs_tree'), { files: first.files }), second)
})

test('fs_escape: nothing outside the tree is reachable, from a component or a preview1 module', () => {
  const files = {
    'inside.txt': 'inside',
    'abs-link': { type: 'symlink', target: '/etc/hostname' },
    'up-link': { type: 'symlink', target: '../etc/hostname' },
    'sub/up-link': { type: 'symlink', target: '../../etc/hostname' },
    'sub/inside-link': { type: 'symlink', target: '../inside.txt' },
  }
  const builds = [
    [guest('fs_escape'), 'not-permitted'],
    [guestP1('fs_escape'), 'errno 63'],
  ]
  for (const [wasm, symlinkError] of builds) {
    const result = runWasi(wasm, { files })
    assert.deepEqual(runWasi(wasm, { files }), result)
    const denied = 'PermissionDenied (errno Some(63))'
    assert.equal(
      result.stdout.toString(),
      [
        `../../etc/passwd: ${denied}`,
        '/etc/passwd: NotFound (errno Some(44))',
        `/../etc/passwd: ${denied}`,
        `abs-link: ${denied}`,
        `up-link: ${denied}`,
        `sub/up-link: ${denied}`,
        'sub/inside-link: read "inside"',
        `ls ..: ${denied}`,
        'preopen: "/"',
        `symlink to /etc/hostname: Err("${symlinkError}")`,
        `sub/climb: ${denied}`,
        `write ../outside.txt: ${denied}`,
        'cd sub; ../inside.txt: read "inside"',
        `cd sub; ../../etc/passwd: ${denied}`,
        '',
      ].join('\n'),
    )
    assert.deepEqual(result.files['sub/climb'], { type: 'symlink', target: '../../../etc/hostname' })
  }
})

test('bad files are ERR_INVALID_OPTIONS with the path named', () => {
  const program = new Program(guest('fs_tree'))
  const cases = [
    [[], 'options.files must be an object mapping paths to entries, got an array'],
    [{ a: 5 }, 'options.files["a"] must be a string, a Uint8Array, { type: \'dir\' } or { type: \'symlink\', target: string }, got a number'],
    [{ a: { type: 'fifo' } }, 'options.files["a"] must be a string, a Uint8Array, { type: \'dir\' } or { type: \'symlink\', target: string }, got an object'],
    [{ a: { type: 'symlink' } }, 'options.files["a"].target must be a string, got undefined'],
  ]
  for (const [files, message] of cases) {
    assert.throws(() => program.run({ files }), { code: 'ERR_INVALID_OPTIONS', message })
  }
  for (const files of [{ '../x': 'a' }, { '/abs': 'a' }, { a: 'file', 'a/b': 'under a file' }]) {
    assert.throws(() => program.run({ files }), (error) => {
      assert.equal(error.code, 'ERR_INVALID_OPTIONS')
      assert.match(error.message, /^files: /)
      return true
    })
  }
  assert.throws(() => program.run({ files: { big: Buffer.alloc(2000) }, limits: { fsBytes: 1000 } }), {
    code: 'ERR_INVALID_OPTIONS',
  })
  // Each entry costs 128 + 64 bytes plus its full path ("a", "a/b", "a/b/c"), plus the file's byte.
  const deep = { 'a/b/c': 'x' }
  const needed = 3 * (128 + 64) + (1 + 3 + 5) + 1
  assert.deepEqual(program.run({ files: deep, limits: { fsBytes: needed } }).files, {
    a: { type: 'dir' },
    'a/b': { type: 'dir' },
    'a/b/c': Buffer.from('x'),
  })
  assert.throws(() => program.run({ files: deep, limits: { fsBytes: needed - 1 } }), {
    code: 'ERR_INVALID_OPTIONS',
    message: `files: seeded tree needs ${needed} bytes but the filesystem limit is ${needed - 1} bytes`,
  })
  assert.throws(() => program.run({ limits: { fsBytes: -1 } }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.limits.fsBytes must be a non-negative integer or Infinity',
  })
})

test('a file named __proto__ is an ordinary own property of result.files', () => {
  const files = JSON.parse('{"__proto__": "not a prototype", "a": "x"}')
  const result = run('fs_tree', { files })
  assert.deepEqual(Object.keys(result.files), ['__proto__', 'a'])
  assert.equal(Object.getPrototypeOf(result.files), Object.prototype)
  assert.deepEqual(result.files.__proto__ === Object.prototype, false)
  assert.equal(result.stdout.toString(), '/__proto__: "not a prototype"\n/a: "x"\n')
})

// A preview1 module that builds a/a/a/... one level at a time through descriptors (the only way
// past the 4 KiB path limit) until path_create_directory fails, then exits with that errno.
const DEEP_TREE = `(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "a")
  (func (export "_start") (local $fd i32) (local $errno i32)
    (local.set $fd (i32.const 3))
    (loop $deeper
      (local.set $errno (call $mkdir (local.get $fd) (i32.const 0) (i32.const 1)))
      (if (local.get $errno) (then (call $exit (local.get $errno))))
      ;; open "a" as a directory (oflags 2) with FD_READ, the new fd at address 8
      (drop (call $open (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 2)
        (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 8)))
      (if (i32.ne (local.get $fd) (i32.const 3)) (then (drop (call $close (local.get $fd)))))
      (local.set $fd (i32.load (i32.const 8)))
      (br $deeper))))`

test('a deep tree cannot return more than fsBytes: every entry pays for its full path', () => {
  const program = new Program(DEEP_TREE)
  const options = { files: {}, limits: { fsBytes: 1 << 20 } }
  const result = program.run(options)
  assert.deepEqual(program.run(options), result)
  // Level i costs 128 + 64 bytes plus its path, "a" and i - 1 times "/a": 192 + 2i - 1 bytes.
  // 932 levels take 932 * 192 + 932^2 = 1,047,568 bytes; the 933rd would pass 1 MiB.
  assert.equal(result.outcome, 'exited')
  assert.equal(result.exitCode, 51, 'ENOSPC')
  const paths = Object.keys(result.files)
  assert.equal(paths.length, 932)
  assert.equal(paths.at(-1), Array(932).fill('a').join('/'))
  const keyBytes = paths.reduce((sum, p) => sum + p.length, 0)
  assert.equal(keyBytes, 932 * 932)
})
