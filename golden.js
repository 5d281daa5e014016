// `hermetic-wasi/golden`: golden-file tests, Go's `testdata` way. Every program in a directory
// (`NAME.wasm` or `NAME.wat`, in subdirectories too) is a case, run with its inputs from
// sibling files and compared with the expected ones beside it:
//
//   inputs    NAME.stdin (bytes), NAME.args (one argument per line), NAME.env (NAME=VALUE lines),
//             NAME.files/ (the filesystem), NAME.options.json (limits, seed, startTime,
//             programName)
//   expected  NAME.stdout, NAME.stderr (missing: empty), NAME.outcome (`exited 0` when missing;
//             `trapped 134` and the trap's message otherwise), NAME.out/ (the final filesystem,
//             compared when the case has NAME.files/ or NAME.out/)
//
// `runCases` runs them on the thread pool (`runWasiAsync`) and answers, per case, what differs
// as unified diffs; with `update`, it writes the expected files from the run instead.
// `goldenTests` registers one test per case with node:test, jest or vitest. The
// `hermetic-wasi test` command (cli/test.js) prints them as text, TAP or JUnit XML.
'use strict'

const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { createTwoFilesPatch } = require('diff')

const { runWasiAsync } = require('./main.js')
const { readTree, writeTree } = require('./cli/tree')

const PROGRAM = /\.(wasm|wat)$/
/** Directories that belong to a case, not cases of their own. */
const CASE_DIR = /\.(files|out)$/
const OPTION_KEYS = ['limits', 'seed', 'startTime', 'programName']
const DEFAULT_OUTCOME = 'exited 0\n'

/** A golden directory that cannot be read as cases (a bad side file): `code` ERR_GOLDEN. */
class GoldenError extends Error {
  constructor(message) {
    super(message)
    this.code = 'ERR_GOLDEN'
  }
}

/** The cases under `dir`, by name (the program's path without its extension, with `/`). */
function findCases(dir) {
  const cases = []
  const walk = (relative) => {
    const full = path.join(dir, relative)
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.isDirectory() && !CASE_DIR.test(entry.name)) walk(name)
      else if (entry.isFile() && PROGRAM.test(entry.name)) cases.push({ name: name.replace(PROGRAM, ''), program: path.join(dir, name), base: path.join(dir, name.replace(PROGRAM, '')) })
    }
  }
  walk('')
  const seen = new Set()
  for (const c of cases) {
    if (seen.has(c.name)) throw new GoldenError(`${c.name}: both ${c.name}.wasm and ${c.name}.wat; keep one`)
    seen.add(c.name)
  }
  return cases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * The bytes of side file `file`, or undefined when there is none. Only a regular file is read:
 * a symlink could point anywhere on the host, and a FIFO would block.
 */
function read(file) {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false })
  if (stat === undefined) return undefined
  if (!stat.isFile()) throw new GoldenError(`${file} is not a regular file (side files are never followed through symlinks)`)
  return fs.readFileSync(file)
}

/** The lines of `buffer`, a carriage return before each newline dropped (files from Windows). */
const lines = (buffer) => {
  const parts = buffer.toString('utf8').split(/\r?\n/)
  if (parts.at(-1) === '') parts.pop()
  return parts
}

/** Whether `dir` is a directory, not a symlink to one; anything else there is an error. */
function isDirectory(dir) {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false })
  if (stat === undefined) return false
  if (!stat.isDirectory()) throw new GoldenError(`${dir} is not a directory (side directories are never followed through symlinks)`)
  return true
}

