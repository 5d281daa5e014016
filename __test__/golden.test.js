// Golden-file tests (golden.js, `hermetic-wasi test`): a directory of C programs with their
// inputs beside them (stdin, args, env, a filesystem, options), written once with --update,
// then compared: a change shows as a unified diff; TAP and JUnit XML for CI systems; and
// `goldenTests` registering one node:test test per case.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { guestC } = require('./guests')

const CLI = path.join(__dirname, '..', 'cli', 'hermetic-wasi.js')
const cli = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })

/** A directory of cases: C programs with every kind of input, and a WAT one in a subdirectory. */
function cases(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.writeFileSync(path.join(dir, 'stdio.wasm'), guestC('stdio'))
  fs.writeFileSync(path.join(dir, 'stdio.args'), 'one\ntwo words\n')
  fs.writeFileSync(path.join(dir, 'stdio.env'), 'GREETING=hi=there\n')
  fs.writeFileSync(path.join(dir, 'stdio.stdin'), 'a\nb\n')
  fs.writeFileSync(path.join(dir, 'files.wasm'), guestC('files'))
  fs.mkdirSync(path.join(dir, 'files.files', 'data'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'files.files', 'data', 'in.txt'), 'from the host\n')
  fs.writeFileSync(path.join(dir, 'files.files', 'data', 'old.txt'), 'x')
  fs.symlinkSync('in.txt', path.join(dir, 'files.files', 'data', 'link'))
  fs.writeFileSync(path.join(dir, 'exit.wasm'), guestC('exit'))
  fs.writeFileSync(path.join(dir, 'exit.args'), 'abort\n3\n')
  fs.writeFileSync(path.join(dir, 'random.wasm'), guestC('random'))
  fs.writeFileSync(path.join(dir, 'random.options.json'), '{ "seed": "18446744073709551615", "limits": { "fuel": 100000000 } }')
  fs.mkdirSync(path.join(dir, 'text'))
  fs.copyFileSync(path.join(__dirname, '..', 'tests', 'golden', 'trap.wat'), path.join(dir, 'text', 'trap.wat'))
  return dir
}

const listing = (dir) =>
  fs
    .readdirSync(dir, { recursive: true })
    .map((name) => name.split(path.sep).join('/'))
    .sort()

test('--update writes the expected files; a second run passes', (t) => {
  const dir = cases(t)
  const updated = cli('test', dir, '--update')
  assert.equal(updated.status, 0, updated.stderr)
  assert.equal(
    updated.stdout,
    `updated  exit\nupdated  files\nupdated  random\nupdated  stdio\nupdated  text/trap\n5 cases in ${dir}: 5 updated, 0 failed\n`,
  )
  // Expected files appear only where they say something: no empty stderr, no "exited 0".
  const written = listing(dir).filter((name) => /\.(stdout|stderr|outcome)$|\.out(\/|$)/.test(name))
  assert.deepEqual(written, [
    'exit.outcome',
    'exit.stderr',
    'exit.stdout',
    'files.out',
    'files.out/data',
    'files.out/data/in.txt',
    'files.out/data/link',
    'files.out/moved',
    'files.out/moved/alias',
    'files.out/moved/bytes.bin',
    'files.out/moved/new.txt',
    'files.stdout',
    'random.stdout',
    'stdio.stderr',
    'stdio.stdout',
    'text/trap.outcome',
  ])
  assert.equal(fs.readFileSync(path.join(dir, 'text', 'trap.outcome'), 'utf8'), 'trapped 134\ntrap: wasm `unreachable` instruction executed\n')
  assert.match(fs.readFileSync(path.join(dir, 'stdio.stdout'), 'utf8'), /^argv\[0\] = "main"\nargv\[1\] = "one"\nargv\[2\] = "two words"\n1 environment variables\nGREETING = hi=there\n/)
  assert.equal(fs.readlinkSync(path.join(dir, 'files.out', 'moved', 'alias')), 'new.txt')
  const again = cli('test', dir)
  assert.equal(again.status, 0, again.stdout)
  assert.equal(again.stdout, `ok  exit\nok  files\nok  random\nok  stdio\nok  text/trap\n5 cases in ${dir}: 5 passed, 0 failed\n`)
})

