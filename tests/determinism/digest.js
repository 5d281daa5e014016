// Runs the determinism corpus (corpus.js) through the public API in one of several modes and
// hashes each case's full result (outcome, exit code, stdout, stderr, files, virtual time, fuel,
// trap; or the code and message of the error it threw) into a digest. Used by
// scripts/determinism.js and __test__/determinism.test.js.
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

// The package under test: this checkout, or an installed copy (HERMETIC_WASI_PACKAGE, its
// directory: the packed package under another CPU, __test__/package.test.js).
const { runWasi, runWasiAsync, Program } = require(process.env.HERMETIC_WASI_PACKAGE ?? '../..')
const { cases } = require('./corpus')

/** The digests every mode must give: { total, cases: { name: digest } }. */
const EXPECTED = path.join(__dirname, 'expected.json')
const IN_FLIGHT = 80
const UNREACHED_FUEL = 2n ** 62n

/** A result, or what a call threw, as canonical JSON: bytes in base64, bigints as text. */
function canonical(value) {
  return JSON.stringify(value, function (key, v) {
    const raw = this[key]
    if (raw instanceof Uint8Array) return { base64: Buffer.from(raw).toString('base64') }
    if (typeof v === 'bigint') return v.toString()
    return v
  })
}

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex')

/** The settled value of `call`, or the code and message of what it threw. */
async function settle(call) {
  try {
    return await call()
  } catch (error) {
    return { error: error.code ?? 'none', message: error.message }
  }
}

/** How each mode runs one case, to its result. */
const modes = {
  sync: ({ wasm, options }, cacheDir) => settle(() => runWasi(wasm, { ...options, cacheDir })),
  async: ({ wasm, options }, cacheDir) => settle(() => runWasiAsync(wasm, { ...options, cacheDir })),
  program: ({ wasm, options }, cacheDir) => settle(() => new Program(wasm, { cacheDir }).run(options)),
  'program-async': ({ wasm, options }, cacheDir) => settle(() => new Program(wasm, { cacheDir }).runAsync(options)),
  /** IN_FLIGHT runs at once, all compared with the first. */
  async inflight({ name, wasm, options }, cacheDir) {
    const program = await settle(() => new Program(wasm, { cacheDir }))
    if (program.error) return program
    const runs = Array.from({ length: IN_FLIGHT }, () => settle(() => program.runAsync(options)))
    const results = await Promise.all(runs)
    const first = canonical(results[0])
    const differ = results.filter((result) => canonical(result) !== first).length
    if (differ) throw new Error(`${name}: ${differ} of ${IN_FLIGHT} runs in flight differ from the first`)
    return results[0]
  },
  /** On the fuel-metering engine with a budget never reached; fuelConsumed left out. */
  async fuel({ wasm, options }, cacheDir) {
    const metered = options.limits?.fuel !== undefined
    const limits = { ...options.limits, fuel: metered ? options.limits.fuel : UNREACHED_FUEL }
    const result = await settle(() => runWasi(wasm, { ...options, limits, cacheDir }))
    if (!metered) delete result.fuelConsumed
    return result
  },
}

/**
 * Runs every case (whose name includes `only`, if given) in `mode` and returns
 * `{ total, cases: { name: digest }, results: { name: canonical JSON }, skipped }`. The cases
 * whose stack depth differs with the machine code's frames (corpus.js, `fuelDepth`) are skipped
 * with `skipStackDepth`, as they are in the fuel mode and on aarch64. `timeoutMs` is the wall
 * time of cases that set none (under emulation, CPython needs more than the default's 10 s).
 */
async function digestCorpus(mode, { cacheDir, only, skipStackDepth = mode === 'fuel', timeoutMs } = {}) {
  if (!modes[mode]) throw new Error(`unknown mode ${mode}; one of ${Object.keys(modes).join(', ')}`)
  const digests = {}
  const results = {}
  let skipped = 0
  if (cacheDir) warm(mode, cacheDir)
  for (const c of cases()) {
    if (only && !c.name.includes(only)) continue
    if (skipStackDepth && c.fuelDepth) {
      skipped++
      continue
    }
    const timed = timeoutMs === undefined ? c : { ...c, options: { ...c.options, limits: { timeoutMs, ...c.options?.limits } } }
    results[c.name] = canonical(await modes[mode](timed, cacheDir))
    digests[c.name] = sha256(results[c.name])
  }
  const total = sha256(Object.entries(digests).map(([name, digest]) => `${name} ${digest}\n`).join(''))
  return { total, cases: digests, results, skipped }
}

/**
 * Compiles every program of the corpus into `cacheDir` without a time bound (and its metered
 * code for the fuel mode), so that no case's budget is spent compiling: a call's `timeoutMs`
 * counts its compilation, and CPython's takes seconds (more on a loaded machine or under qemu).
 */
function warm(mode, cacheDir) {
  const unbounded = { timeoutMs: Infinity }
  for (const wasm of new Set(cases().map((c) => c.wasm))) {
    try {
      const program = new Program(wasm, { cacheDir, ...unbounded })
      if (mode === 'fuel') program.run({ limits: { ...unbounded, fuel: 1 } })
    } catch {
      // A case that does not compile reports its error when it runs.
    }
  }
}

/** The checked-in digests. */
const expected = () => JSON.parse(fs.readFileSync(EXPECTED, 'utf8'))

/** Writes `run`'s digests as the expected ones. */
function writeExpected(run) {
  fs.writeFileSync(EXPECTED, JSON.stringify({ total: run.total, cases: run.cases }, null, 2) + '\n')
}

module.exports = { digestCorpus, expected, writeExpected, EXPECTED }