/** The run options of case `c`, from its side files; `hasTree` when it has a filesystem. */
function inputsOf(c) {
  const options = {}
  const stdin = read(`${c.base}.stdin`)
  if (stdin) options.stdin = stdin
  const args = read(`${c.base}.args`)
  if (args) options.args = lines(args)
  const env = read(`${c.base}.env`)
  if (env) {
    options.env = {}
    for (const line of lines(env)) {
      if (line === '') continue
      const at = line.indexOf('=')
      if (at <= 0) throw new GoldenError(`${c.name}.env: '${line}' is not NAME=VALUE`)
      options.env[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  const json = read(`${c.base}.options.json`)
  if (json) {
    let parsed
    try {
      parsed = JSON.parse(json.toString('utf8'))
    } catch (error) {
      throw new GoldenError(`${c.name}.options.json is not JSON: ${error.message}`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new GoldenError(`${c.name}.options.json must hold a JSON object`)
    for (const key of Object.keys(parsed)) {
      if (!OPTION_KEYS.includes(key)) throw new GoldenError(`${c.name}.options.json: unknown option '${key}' (known: ${OPTION_KEYS.join(', ')})`)
    }
    Object.assign(options, parsed)
    // JSON has no bigints: a seed may be a decimal string.
    if (typeof options.seed === 'string') {
      if (!/^[0-9]{1,20}$/.test(options.seed)) throw new GoldenError(`${c.name}.options.json: seed must be a number or a decimal string, got '${options.seed}'`)
      options.seed = BigInt(options.seed)
    }
  }
  const tree = `${c.base}.files`
  const seeded = isDirectory(tree)
  const hasTree = seeded || isDirectory(`${c.base}.out`)
  if (seeded) options.files = readTree(tree, GoldenError, `${c.name}.files`)
  else if (hasTree) options.files = {}
  return { options, hasTree }
}

/** How a run ended, as NAME.outcome holds it. */
function outcomeText(result) {
  return `${result.outcome} ${result.exitCode}\n${result.trap ? `trap: ${result.trap.message}\n` : ''}`
}

/**
 * Runs case `c` and compares it with its expected files: `{ name, problems, ms }`, where each
 * problem is `{ what, diff }` (a unified diff, or for bytes that are not text, their sizes and
 * digests). With `update`, writes the expected files from the run and answers no problems.
 */
async function runCase(c, { update = false } = {}) {
  const started = process.hrtime.bigint()
  const { options, hasTree } = inputsOf(c)
  const wasm = fs.readFileSync(c.program)
  const result = await runWasiAsync(c.program.endsWith('.wat') ? wasm.toString('utf8') : wasm, options)
  const got = { stdout: result.stdout, stderr: result.stderr, outcome: Buffer.from(outcomeText(result)) }
  const problems = []
  if (update) write(c, got, hasTree ? result.files : undefined)
  else {
    for (const what of ['outcome', 'stdout', 'stderr']) {
      const fallback = what === 'outcome' ? Buffer.from(DEFAULT_OUTCOME) : Buffer.alloc(0)
      const want = read(`${c.base}.${what}`) ?? fallback
      if (!want.equals(got[what])) problems.push({ what, diff: difference(`${c.name}.${what}`, want, got[what]) })
    }
    if (hasTree) problems.push(...compareTrees(c, result.files))
  }
  return { name: c.name, problems, ms: Number(process.hrtime.bigint() - started) / 1e6 }
}

/**
 * Writes the expected files of `c`: empty ones (and the default outcome) are removed. Each is
 * removed first and created anew, so a symlink in its place is replaced, never written through.
 */
function write(c, got, files) {
  for (const [what, bytes] of Object.entries(got)) {
    const file = `${c.base}.${what}`
    const empty = what === 'outcome' ? bytes.toString() === DEFAULT_OUTCOME : bytes.length === 0
    fs.rmSync(file, { force: true })
    if (!empty) fs.writeFileSync(file, bytes, { flag: 'wx' })
  }
  if (files !== undefined) {
    fs.rmSync(`${c.base}.out`, { recursive: true, force: true })
    writeTree(`${c.base}.out`, files)
  }
}

/** The differences between NAME.out/ (missing: empty) and the final tree `files`. */
function compareTrees(c, files) {
  const dir = `${c.base}.out`
  const want = isDirectory(dir) ? readTree(dir, GoldenError, `${c.name}.out`) : {}
  const problems = []
  for (const name of [...new Set([...Object.keys(want), ...Object.keys(files)])].sort()) {
    const [a, b] = [want[name], files[name]]
    const label = `${c.name}.out/${name}`
    if (a === undefined) problems.push({ what: `out/${name}`, diff: `${label}: not expected, but the run left ${describe(b)}` })
    else if (b === undefined) problems.push({ what: `out/${name}`, diff: `${label}: expected ${describe(a)}, but the run left nothing there` })
    else if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) {
      if (!a.equals(b)) problems.push({ what: `out/${name}`, diff: difference(label, a, b) })
    } else if (describe(a) !== describe(b)) problems.push({ what: `out/${name}`, diff: `${label}: expected ${describe(a)}, got ${describe(b)}` })
  }
  return problems
}

const describe = (entry) => (Buffer.isBuffer(entry) ? `a file of ${entry.length} bytes` : entry.type === 'dir' ? 'a directory' : `a symlink to '${entry.target}'`)

const utf8 = new TextDecoder('utf-8', { fatal: true })
const isText = (bytes) => {
  try {
    utf8.decode(bytes)
    return !bytes.includes(0)
  } catch {
    return false
  }
}
const digest = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')

/** How long a diff may take (its cost grows with the square of the lines that differ). */
const DIFF_MS = 500
/** How many lines of a diff are shown. */
const DIFF_LINES = 400

/**
 * A unified diff of `want` against `got` for text (at most DIFF_LINES lines; past DIFF_MS, the
 * first line that differs instead), sizes and digests for other bytes.
 */
function difference(label, want, got) {
  if (!isText(want) || !isText(got)) {
    return `${label}: binary; expected ${want.length} bytes (sha256 ${digest(want)}), got ${got.length} bytes (sha256 ${digest(got)})`
  }
  const [a, b] = [want.toString('utf8'), got.toString('utf8')]
  const patch = createTwoFilesPatch('expected', 'got', a, b, '', '', { context: 3, timeout: DIFF_MS })
  if (patch === undefined) return firstDifference(label, a, b)
  const body = patch.split('\n').slice(3) // the ===== line and jsdiff's own --- and +++ lines
  while (body.at(-1) === '') body.pop()
  const shown = body.length > DIFF_LINES ? [...body.slice(0, DIFF_LINES), `... ${body.length - DIFF_LINES} more lines of diff`] : body
  return [`--- ${label} (expected)`, `+++ ${label} (got)`, ...shown].join('\n')
}

/** Where texts `a` and `b` first differ, for a diff too costly to compute. */
function firstDifference(label, a, b) {
  const [x, y] = [a.split('\n'), b.split('\n')]
  let at = 0
  while (at < x.length && at < y.length && x[at] === y[at]) at++
  const cut = (line) => (line === undefined ? '(none)' : JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}...` : line))
  return `${label}: ${x.length} lines expected, ${y.length} got (too many differences for a diff within ${DIFF_MS} ms); the first difference, at line ${at + 1}:\n- ${cut(x[at])}\n+ ${cut(y[at])}`
}

/**
 * Runs every case under `dir` (whose name includes `filter`), `concurrency` at a time, in name
 * order of their answers: see `runCase`.
 */
async function runCases(dir, { update = false, filter, concurrency = os.availableParallelism() } = {}) {
  const cases = findCases(dir).filter((c) => filter === undefined || c.name.includes(filter))
  const results = new Array(cases.length)
  let next = 0
  const worker = async () => {
    while (next < cases.length) {
      const at = next++
      try {
        results[at] = await runCase(cases[at], { update })
      } catch (error) {
        // A case that cannot run (a bad side file, a program that does not compile) is an
        // error of that case; the others still run.
        results[at] = { name: cases[at].name, problems: [{ what: 'error', diff: `${cases[at].name}: ${error.code ?? error.name}: ${error.message}` }], ms: 0, error: true }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, cases.length)) }, worker))
  return results
}

/**
 * Registers one test per case under `dir` with `test` (node:test's, jest's or vitest's `test`;
 * by default the global `test` of jest and vitest, else node:test's). A case that differs
 * fails with its diffs. `update` (or HERMETIC_WASI_UPDATE=1) rewrites the expected files. Each
 * test may take `timeoutMs` (by default 60 s: longer than a run's default 10 s wall time and a
 * compile; jest's and vitest's own default of 5 s would end a run before its limit).
 */
function goldenTests(dir, { test = globalThis.test ?? require('node:test'), update = process.env.HERMETIC_WASI_UPDATE === '1', timeoutMs = 60_000 } = {}) {
  const nodeTest = test === require('node:test') || test === require('node:test').test
  for (const c of findCases(dir)) {
    const body = async () => {
      const { problems } = await runCase(c, { update })
      if (problems.length > 0) {
        const error = new Error(`${c.name}: ${problems.map((p) => p.what).join(', ')} differ${problems.length === 1 ? 's' : ''}\n\n${problems.map((p) => p.diff).join('\n\n')}`)
        error.code = 'ERR_GOLDEN_MISMATCH'
        throw error
      }
    }
    // node:test takes its options second; jest and vitest take a timeout third.
    if (nodeTest) test(c.name, { timeout: timeoutMs }, body)
    else test(c.name, body, timeoutMs)
  }
}

module.exports = { findCases, runCase, runCases, goldenTests, GoldenError }
