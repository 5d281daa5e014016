// Read-only mounts: a tree built once (`new Mount(files)`, `Mount.fromDirectory(path)`) placed
// at paths of any number of runs with `mounts`, read like `files`, never changed, charged or
// exported.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const { runWasi, runWasiAsync, Program, Mount } = require('..')
const { guestC } = require('./guests')

const lib = new Mount({ 'a.txt': 'hello mount', 'sub/b.txt': 'bee', link: { type: 'symlink', target: 'a.txt' } })
const data = new Mount({ 'x.csv': '1,2\n' })
const options = { mounts: { lib, 'usr/share/data': data }, files: { 'mine.txt': 'mine' }, limits: { fsBytes: 4096 } }

const expected = `cat /lib/a.txt: "hello mount"
cat /lib/link: "hello mount"
cat /lib/sub/b.txt: "bee"
ls /lib: ../ ./ a.txt link@ sub/
stat /lib/a.txt: ok
size 11, mtime 1257894000
open /lib/a.txt for writing: Read-only file system
open /lib/a.txt to append: Read-only file system
truncate /lib/a.txt: Read-only file system
create /lib/new.txt: Read-only file system
mkdir /lib/dir: Read-only file system
symlink /lib/sym: Read-only file system
unlink /lib/a.txt: Read-only file system
rmdir /lib/sub: Read-only file system
rename inside /lib: Read-only file system
rename /lib/a.txt out: Cross-device link
rename /mine.txt in: Read-only file system
link /lib/a.txt out: Cross-device link
utimes /lib/a.txt: Read-only file system
rmdir /lib: Resource busy
rename /lib: Resource busy
rename /usr: Resource busy
rmdir /usr/share: Resource busy
mkdir /usr/bin: ok
write /usr/bin/tool: ok
ls /usr: ../ ./ bin/ share/
ls /usr/share/data: ../ ./ x.csv
cat /mine.txt: "mine"
`

/** The guest's own files: what mounts made is not exported. */
const ownFiles = {
  'mine.txt': Buffer.from('mine'),
  'usr/bin': { type: 'dir' },
  'usr/bin/tool': Buffer.from('tool\n'),
}

test('a C program reads a mount and every change fails as on a Linux read-only mount', () => {
  const first = runWasi(guestC('mount'), options)
  assert.equal(first.stdout.toString(), expected)
  assert.equal(first.stderr.toString(), '')
  assert.equal(first.outcome, 'exited')
  assert.deepEqual(first.files, ownFiles)
  assert.deepEqual(runWasi(guestC('mount'), options), first)
})

test('one mount serves many runs, sync, async and Program, with its bytes never charged', async () => {
  // 1 MiB of mounted files under a 4 KiB budget.
  const big = new Mount({ 'a.txt': 'hello mount', 'sub/b.txt': 'bee', link: { type: 'symlink', target: 'a.txt' }, 'blob.bin': Buffer.alloc(1 << 20, 7) })
  assert.equal(big.fileBytes, (1 << 20) + 14)
  assert.equal(big.entries, 5)
  const opts = { ...options, mounts: { lib: big, 'usr/share/data': data } }
  const program = new Program(guestC('mount'))
  const runs = await Promise.all([
    runWasiAsync(guestC('mount'), opts),
    program.runAsync(opts),
    program.runAsync(opts),
  ])
  runs.push(runWasi(guestC('mount'), opts), program.run(opts))
  for (const run of runs) {
    assert.equal(run.stdout.toString(), expected.replace('ls /lib: ../ ./ a.txt link@ sub/', 'ls /lib: ../ ./ a.txt blob.bin link@ sub/'))
    assert.deepEqual(run.files, ownFiles)
  }
})

test('a mount alone gives the guest a filesystem; only what the guest wrote comes back', () => {
  const run = runWasi(guestC('files'), { mounts: { data: new Mount({ 'in.txt': 'from a mount\n' }) } })
  assert.equal(run.stdout.toString().split('\n').slice(0, 3).join('\n'), 'cwd: /\ncat data/in.txt: "from a mount\n"')
  assert.deepEqual(Object.keys(run.files), ['moved', 'moved/alias', 'moved/bytes.bin', 'moved/new.txt'])
})

