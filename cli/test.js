// `hermetic-wasi test DIR`: the golden-file tests of golden.js, reported as text, TAP (the
// format of Node's own test runner) or JUnit XML.
'use strict'

const path = require('node:path')

const { flags } = require('./flags')

const USAGE = `Usage: hermetic-wasi test DIR [options]

Runs every program under DIR (NAME.wasm or NAME.wat, in subdirectories too) with its inputs
from the files beside it, and compares how it ended with the expected files:

  inputs    NAME.stdin, NAME.args (one argument per line), NAME.env (NAME=VALUE lines),
            NAME.files/ (the filesystem), NAME.options.json (limits, seed, startTime,
            programName)
  expected  NAME.stdout, NAME.stderr (missing: empty), NAME.outcome (missing: "exited 0"),
            NAME.out/ (the final filesystem, when the case has NAME.files/ or NAME.out/)

A case that differs prints unified diffs; the command exits with 1 if any case differs or
cannot run, or if there is no case at all.

Options:
  --update             write the expected files from this run instead of comparing
  --reporter NAME      text (default), tap, or junit (JUnit XML, for CI systems)
  --filter TEXT        only the cases whose name contains TEXT
  --concurrency N      cases at once (default: the number of cores)
  -h, --help           show this help
`

const OPTIONS = {
  update: { type: 'boolean' },
  reporter: { type: 'string', default: 'text' },
  filter: { type: 'string' },
  concurrency: { type: 'string' },
}

const REPORTERS = { text, tap, junit }

async function testCommand(argv, UsageError) {
  const { values, positionals: dirs, integer } = flags('test', argv, OPTIONS, UsageError, { positionals: true })
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (dirs.length !== 1) throw new UsageError('test: give one directory of cases')
  if (!(values.reporter in REPORTERS)) throw new UsageError(`test: --reporter must be text, tap or junit, got '${values.reporter}'`)
  const fs = require('node:fs')
  if (!fs.statSync(dirs[0], { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`test: '${dirs[0]}' is not a directory`)
  const concurrency = integer('concurrency', 1)
  const size = concurrency ?? require('node:os').availableParallelism()
  if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, size + 2))
  const { runCases, GoldenError } = require('../golden')
  let results
  try {
    results = await runCases(dirs[0], { update: values.update, filter: values.filter, concurrency: size })
  } catch (error) {
    if (error instanceof GoldenError) throw new UsageError(`test: ${error.message}`)
    throw error
  }
  process.stdout.write(REPORTERS[values.reporter](results, dirs[0], values.update))
  // No case at all is a failure: a typo in DIR or --filter must not pass.
  return results.length === 0 || results.some((r) => r.problems.length > 0) ? 1 : 0
}

const cases = (n) => `${n} case${n === 1 ? '' : 's'}`

/** For people: a line per case, the diffs of those that differ, and a count. */
function text(results, dir, update) {
  let out = ''
  for (const r of results) {
    out += `${r.problems.length === 0 ? (update ? 'updated' : 'ok') : 'FAIL'}  ${r.name}\n`
    for (const problem of r.problems) out += `${indent(problem.diff, '      ')}\n`
  }
  const failed = results.filter((r) => r.problems.length > 0).length
  if (results.length === 0) return `no cases in ${dir} (NAME.wasm or NAME.wat files${update ? '' : ', or none matching --filter'})\n`
  return `${out}${cases(results.length)} in ${dir}: ${results.length - failed} ${update ? 'updated' : 'passed'}, ${failed} failed\n`
}

/** TAP 13, as Node's test runner writes it (a YAML block with the diffs of a failure). */
function tap(results) {
  let out = 'TAP version 13\n'
  results.forEach((r, i) => {
    out += `${r.problems.length === 0 ? 'ok' : 'not ok'} ${i + 1} - ${controls(r.name, true).replace(/#/g, '\\#')}\n`
    out += '  ---\n'
    out += `  duration_ms: ${r.ms.toFixed(3)}\n`
    if (r.problems.length > 0) {
      out += `  failureType: '${r.error ? 'hookFailure' : 'testCodeFailure'}'\n  error: |-\n${indent(controls(r.problems.map((p) => p.diff).join('\n\n'), false), '    ')}\n`
    }
    out += '  ...\n'
  })
  const failed = results.filter((r) => r.problems.length > 0).length
  return `${out}1..${results.length}\n# tests ${results.length}\n# pass ${results.length - failed}\n# fail ${failed}\n`
}

/**
 * JUnit XML: one <testcase> per case, a <failure> with the diffs for those that differ, an
 * <error> for those that could not run.
 */
function junit(results, dir) {
  const errors = results.filter((r) => r.error).length
  const failed = results.filter((r) => r.problems.length > 0).length - errors
  const seconds = (ms) => (ms / 1000).toFixed(3)
  const total = results.reduce((sum, r) => sum + r.ms, 0)
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n'
  out += `<testsuites name="hermetic-wasi test" tests="${results.length}" failures="${failed}" errors="${errors}" time="${seconds(total)}">\n`
  out += `  <testsuite name="${xml(path.basename(path.resolve(dir)))}" tests="${results.length}" failures="${failed}" errors="${errors}" skipped="0" time="${seconds(total)}">\n`
  for (const r of results) {
    const head = `    <testcase name="${xml(r.name)}" classname="${xml(path.basename(path.resolve(dir)))}" time="${seconds(r.ms)}"`
    if (r.problems.length === 0) out += `${head}/>\n`
    else if (r.error) out += `${head}>\n      <error message="${xml(r.problems[0].diff.split('\n')[0])}" type="error">${xml(r.problems[0].diff)}</error>\n    </testcase>\n`
    else {
      const message = `${r.problems.map((p) => p.what).join(', ')} differ${r.problems.length === 1 ? 's' : ''}`
      out += `${head}>\n      <failure message="${xml(message)}" type="mismatch">${xml(r.problems.map((p) => p.diff).join('\n\n'))}</failure>\n    </testcase>\n`
    }
  }
  return `${out}  </testsuite>\n</testsuites>\n`
}

/**
 * `text` with C0 controls as `\xNN` (YAML forbids them), but for newlines and tabs unless
 * `oneLine` (a TAP test line ends at a newline).
 */
function controls(text, oneLine) {
  // eslint-disable-next-line no-control-regex
  const pattern = oneLine ? /[\x00-\x1f\x7f]/g : /[\x00-\x08\x0b-\x1f\x7f]/g
  return text.replace(pattern, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

const indent = (text, prefix) =>
  text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n')

/** `text` escaped for XML 1.0, whose characters exclude most C0 controls: those as `\xNN`. */
function xml(text) {
  const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
  // eslint-disable-next-line no-control-regex
  return String(text).replace(/[&<>"']|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, (c) => entities[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

module.exports = { testCommand }
