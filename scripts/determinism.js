#!/usr/bin/env node
// Runs the determinism corpus (tests/determinism/) in one or more modes and compares every
// case's digest with tests/determinism/expected.json. scripts/determinism.sh runs it on every
// engine path and under qemu for other CPUs.
//
//   node scripts/determinism.js [--mode MODE[,MODE...]] [--cache-dir DIR] [--only TEXT] [--update]
//                               [--skip-stack-depth] [--timeout-ms MS]
//
// Modes: sync (runWasi), async (runWasiAsync), program (Program#run), program-async
// (Program#runAsync), inflight (80 Program#runAsync calls of each case at once, all compared;
// run it with UV_THREADPOOL_SIZE=80 so that more runs are in flight than the pool has slots),
// fuel (the fuel-metering engine, a budget never reached, fuelConsumed left out, the stack-depth
// cases skipped). --update rewrites expected.json from a sync run. --skip-stack-depth skips the
// cases whose depth depends on the machine code's frames (for aarch64, whose frames differ from
// x86-64's); --timeout-ms sets the wall time of cases that set none (for emulated CPUs).
// Exits 1 on any difference.
'use strict'
const path = require('node:path')
const { parseArgs } = require('node:util')

const { digestCorpus, expected, writeExpected, EXPECTED } = require('../tests/determinism/digest')

async function main() {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'sync' },
      'cache-dir': { type: 'string' },
      only: { type: 'string' },
      'skip-stack-depth': { type: 'boolean', default: false },
      'timeout-ms': { type: 'string' },
      update: { type: 'boolean', default: false },
    },
  })
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms'])
  const options = { cacheDir: values['cache-dir'], only: values.only, timeoutMs, ...(values['skip-stack-depth'] ? { skipStackDepth: true } : {}) }
  if (values.update) {
    const run = await digestCorpus('sync', options)
    writeExpected(run)
    console.log(`wrote ${path.relative(process.cwd(), EXPECTED)}: ${Object.keys(run.cases).length} cases, ${run.total}`)
    return
  }
  const want = expected()
  let differences = 0
  for (const mode of values.mode.split(',')) {
    const started = Date.now()
    const run = await digestCorpus(mode, options)
    for (const [name, digest] of Object.entries(run.cases)) {
      if (digest === want.cases[name]) continue
      differences++
      console.log(`${mode}: ${name} differs (${digest}, expected ${want.cases[name]}):`)
      console.log(`  ${run.results[name].slice(0, 2000)}`)
    }
    const count = Object.keys(run.cases).length
    const skipped = run.skipped ? `, ${run.skipped} skipped` : ''
    console.log(`${mode}: ${count} cases${skipped}, digest ${run.total}, ${Date.now() - started} ms`)
    // A whole-corpus run must also cover exactly the expected cases.
    if (!values.only && !run.skipped && run.total !== want.total) {
      differences++
      console.log(`${mode}: the corpus digest differs from expected.json's ${want.total}`)
    }
  }
  console.log(differences ? `determinism: ${differences} differences` : 'determinism: every digest matches')
  process.exitCode = differences ? 1 : 0
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
