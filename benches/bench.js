// Benchmarks hermetic-wasi side by side with Node's node:wasi (and native code) in one run, and
// writes the figures to BENCHMARKS.md. Run with `npm run bench` (it builds what it needs first).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync, spawnSync } = require('node:child_process')
const { WASI } = require('node:wasi')

const root = path.join(__dirname, '..')
const target = path.join(root, 'tests', 'guests', 'target')
const p2 = (name) => path.join(target, 'wasm32-wasip2', 'release', `${name}.wasm`)
const p1 = (name) => path.join(target, 'wasm32-wasip1', 'release', `${name}.wasm`)
const native = (name) => path.join(target, 'release', name)
const { Program, runWasi } = require(root)

const now = () => process.hrtime.bigint()
const us = (ns) => Number(ns) / 1e3
const ms = (ns) => Number(ns) / 1e6
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]

/** node:wasi with stdout and stderr captured the only way it can: into files, read back. */
function nodeWasiRunner(file, args = []) {
  const module = new WebAssembly.Module(fs.readFileSync(file))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'))
  // Append mode: after each run's truncation the next run writes from offset 0 again.
  const out = fs.openSync(path.join(dir, 'out'), 'a+')
  const err = fs.openSync(path.join(dir, 'err'), 'a+')
  return () => {
    const wasi = new WASI({ version: 'preview1', args: ['main', ...args], env: {}, stdout: out, stderr: err, returnOnExit: true })
    const instance = new WebAssembly.Instance(module, wasi.getImportObject())
    const exitCode = wasi.start(instance)
    const stdout = fs.readFileSync(path.join(dir, 'out'))
    fs.ftruncateSync(out, 0)
    fs.ftruncateSync(err, 0)
    return { exitCode, stdout }
  }
}

function hermeticRunner(file, args = []) {
  const program = new Program(fs.readFileSync(file))
  return () => program.run({ args })
}

/** Per-run times of `fn` in µs after a warm-up: median and p90. A full GC runs every 50 runs,
 * outside the timing, for both runtimes: node:wasi segfaults after about 120 back-to-back runs
 * in a synchronous loop when nothing collects its instances (seen with Node 20.20.2). */
function perRun(fn, runs) {
  for (let i = 0; i < Math.min(200, runs); i++) {
    fn()
    if (i % 50 === 0) global.gc()
  }
  const times = []
  for (let i = 0; i < runs; i++) {
    if (i % 50 === 0) global.gc()
    const t = now()
    fn()
    times.push(us(now() - t))
  }
  return { median: quantile(times, 0.5), p90: quantile(times, 0.9) }
}

/** Best wall time of `fn` in ms over `n` tries. */
function best(fn, n = 3) {
  let min = Infinity
  for (let i = 0; i < n; i++) {
    global.gc()
    const t = now()
    fn()
    min = Math.min(min, ms(now() - t))
  }
  return min
}

/** Median wall time in ms of a fresh `node -e script`, over `n` processes. */
function freshProcess(script, n = 7) {
  const times = []
  for (let i = 0; i < n; i++) {
    const t = now()
    execFileSync(process.execPath, ['-e', script], { cwd: root, stdio: 'ignore' })
    times.push(ms(now() - t))
  }
  return quantile(times, 0.5)
}

