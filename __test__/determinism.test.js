// The same inputs give byte-identical results: within a process and across processes.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const crypto = require('node:crypto')

const { runWasi } = require('..')
const { guest, corpus } = require('./guests')

/** A digest of every result of the corpus, run twice in this process (asserting equality). */
function corpusDigest() {
  const hash = crypto.createHash('sha256')
  for (const [name, options] of corpus) {
    const first = runWasi(guest(name), options)
    const second = runWasi(guest(name), options)
    assert.deepEqual(second, first, `two runs of ${name} differ`)
    hash.update(JSON.stringify(first, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)))
  }
  return hash.digest('hex')
}

if (require.main === module) {
  process.stdout.write(corpusDigest())
} else {
  test('every guest twice gives identical results, and another process agrees', () => {
    const here = corpusDigest()
    const there = execFileSync(process.execPath, [__filename], { encoding: 'utf8' })
    assert.equal(there, here)
  })
}
