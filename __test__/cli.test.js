// The `hermetic-wasi` command, run as a child process as a person would run it.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { version } = require('../package.json')

const BIN = path.join(__dirname, '..', 'cli', 'hermetic-wasi.js')
const P2 = path.join(__dirname, '..', 'tests', 'guests', 'target', 'wasm32-wasip2', 'release')
const P1 = path.join(P2, '..', '..', 'wasm32-wasip1', 'release')

/** Runs the command with `args`: `{ status, stdout, stderr }`, as text. */
function cli(args, options = {}) {
  const child = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', ...options })
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

test('run: the guest output on this process, its exit code as the status', () => {
  assert.deepEqual(cli(['run', path.join(P2, 'hello.wasm')]), {
    status: 0,
    stdout: 'hello from stdout\n',
    stderr: 'hello from stderr\n',
  })
  const exited = cli(['run', path.join(P2, 'exit_code.wasm'), '--', 'code', '9'])
  assert.equal(exited.status, 9)
  assert.equal(exited.stderr, '')
  const p1 = cli(['run', path.join(P1, 'p1_exit.wasm'), '--', '300'])
  assert.deepEqual(p1, { status: 300 & 0xff, stdout: 'exiting with 300\n', stderr: '' })
})

test('run: inputs from flags and files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwcli-'))
  fs.writeFileSync(path.join(dir, 'in.txt'), 'from a file\n')
  const result = cli([
    'run',
    '--env', 'ZED=last', '--env', 'ALPHA=a=b',
    '--program-name', 'tool',
    path.join(P2, 'args_env.wasm'), '--', '--flag', 'x',
  ])
  assert.deepEqual(result, {
    status: 0,
    stdout: 'arg[0]=tool\narg[1]=--flag\narg[2]=x\nenv ZED=last\nenv ALPHA=a=b\ncwd=Some("/")\n',
    stderr: '',
  })
  const echoed = cli(['run', '--stdin', path.join(dir, 'in.txt'), path.join(P2, 'echo.wasm')])
  assert.deepEqual(echoed, { status: 0, stdout: 'from a file\n', stderr: 'read 12 bytes\n' })
  const piped = cli(['run', '--stdin', '-', path.join(P2, 'echo.wasm')], { input: 'piped in' })
  assert.deepEqual(piped, { status: 0, stdout: 'piped in', stderr: 'read 8 bytes\n' })
  fs.rmSync(dir, { recursive: true })
})

test('run: outcomes other than an exit are reported on stderr with their status', () => {
  const trapped = cli(['run', path.join(P2, 'panic.wasm')])
  assert.equal(trapped.status, 134)
  assert.equal(trapped.stdout, 'before the panic\n')
  assert.match(trapped.stderr, /panicked at src\/bin\/panic\.rs/)
  assert.match(trapped.stderr, /\nhermetic-wasi: trapped: wasm `unreachable` instruction executed\n {4}at abort\n/)
  // The timeout counts compiling: the code comes from a disk cache filled beforehand, so that a
  // loaded machine's slow compile cannot use up the 100 ms before the program prints.
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-cache-'))
  const { Program } = require('..')
  new Program(fs.readFileSync(path.join(P2, 'spin.wasm')), { cacheDir, timeoutMs: Infinity })
  const timedOut = cli(['run', '--timeout', '100', '--cache-dir', cacheDir, path.join(P2, 'spin.wasm')])
  fs.rmSync(cacheDir, { recursive: true })
  assert.deepEqual(timedOut, { status: 137, stdout: 'spinning\n', stderr: 'hermetic-wasi: timeout\n' })
})

test('run --json: the whole result, with timed events', () => {
  const result = cli(['run', '--json', path.join(P1, 'ticks.wasm')])
  assert.equal(result.status, 0)
  assert.deepEqual(JSON.parse(result.stdout), {
    outcome: 'exited',
    exitCode: 0,
    stdout: 'tick 1\ntick 2, same time\ndone\n',
    stderr: 'warn 1\nwarn 2\n',
    virtualTimeNs: '1250000000',
    events: [
      { stream: 'stdout', data: 'tick 1\n', timeNs: '0' },
      { stream: 'stderr', data: 'warn 1\n', timeNs: '0' },
      { stream: 'stdout', data: 'tick 2, same time\n', timeNs: '250000000' },
      { stream: 'stderr', data: 'warn 2\n', timeNs: '1250000000' },
      { stream: 'stdout', data: 'done\n', timeNs: '1250000000' },
    ],
  })
})

test('run --mount: host directories read-only in the guest, left out of --out', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwcli-'))
  const lib = path.join(dir, 'lib')
  fs.mkdirSync(path.join(lib, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(lib, 'a.txt'), 'hello mount')
  fs.writeFileSync(path.join(lib, 'sub', 'b.txt'), 'bee')
  fs.symlinkSync('a.txt', path.join(lib, 'link'))
  const data = path.join(dir, 'data')
  fs.mkdirSync(data)
  fs.writeFileSync(path.join(data, 'x.csv'), '1,2\n')
  const input = path.join(dir, 'in')
  fs.mkdirSync(input)
  fs.writeFileSync(path.join(input, 'mine.txt'), 'mine')
  const out = path.join(dir, 'out')
  const C = path.join(P2, '..', '..', 'c', 'mount.wasm')
  const result = cli(['run', '--mount', `/lib=${lib}`, '--mount', `usr/share/data=${data}`, '--files', input, '--out', out, C])
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /^cat \/lib\/a.txt: "hello mount"\n[^]*\nrmdir \/lib: Resource busy\n[^]*ls \/usr\/share\/data: \.\.\/ \.\/ x.csv\ncat \/mine.txt: "mine"\n$/)
  assert.deepEqual(fs.readdirSync(out).sort(), ['mine.txt', 'usr'])
  assert.deepEqual(fs.readdirSync(path.join(out, 'usr')), ['bin'])
  const bad = cli(['run', '--mount', `lib=${path.join(dir, 'missing')}`, C])
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /--mount lib=.*missing: cannot read .*missing: No such file or directory/)
  assert.equal(cli(['run', '--mount', 'nothing', C]).stderr.includes("--mount must be GUEST=DIR, got 'nothing'"), true)
  fs.rmSync(dir, { recursive: true, force: true })
})

