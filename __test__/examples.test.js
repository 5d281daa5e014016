// The examples (examples/vitest, examples/jest) as their users run them: copied out, given the
// packed package (dist/, `npm run package`) and their test framework, installed offline, and
// run in CI mode (snapshots compared, never written): readable snapshots and golden files.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const { version, devDependencies } = require('../package.json')
const tarballs = ['hermetic-wasi', 'hermetic-wasi-linux-x64-gnu'].map((name) => path.join(root, 'dist', `${name}-${version}.tgz`))
const skip = tarballs.every((file) => fs.existsSync(file)) ? false : 'dist/ has no packages: run `npm run package` first (.ci/run does): the examples are skipped'

/** `example` copied into a fresh directory with its dependencies installed offline. */
function install(t, example, framework) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hermetic-wasi-${example}-`))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.cpSync(path.join(root, 'examples', example), dir, { recursive: true })
  const installed = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel', 'error', ...tarballs, `${framework}@${devDependencies[framework]}`], { cwd: dir, encoding: 'utf8' })
  assert.equal(installed.status, 0, installed.stderr)
  return dir
}

const run = (dir, command) => {
  // CI mode: a missing or different snapshot fails instead of being written.
  const env = { ...process.env, CI: 'true' }
  delete env.NODE_TEST_CONTEXT
  const child = spawnSync('npx', command, { cwd: dir, encoding: 'utf8', env })
  // eslint-disable-next-line no-control-regex
  return { status: child.status, out: (child.stdout + child.stderr).replace(/\x1b\[[0-9;]*m/g, '') }
}

for (const [example, framework, command, passed] of [
  ['vitest', 'vitest', ['vitest', 'run'], /Tests {2}4 passed \(4\)/],
  ['jest', 'jest', ['jest', '--ci'], /Tests: {7}3 passed, 3 total/],
]) {
  test(`the ${example} example: readable snapshots and golden files pass, and a changed golden file fails with its diff`, { skip, timeout: 300_000 }, (t) => {
    const dir = install(t, example, framework)
    const first = run(dir, command)
    assert.equal(first.status, 0, first.out)
    assert.match(first.out, passed)
    fs.writeFileSync(path.join(dir, 'testdata', 'hello.stdout'), 'hello, golden?\n')
    const changed = run(dir, command)
    assert.equal(changed.status, 1, changed.out)
    assert.match(changed.out, /hello: stdout differs/)
    assert.match(changed.out, /-hello, golden\?\n\s*\+hello, golden\n/)
  })
}