test('mounts that do not fit the tree, and values that are not mounts, are ERR_INVALID_OPTIONS', () => {
  const refused = (mounts, files, message) =>
    assert.throws(() => runWasi(guestC('mount'), { mounts, files }), { code: 'ERR_INVALID_OPTIONS', message })
  const taken = (p) => `mounts: mount path "${p}" is already in the tree (a file, a directory or another mount) or inside another mount`
  refused({ lib }, { 'lib/z': 'z' }, taken('lib'))
  refused({ lib, 'lib/sub/more': data }, undefined, taken('lib/sub/more'))
  refused({ lib, 'lib/inner': data }, undefined, taken('lib/inner'))
  refused({ 'f/x': lib }, { f: 'a file' }, 'mounts: seed path "f/x" needs "f" to be a directory, but it is listed as a file or symlink')
  refused({ '/abs': lib }, undefined, 'mounts: seed path "/abs" is absolute; use a path relative to the root')
  refused({ 'a/../b': lib }, undefined, 'mounts: seed path "a/../b" has a "." or ".." component')
  refused({ lib: {} }, undefined, 'options.mounts["lib"] must be a Mount, got an object')
  refused({ lib: new Program(guestC('mount')) }, undefined, 'options.mounts["lib"] must be a Mount, got an object')
  refused([lib], undefined, /options.mounts must be an object mapping paths to Mount objects, got an array/)
  assert.throws(() => new Mount({ 'a/': 'x' }), { code: 'ERR_INVALID_OPTIONS', message: 'files: seed path "a/" has an empty component' })
  assert.throws(() => new Mount(3), { code: 'ERR_INVALID_OPTIONS' })
})

test('Mount.fromDirectory reads a host directory once: files, directories, symlinks, nothing else', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-mount-'))
  try {
    fs.mkdirSync(path.join(dir, 'sub'))
    fs.writeFileSync(path.join(dir, 'a.txt'), 'hello mount')
    fs.writeFileSync(path.join(dir, 'sub', 'b.txt'), 'bee')
    fs.symlinkSync('a.txt', path.join(dir, 'link'))
    const mount = Mount.fromDirectory(dir)
    assert.equal(mount.entries, 4)
    assert.equal(mount.fileBytes, 14)
    // Read once: later changes on the host are not seen.
    fs.writeFileSync(path.join(dir, 'a.txt'), 'changed')
    const run = runWasi(guestC('mount'), { ...options, mounts: { lib: mount, 'usr/share/data': data } })
    assert.equal(run.stdout.toString(), expected)

    execFileSync('mkfifo', [path.join(dir, 'pipe')])
    assert.throws(() => Mount.fromDirectory(dir), {
      code: 'ERR_INVALID_OPTIONS',
      message: `${path.join(dir, 'pipe')} is not a file, a directory or a symlink`,
    })
    fs.rmSync(path.join(dir, 'pipe'))
    // Sizes are checked before reading: a sparse 6 GiB file is refused at once, not read.
    fs.closeSync(fs.openSync(path.join(dir, 'sparse'), 'w'))
    fs.truncateSync(path.join(dir, 'sparse'), 6 * 2 ** 30)
    const started = Date.now()
    assert.throws(() => Mount.fromDirectory(dir), { code: 'ERR_INVALID_OPTIONS', message: `${dir} holds more than 4 GiB of files` })
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`)
    assert.throws(() => Mount.fromDirectory(path.join(dir, 'a.txt')), {
      code: 'ERR_INVALID_OPTIONS',
      message: `${path.join(dir, 'a.txt')} is not a directory`,
    })
    assert.throws(() => Mount.fromDirectory(path.join(dir, 'missing')), {
      code: 'ERR_INVALID_OPTIONS',
      message: `cannot read ${path.join(dir, 'missing')}: No such file or directory (os error 2)`,
    })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
