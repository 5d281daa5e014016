// Thousands of hostile runs leave the host process as it was: memory returns to its baseline.
// Runs in a child process so that no other test's allocations blur the measurement.
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')

const RUNS = 3000

function hostileRuns() {
  const { Program } = require('..')
  const { guest } = require('./guests')
  const cases = [
    [new Program(guest('oom')), { limits: { memoryBytes: 8 << 20 } }, 'memoryExceeded'],
    [new Program(guest('flood')), { limits: { outputBytes: 64 << 10 } }, 'outputExceeded'],
    [new Program(guest('panic')), {}, 'trapped'],
    [new Program(guest('recursion')), {}, 'trapped'],
    [new Program(guest('spin')), { limits: { fuel: 100_000 } }, 'fuelExhausted'],
    [new Program(guest('poll_nothing')), {}, 'deadlock'],
  ]
  const round = (n) => {
    for (let i = 0; i < n; i++) {
      const [program, options, outcome] = cases[i % cases.length]
      const result = program.run(options)
      if (result.outcome !== outcome) throw new Error(`run ${i}: ${result.outcome} instead of ${outcome}`)
    }
  }
  round(1500) // warm-up: allocator arenas, code pages, JIT
  global.gc?.()
  const before = process.memoryUsage().rss
  round(RUNS)
  global.gc?.()
  const after = process.memoryUsage().rss
  return { before, after }
}

if (require.main === module) {
  process.stdout.write(JSON.stringify(hostileRuns()))
} else {
  // RSS after GC is noisy by up to ~16 MiB between samples (malloc arenas, mmap'd regions).
  // A leak of anything a run owns (at least 64 KiB of linear memory, its output, its stack)
  // would grow it by 190 MiB or more over these runs.
  test(`${RUNS} hostile runs: RSS stays within 32 MiB of its baseline`, () => {
    const out = execFileSync(process.execPath, ['--expose-gc', __filename], { encoding: 'utf8' })
    const { before, after } = JSON.parse(out)
    const growthMiB = (after - before) / (1 << 20)
    assert.ok(growthMiB < 32, `RSS grew by ${growthMiB.toFixed(1)} MiB over ${RUNS} hostile runs`)
  })
}
