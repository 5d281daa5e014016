// The same inputs give byte-identical results: within a process, across processes, through every
// API, and against the digests checked in as tests/determinism/expected.json (which
// scripts/determinism.sh also checks on the other engines and under qemu for other CPUs).
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const path = require('node:path')

const { runWasi } = require('..')
const { guest, corpus } = require('./guests')
const { digestCorpus, expected } = require('../tests/determinism/digest')

const script = path.join(__dirname, '..', 'scripts', 'determinism.js')
// Shared by this process and the one it starts, so CPython is compiled once.
const cacheDir = path.join(__dirname, '..', 'tests', 'guests', 'target', 'determinism-test-cache')

test('every guest twice gives identical results', () => {
  for (const [name, options] of corpus) {
    assert.deepEqual(runWasi(guest(name), options), runWasi(guest(name), options), `two runs of ${name} differ`)
  }
})

test('the determinism corpus matches its checked-in digests, case by case', async () => {
  const run = await digestCorpus('sync', { cacheDir })
  const want = expected()
  for (const [name, digest] of Object.entries(run.cases)) {
    assert.equal(digest, want.cases[name], `${name} differs: ${run.results[name].slice(0, 1000)}`)
  }
  assert.deepEqual(Object.keys(run.cases), Object.keys(want.cases))
  assert.equal(run.total, want.total)
})

test('another process agrees, through Program and the async API', () => {
  const output = execFileSync(process.execPath, [script, '--mode', 'program,program-async', '--cache-dir', cacheDir], { encoding: 'utf8' })
  assert.match(output, /determinism: every digest matches\n$/)
})