test('a difference is a unified diff and exit status 1; --filter; TAP and JUnit XML', (t) => {
  const dir = cases(t)
  assert.equal(cli('test', dir, '--update').status, 0)
  const expected = path.join(dir, 'stdio.stdout')
  fs.writeFileSync(expected, fs.readFileSync(expected, 'utf8').replace('argv[1] = "one"', 'argv[1] = "uno"'))
  fs.writeFileSync(path.join(dir, 'files.out', 'data', 'in.txt'), Buffer.from([0, 1, 2]))
  const failed = cli('test', dir)
  assert.equal(failed.status, 1)
  assert.match(
    failed.stdout,
    /^ok {2}exit\nFAIL {2}files\n {6}files\.out\/data\/in\.txt: binary; expected 3 bytes \(sha256 [0-9a-f]{64}\), got 14 bytes \(sha256 [0-9a-f]{64}\)\nok {2}random\nFAIL {2}stdio\n {6}--- stdio\.stdout \(expected\)\n {6}\+\+\+ stdio\.stdout \(got\)\n {6}@@ -1,5 \+1,5 @@\n {6} argv\[0\] = "main"\n {6}-argv\[1\] = "uno"\n {6}\+argv\[1\] = "one"\n/,
  )
  assert.match(failed.stdout, /\n5 cases in .*: 3 passed, 2 failed\n$/)
  const only = cli('test', dir, '--filter', 'exit')
  assert.deepEqual([only.status, only.stdout.split('\n')[0]], [0, 'ok  exit'])

  const tap = cli('test', dir, '--reporter', 'tap')
  assert.equal(tap.status, 1)
  assert.match(tap.stdout, /^TAP version 13\nok 1 - exit\n {2}---\n {2}duration_ms: [0-9.]+\n {2}\.\.\.\nnot ok 2 - files\n/)
  assert.match(tap.stdout, /\n {2}error: \|-\n {4}--- stdio\.stdout \(expected\)\n/)
  assert.match(tap.stdout, /\n1\.\.5\n# tests 5\n# pass 3\n# fail 2\n$/)

  const junit = cli('test', dir, '--reporter', 'junit')
  assert.equal(junit.status, 1)
  const xml = junit.stdout.replace(/time="[0-9.]+"/g, 'time="T"')
  const suite = path.basename(dir)
  assert.match(xml, new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<testsuites name="hermetic-wasi test" tests="5" failures="2" errors="0" time="T">\\n  <testsuite name="${suite}" tests="5" failures="2" errors="0" skipped="0" time="T">\\n    <testcase name="exit" classname="${suite}" time="T"/>\\n    <testcase name="files" classname="${suite}" time="T">\\n      <failure message="out/data/in.txt differs" type="mismatch">`))
  assert.match(xml, /<failure message="stdout differs" type="mismatch">--- stdio\.stdout \(expected\)\n\+\+\+ stdio\.stdout \(got\)\n@@ -1,5 \+1,5 @@\n argv\[0\] = &quot;main&quot;\n-argv\[1\] = &quot;uno&quot;/)
  assert.match(xml, /<\/testsuite>\n<\/testsuites>\n$/)
})

test('goldenTests registers one node:test test per case, failing with the diffs', (t) => {
  const dir = cases(t)
  assert.equal(cli('test', dir, '--update').status, 0)
  fs.writeFileSync(path.join(dir, 'exit.stdout'), 'something else\n')
  const script = path.join(dir, 'golden.test.js')
  fs.writeFileSync(script, `require(${JSON.stringify(path.join(__dirname, '..', 'golden.js'))}).goldenTests(${JSON.stringify(dir)}, { test: require('node:test') })\n`)
  // A test runner of its own, not a child of this one (which would report to this one).
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const run = spawnSync(process.execPath, ['--test', '--test-reporter', 'tap', script], { encoding: 'utf8', env })
  assert.equal(run.status, 1)
  assert.match(run.stdout, /\nnot ok 1 - exit\n/)
  for (const [i, name] of [[2, 'files'], [3, 'random'], [4, 'stdio'], [5, 'text\\/trap']]) assert.match(run.stdout, new RegExp(`\\nok ${i} - ${name}\\n`))
  assert.match(run.stdout, /\n {4}exit: stdout differs\n {4}\n {4}--- exit\.stdout \(expected\)\n {4}\+\+\+ exit\.stdout \(got\)\n {4}@@ -1,1 \+1,1 @@\n {4}-something else\n {4}\+ending by abort with 3\n/)
})

test('a bad side file fails its case; bad arguments are usage errors', (t) => {
  const dir = cases(t)
  assert.equal(cli('test', dir, '--update').status, 0)
  fs.writeFileSync(path.join(dir, 'stdio.options.json'), '{ "limit": {} }')
  const bad = cli('test', dir, '--filter', 'stdio')
  assert.deepEqual([bad.status, bad.stdout], [1, `FAIL  stdio\n      stdio: ERR_GOLDEN: stdio.options.json: unknown option 'limit' (known: limits, seed, startTime, programName)\n1 case in ${dir}: 0 passed, 1 failed\n`])
  // Every bad side file fails its own case, and the others still run.
  fs.writeFileSync(path.join(dir, 'stdio.options.json'), 'null')
  fs.writeFileSync(path.join(dir, 'random.options.json'), '{ "seed": "abc" }')
  fs.mkdirSync(path.join(dir, 'exit.stdin'))
  const several = cli('test', dir)
  assert.equal(several.status, 1)
  assert.match(several.stdout, /^FAIL {2}exit\n {6}exit: ERR_GOLDEN: .*exit\.stdin is not a regular file/)
  assert.match(several.stdout, /\nFAIL {2}random\n {6}random: ERR_GOLDEN: random\.options\.json: seed must be a number or a decimal string, got 'abc'\n/)
  assert.match(several.stdout, /\nFAIL {2}stdio\n {6}stdio: ERR_GOLDEN: stdio\.options\.json must hold a JSON object\n/)
  assert.match(several.stdout, /\nok {2}files\n/)
  assert.match(several.stdout, /\nok {2}text\/trap\n5 cases in .*: 2 passed, 3 failed\n$/)
  const junit = cli('test', dir, '--reporter', 'junit', '--filter', 'random').stdout
  assert.match(junit, /tests="1" failures="0" errors="1"/)
  assert.match(junit, /<error message="random: ERR_GOLDEN: random\.options\.json: seed must be/)
  // No case at all fails: a typo must not pass.
  const none = cli('test', dir, '--filter', 'nothing matches this')
  assert.deepEqual([none.status, none.stdout], [1, `no cases in ${dir} (NAME.wasm or NAME.wat files, or none matching --filter)\n`])
  assert.match(cli('test', path.join(dir, 'nowhere')).stderr, /is not a directory/)
  assert.match(cli('test', dir, '--reporter', 'xml').stderr, /--reporter must be text, tap or junit, got 'xml'/)
})

test('the committed examples (tests/golden) pass', () => {
  const dir = path.join(__dirname, '..', 'tests', 'golden')
  const run = cli('test', dir)
  assert.deepEqual([run.status, run.stdout], [0, `ok  hello\nok  trap\n2 cases in ${dir}: 2 passed, 0 failed\n`])
})

test('side files are never followed through symlinks; CRLF lines from Windows are read as lines', (t) => {
  const dir = cases(t)
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'))
  t.after(() => fs.rmSync(outside, { recursive: true, force: true }))
  fs.writeFileSync(path.join(outside, 'victim.txt'), 'untouched\n')
  // An expected file that is a symlink is replaced by --update, not written through.
  fs.symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'stdio.stdout'))
  fs.writeFileSync(path.join(dir, 'stdio.args'), 'one\r\ntwo words\r\n')
  fs.writeFileSync(path.join(dir, 'stdio.env'), 'GREETING=hi\r\n\r\n')
  assert.equal(cli('test', dir, '--update', '--filter', 'stdio').status, 0)
  assert.equal(fs.readFileSync(path.join(outside, 'victim.txt'), 'utf8'), 'untouched\n')
  assert.equal(fs.lstatSync(path.join(dir, 'stdio.stdout')).isFile(), true)
  assert.match(fs.readFileSync(path.join(dir, 'stdio.stdout'), 'utf8'), /^argv\[0\] = "main"\nargv\[1\] = "one"\nargv\[2\] = "two words"\n1 environment variables\nGREETING = hi\n/)
  // A symlinked NAME.files or input file is refused: it could bring in any host file.
  fs.rmSync(path.join(dir, 'files.files'), { recursive: true })
  fs.symlinkSync(outside, path.join(dir, 'files.files'))
  fs.symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'exit.stdin'))
  const refused = cli('test', dir, '--filter', 'e')
  assert.match(refused.stdout, /FAIL {2}exit\n {6}exit: ERR_GOLDEN: .*exit\.stdin is not a regular file \(side files are never followed through symlinks\)\n/)
  assert.match(refused.stdout, /FAIL {2}files\n {6}files: ERR_GOLDEN: .*files\.files is not a directory \(side directories are never followed through symlinks\)\n/)
  // A FIFO in a tree is refused (reading it would block), named by the case's own side directory.
  fs.rmSync(path.join(dir, 'files.files'))
  fs.mkdirSync(path.join(dir, 'files.files'))
  spawnSync('mkfifo', [path.join(dir, 'files.files', 'pipe')])
  const fifo = cli('test', dir, '--filter', 'files')
  assert.match(fifo.stdout, /FAIL {2}files\n {6}files: ERR_GOLDEN: files\.files: '[^']*pipe' is neither a file, a directory nor a symlink\n/)
})

test('a diff of many changed lines stays quick and short', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-big-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  // 65,536 lines of "x", against an expected file of as many lines of "y".
  const { preview1 } = require('../tests/determinism/bounds')
  fs.writeFileSync(
    path.join(dir, 'big.wat'),
    preview1(`(local $i i32)
      (i32.store16 (i32.const 100) (i32.const 0x0a78))
      (loop $again
        (call $say (i32.const 100) (i32.const 2))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (i32.const 65536))))`),
  )
  fs.writeFileSync(path.join(dir, 'big.stdout'), 'y\n'.repeat(65536))
  const started = Date.now()
  const run = cli('test', dir)
  assert.equal(run.status, 1)
  assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`)
  assert.match(run.stdout, /^FAIL {2}big\n {6}big\.stdout: 65537 lines expected, 65537 got \(too many differences for a diff within 500 ms\); the first difference, at line 1:\n {6}- "y"\n {6}\+ "x"\n/)
  // One changed line among many: a short diff around it.
  fs.writeFileSync(path.join(dir, 'big.stdout'), `${'x\n'.repeat(1000)}z\n${'x\n'.repeat(64535)}`)
  const one = cli('test', dir)
  assert.match(one.stdout, /^FAIL {2}big\n {6}--- big\.stdout \(expected\)\n {6}\+\+\+ big\.stdout \(got\)\n {6}@@ -998,7 \+998,6 @@\n {6} x\n {6} x\n {6} x\n {6}-z\n/)
  assert.ok(one.stdout.split('\n').length < 25)
})