test('run --files and --out: a host tree in, the final tree out', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwcli-'))
  const input = path.join(dir, 'in')
  fs.mkdirSync(path.join(input, 'a'), { recursive: true })
  fs.writeFileSync(path.join(input, 'a', 'b.txt'), 'bee')
  fs.writeFileSync(path.join(input, 'c.txt'), 'sea')
  const out = path.join(dir, 'out')
  const result = cli(['run', '--files', input, '--out', out, '--json', path.join(P2, 'fs_tree.wasm'), '--', 'write-then-panic'])
  assert.equal(result.status, 134)
  const json = JSON.parse(result.stdout)
  assert.equal(json.outcome, 'trapped')
  assert.deepEqual(json.files, { a: { type: 'dir' }, 'a/b.txt': 'bee', 'c.txt': 'sea', 'note.txt': 'written before the panic' })
  assert.equal(fs.readFileSync(path.join(out, 'note.txt'), 'utf8'), 'written before the panic')
  assert.equal(fs.readFileSync(path.join(out, 'a', 'b.txt'), 'utf8'), 'bee')
  assert.deepEqual(fs.readdirSync(out).sort(), ['a', 'c.txt', 'note.txt'])
  // The input tree is only read.
  assert.deepEqual(fs.readdirSync(input).sort(), ['a', 'c.txt'])
  // --out never writes into an existing directory.
  const again = cli(['run', '--out', out, path.join(P2, 'hello.wasm')])
  assert.deepEqual(again, { status: 2, stdout: '', stderr: `hermetic-wasi: --out '${out}' exists already\nRun 'hermetic-wasi --help' for usage.\n` })
  fs.rmSync(dir, { recursive: true })
})

test('run --replay: the output with its virtual pauses', () => {
  // ticks pauses 250 ms and 1 s of virtual time: at speed 5, about 250 ms of real time.
  const started = process.hrtime.bigint()
  const result = cli(['run', '--replay', '--speed', '5', path.join(P2, 'ticks.wasm')])
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  assert.deepEqual(result, { status: 0, stdout: 'tick 1\ntick 2, same time\ndone\n', stderr: 'warn 1\nwarn 2\n' })
  assert.ok(ms >= 250 && ms < 5000, `${ms} ms`)
})

test('usage: help, version, and clear errors with status 2', () => {
  assert.match(cli(['--help']).stdout, /^Usage: hermetic-wasi <command>/)
  assert.match(cli(['run', '--help']).stdout, /^Usage: hermetic-wasi run \[options\] <program>/)
  assert.deepEqual(cli(['--version']), { status: 0, stdout: `${version}\n`, stderr: '' })
  const hint = "\nRun 'hermetic-wasi --help' for usage.\n"
  assert.deepEqual(cli(['frobnicate']), { status: 2, stdout: '', stderr: `hermetic-wasi: unknown command 'frobnicate'${hint}` })
  assert.deepEqual(cli(['run']), { status: 2, stdout: '', stderr: `hermetic-wasi: run: missing the program to run${hint}` })
  const unknown = cli(['run', '--timout', '5', 'x.wasm'])
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /^hermetic-wasi: Unknown option '--timout'/)
  const missing = cli(['run', 'no-such.wasm'])
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /^hermetic-wasi: cannot read the program 'no-such\.wasm': ENOENT/)
  assert.deepEqual(cli(['run', '--timeout', 'soon', path.join(P2, 'hello.wasm')]), {
    status: 2,
    stdout: '',
    stderr: `hermetic-wasi: --timeout must be an integer of at least 0, got 'soon'${hint}`,
  })
  assert.deepEqual(cli(['run', '--env', 'NOVALUE', path.join(P2, 'hello.wasm')]).status, 2)
  const invalid = cli(['run', path.join(__dirname, 'cli.test.js')])
  assert.equal(invalid.status, 2)
  assert.match(invalid.stderr, /^hermetic-wasi: ERR_INVALID_WASM: /)
})

test('run --interactive in a terminal: each line answered as it is typed, Ctrl-D ends the input', async () => {
  // `script` gives the command a pseudo-terminal, as a person's shell would.
  const command = `"${process.execPath}" "${BIN}" run --interactive "${path.join(P2, 'lines.wasm')}"`
  const child = require('node:child_process').spawn('script', ['-qfec', command, '/dev/null'])
  const exited = require('node:events').once(child, 'exit')
  let output = ''
  child.stdout.on('data', (data) => (output += data.toString()))
  const waitFor = async (text) => {
    for (let i = 0; i < 200 && !output.includes(text); i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(output.includes(text), `never saw ${JSON.stringify(text)} in ${JSON.stringify(output)}`)
  }
  child.stdin.write('first line\n')
  await waitFor('> first line')
  // The answer came before the second line was typed.
  assert.equal(output.includes('second'), false)
  child.stdin.write('second\n')
  await waitFor('> second')
  child.stdin.write('\x04')
  await waitFor('bye')
  const [status] = await exited
  assert.equal(status, 0)
})