/** RSS growth in MiB over `runs` runs of hello in a fresh process. */
function rssGrowth(kind, runs) {
  const script = `
    const { Program } = require(${JSON.stringify(root)})
    const { WASI } = require('node:wasi')
    const fs = require('fs')
    let run
    if (${JSON.stringify(kind)} === 'hermetic') {
      const p = new Program(fs.readFileSync(${JSON.stringify(p2('hello'))})); run = () => p.run()
    } else {
      const m = new WebAssembly.Module(fs.readFileSync(${JSON.stringify(p1('hello'))}))
      const fd = fs.openSync('/dev/null', 'w')
      run = () => { const w = new WASI({ version: 'preview1', stdout: fd, stderr: fd, returnOnExit: true }); w.start(new WebAssembly.Instance(m, w.getImportObject())) }
    }
    for (let i = 0; i < 1000; i++) { run(); if (i % 50 === 0) global.gc() }
    global.gc(); const before = process.memoryUsage().rss
    for (let i = 0; i < ${runs}; i++) { run(); if (i % 50 === 0) global.gc() }
    global.gc(); const after = process.memoryUsage().rss
    console.log((after - before) / 1048576)`
  return Number(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' }))
}

/**
 * Compile times in ms of `file`, `n` distinct copies of it (a numbered custom section defeats
 * the caches) through `new Program`, in a fresh process: in a compiler process, or in-process
 * (`HERMETIC_WASI_COMPILE_IN_PROCESS=1`). A first compile of hello, not counted, starts the
 * compiler process, so the figures are those of a warm one.
 */
function compileTimes(file, n, inProcess) {
  const script = `
    const { Program } = require(${JSON.stringify(root)})
    const fs = require('fs')
    const copy = (bytes, i) => Buffer.concat([bytes, Buffer.from([0, 6, 3, 0x68, 0x77, 0x62, i >> 8, i & 255])])
    new Program(copy(fs.readFileSync(${JSON.stringify(p2('hello'))}), 65535))
    const bytes = fs.readFileSync(${JSON.stringify(file)})
    const times = []
    for (let i = 0; i < ${n}; i++) {
      const t = process.hrtime.bigint()
      new Program(copy(bytes, i), { timeoutMs: Infinity })
      times.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    console.log(JSON.stringify(times))`
  const env = { ...process.env, HERMETIC_WASI_COMPILE_IN_PROCESS: inProcess ? '1' : '0' }
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env }))
}

/** Median compile times of `file` in a compiler process and in-process, alternating rounds. */
function compileSideBySide(file, n, rounds) {
  const times = { process: [], inProcess: [] }
  for (let round = 0; round < rounds; round++) {
    times.process.push(...compileTimes(file, n, false))
    times.inProcess.push(...compileTimes(file, n, true))
  }
  return { process: quantile(times.process, 0.5), inProcess: quantile(times.inProcess, 0.5) }
}

