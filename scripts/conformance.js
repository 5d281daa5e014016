// Runs the WebAssembly WASI test suite's preview1 tests through the public JS API and prints
// `N passed, N failed`. Usage: `npm run conformance [-- <testsuite dir>]`; the default directory
// is $WASI_TESTSUITE, else ../shared/wasi-testsuite beside the project. Exits nonzero when a
// test fails. The suite's format is described in its README (a `manifest.json` per suite, a
// `foo.json` spec beside each `foo.wasm`, fixture directories seeded as the root filesystem).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { isDeepStrictEqual } = require('node:util')

const { Program } = require(path.join(__dirname, '..'))

const VERSION = 'wasm32-wasip1'

/** Every suite directory (one holding a manifest.json for preview1) under `dir`. */
function suites(dir) {
  const found = []
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      const sub = path.join(d, entry.name)
      const manifest = path.join(sub, 'manifest.json')
      if (fs.existsSync(manifest)) {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).version === VERSION) found.push(sub)
      } else {
        walk(sub)
      }
    }
  }
  walk(dir)
  return found.sort()
}

/** The `files` option for a fixture directory: every file, directory and symlink under it. */
function seed(root) {
  const files = {}
  const walk = (dir, prefix) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      const name = prefix + entry.name
      if (entry.isSymbolicLink()) files[name] = { type: 'symlink', target: fs.readlinkSync(full) }
      else if (entry.isDirectory()) {
        files[name] = { type: 'dir' }
        walk(full, `${name}/`)
      } else files[name] = fs.readFileSync(full)
    }
  }
  walk(root, '')
  return files
}

/** Runs one test; returns a failure message, or null when it passes. */
function runTest(suite, wasmFile) {
  const base = wasmFile.replace(/\.wasm$/, '')
  const specFile = path.join(suite, `${base}.json`)
  const spec = {
    args: [],
    env: {},
    exit_code: 0,
    ...(fs.existsSync(specFile) ? JSON.parse(fs.readFileSync(specFile, 'utf8')) : {}),
  }
  const options = {
    programName: wasmFile,
    args: spec.args,
    env: spec.env,
    files: spec.root ? seed(path.join(suite, spec.root)) : undefined,
  }
  let program
  try {
    program = new Program(fs.readFileSync(path.join(suite, wasmFile)))
  } catch (error) {
    return `does not compile: ${error.code} ${error.message}`
  }
  const result = program.run(options)
  if (!isDeepStrictEqual(result, program.run(options))) return 'two runs differ'
  const problems = []
  if (result.outcome !== 'exited' || result.exitCode !== spec.exit_code) {
    const trap = result.trap ? `: ${result.trap.message}` : ''
    problems.push(`expected exit code ${spec.exit_code}, got ${result.outcome} ${result.exitCode}${trap}`)
  }
  for (const stream of ['stdout', 'stderr']) {
    const expected = spec[stream]
    if (typeof expected !== 'string') continue
    // The suite's check: the first len(expected) characters of the stream.
    const actual = result[stream].toString('utf8').slice(0, expected.length)
    if (actual !== expected) problems.push(`${stream}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
  if (problems.length > 0) {
    const tail = (b) => JSON.stringify(b.toString('utf8').slice(-300))
    problems.push(`stdout ${tail(result.stdout)}, stderr ${tail(result.stderr)}`)
  }
  return problems.length > 0 ? problems.join('; ') : null
}

function main() {
  const dir =
    process.argv[2] ?? process.env.WASI_TESTSUITE ?? path.join(__dirname, '..', '..', 'shared', 'wasi-testsuite')
  if (!fs.existsSync(dir)) {
    console.error(`no WASI test suite at ${dir}`)
    process.exit(2)
  }
  let passed = 0
  const failed = []
  for (const suite of suites(dir)) {
    for (const file of fs.readdirSync(suite).filter((f) => f.endsWith('.wasm')).sort()) {
      const name = `${path.relative(dir, suite)}/${file}`
      const failure = runTest(suite, file)
      if (failure === null) passed++
      else failed.push(`FAIL ${name}: ${failure}`)
    }
  }
  for (const line of failed) console.log(line)
  console.log(`${passed} passed, ${failed.length} failed`)
  process.exit(failed.length > 0 || passed === 0 ? 1 : 0)
}

main()