/** Async runs per second of the cpu guest with `concurrency` runs in flight. */
async function asyncThroughput(concurrency, runs) {
  const program = new Program(fs.readFileSync(p2('cpu')))
  const options = { args: ['2'] }
  await program.runAsync(options)
  let started = 0
  const t = now()
  const lane = async () => {
    while (started++ < runs) await program.runAsync(options)
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return runs / (ms(now() - t) / 1000)
}

async function main() {
  const rows = []
  const add = (what, hermetic, nodeWasi, unit, target) => rows.push({ what, hermetic, nodeWasi, unit, target })
  const fmt = (x, unit) => (x === undefined ? 'n/a' : `${x.toFixed(unit === 'µs' || unit === 'MiB' ? 1 : 2)} ${unit}`)

  // `--compile-only`: just the first-run and compile rows, printed; BENCHMARKS.md untouched.
  const compileOnly = process.argv.includes('--compile-only')
  if (!compileOnly) {
    // 1. Warm run of hello world, output captured.
    const helloH = hermeticRunner(p2('hello'))
    const helloN = nodeWasiRunner(p1('hello'))
    if (helloH().stdout.toString() !== helloN().stdout.toString()) throw new Error('hello outputs differ')
    const warmH = perRun(helloH, 20000)
    const warmN = perRun(helloN, 5000)
    add('warm hello, median', warmH.median, warmN.median, 'µs', '<= 25 µs')
    add('warm hello, p90', warmH.p90, warmN.p90, 'µs', '')
    const warmP1 = perRun(hermeticRunner(p1('hello')), 20000)
    add('warm hello, the preview1 build for both, median', warmP1.median, warmN.median, 'µs', '<= 25 µs')
    // runWasi finds the compiled program by comparing the bytes it is given with the cache's.
    const helloBytes = fs.readFileSync(p2('hello'))
    const warmRunWasi = perRun(() => runWasi(helloBytes, { args: [] }), 20000)
    add('warm hello through runWasi (same bytes each call), median', warmRunWasi.median, warmN.median, 'µs', '')
    // The same program, keeping its timed output events (two writes, two events).
    const helloProgram = new Program(helloBytes)
    const warmEvents = perRun(() => helloProgram.run({ args: [], events: true }), 20000)
    add('warm hello with events: true, median', warmEvents.median, warmN.median, 'µs', '')

    // 2. CPU-bound program, as a ratio to native (best of 3), default limits on.
    const rounds = '40'
    const nativeMs = best(() => spawnSync(native('cpu'), [rounds]), 9)
    const cpuH = hermeticRunner(p2('cpu'), [rounds])
    const cpuN = nodeWasiRunner(p1('cpu'), [rounds])
    const expected = execFileSync(native('cpu'), [rounds], { encoding: 'utf8' })
    if (cpuH().stdout.toString() !== expected || cpuN().stdout.toString() !== expected) throw new Error('cpu outputs differ')
    add(`CPU-bound (sieve), ratio to native (${nativeMs.toFixed(0)} ms)`, best(cpuH, 5) / nativeMs, best(cpuN, 5) / nativeMs, 'x', '<= 1.2x')

    // 3. A program sleeping 5 x 1 s: wall time.
    const sleepH = hermeticRunner(p2('sleep'))
    const sleepN = nodeWasiRunner(p1('sleep'))
    add('sleep 5 x 1 s, wall time', best(sleepH), best(sleepN, 1), 'ms', '< 10 ms')
  }

  // 4. First run in a fresh process: compiling, or with a warm disk cache; and Node alone.
  const nodeAlone = freshProcess('0')
  const firstRun = (cacheDir) =>
    `require('.').runWasi(require('fs').readFileSync(${JSON.stringify(p2('hello'))}), { cacheDir: ${JSON.stringify(cacheDir)} })`
  const coldH = freshProcess(firstRun(undefined))
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'))
  execFileSync(process.execPath, ['-e', firstRun(cacheDir)], { cwd: root })
  const cachedH = freshProcess(firstRun(cacheDir))
  fs.rmSync(cacheDir, { recursive: true })
  const coldN = freshProcess(`const { WASI } = require('node:wasi'); const w = new WASI({ version: 'preview1', stdout: require('fs').openSync('/dev/null', 'w'), returnOnExit: true }); w.start(new WebAssembly.Instance(new WebAssembly.Module(require('fs').readFileSync(${JSON.stringify(p1('hello'))})), w.getImportObject()))`)
  add(`first run in a fresh process, minus Node's own start-up (${nodeAlone.toFixed(0)} ms)`, coldH - nodeAlone, coldN - nodeAlone, 'ms', '')
  add('first run in a fresh process with a warm disk cache, minus Node', cachedH - nodeAlone, undefined, 'ms', '< 5 ms')

  // 4b. Compile times: in the compiler process (bounded) against in-process (unbounded), and
  // V8's `new WebAssembly.Module` (lazy: it compiles functions on first call).
  const compileHello = compileSideBySide(p2('hello'), 20, 3)
  const helloModule = best(() => new WebAssembly.Module(fs.readFileSync(p1('hello'))), 20)
  add(`compile hello (85 KB), median, in a warm compiler process (in-process: ${compileHello.inProcess.toFixed(1)} ms)`, compileHello.process, helloModule, 'ms', '<= 1.1 x in-process')
  const compilePython = compileSideBySide(p2('python'), 2, 2)
  add(`compile CPython (19 MB), median, in a warm compiler process (in-process: ${compilePython.inProcess.toFixed(0)} ms)`, compilePython.process, undefined, 'ms', '<= 1.1 x in-process')

  if (compileOnly) {
    for (const r of rows) console.log(`| ${r.what} | ${fmt(r.hermetic, r.unit)} | ${fmt(r.nodeWasi, r.unit)} | ${r.target} |`)
    return
  }

  // 5. Async throughput, all cores against one.
  const cores = os.cpus().length
  const one = await asyncThroughput(1, 40)
  const all = await asyncThroughput(cores, 40 * cores)
  add(`async throughput, ${cores} runs in flight against 1 (${one.toFixed(1)} runs/s)`, all / one, undefined, 'x', `>= 1.7x (2 cores)`)

  // 6. RSS growth over 100k warm runs.
  add('RSS growth over 100k hello runs', rssGrowth('hermetic', 100000), rssGrowth('node:wasi', 100000), 'MiB', '< 20 MiB')

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const table = [
    '| figure | hermetic-wasi | node:wasi | target |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.what} | ${fmt(r.hermetic, r.unit)} | ${fmt(r.nodeWasi, r.unit)} | ${r.target} |`),
  ].join('\n')
  // Everything after the notes marker is hand-written analysis, kept as it is.
  const marker = '<!-- Notes below are written by hand; npm run bench keeps them. -->'
  const previous = fs.existsSync(path.join(root, 'BENCHMARKS.md')) ? fs.readFileSync(path.join(root, 'BENCHMARKS.md'), 'utf8') : ''
  const notes = previous.includes(marker) ? previous.slice(previous.indexOf(marker) + marker.length) : '\n'
  const doc = `# Benchmarks

Measured by \`npm run bench\` (benches/bench.js) on ${new Date().toISOString().slice(0, 10)}: hermetic-wasi and
Node's built-in node:wasi side by side in one run on the same machine, on the same Rust programs
(\`tests/guests/src/bin/\`) built for wasm32-wasip2 (hermetic-wasi) and wasm32-wasip1 (node:wasi,
and hermetic-wasi where a row says so), and natively.

Machine: ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}.

${table}

How each figure is taken:
- warm hello: one compiled program (\`Program\` / a \`WebAssembly.Module\`) run repeatedly after a
  warm-up; hermetic-wasi captures output in memory, node:wasi can only write to file descriptors,
  so its output goes to a file that is read back and truncated after each run. The runWasi row
  passes the same bytes on every call, as a loop over \`runWasi\` does; node:wasi's figure is
  its warm \`Module\` again. Every hermetic-wasi run passes \`{ args: [] }\`; the events row
  adds \`events: true\` (hello's two writes become two events).
- CPU-bound: best of 5 wall times of one run, divided by the best of 9 of the native binary
  (spawned, so native includes process start-up); hermetic-wasi runs with its default limits on.
- sleep: node:wasi really sleeps; hermetic-wasi's clock is virtual.
- first run: median wall time of a fresh \`node -e\` that loads the addon, compiles (or loads from
  the disk cache) and runs hello once, minus the median of \`node -e 0\`.
- compile: median time of \`new Program\` over distinct copies of the bytes (a numbered custom
  section defeats the caches), in fresh processes alternating between compiling in a warm
  compiler process (the default) and in-process (\`HERMETIC_WASI_COMPILE_IN_PROCESS=1\`); hello
  20 x 3 rounds, CPython 2 x 2. node:wasi's figure is V8's \`new WebAssembly.Module\` of the
  preview1 hello, which compiles lazily (functions on their first call).
- async throughput: runs per second of the cpu guest (2 rounds, about 25 ms each) through
  \`Program#runAsync\`, with as many runs in flight as there are cores, against one at a time.
  node:wasi has no async API (it runs on the JS thread), hence n/a.
- RSS: growth between a warmed-up process and the same process after 100k more runs, after GC.
- node:wasi crashes the process (segmentation fault) after about 120 back-to-back runs in a
  synchronous loop unless a GC runs in between (seen with Node 20.20.2), so the benchmark runs a
  full GC every 50 runs, outside the timed section, for both runtimes.

${marker}${notes}`
  fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), doc)
  console.log(table)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
