// The determinism corpus: every test guest that runs to an end (Rust components and preview1
// modules, C, AssemblyScript, CPython), with inputs, plus WebAssembly text probes of NaN bits,
// growth at every boundary, stack depth and fuel. scripts/determinism.js hashes the full result
// of each case into a digest and compares it with tests/determinism/expected.json.
'use strict'

const { guest, guestP1, guestC, guestAS, corpus } = require('../../__test__/guests')
const { nanProbes } = require('./probes')
const { growthProbes, stackProbes, fuelProbes } = require('./bounds')
const { exceptionProbes } = require('./exceptions')

/** Python source run by the CPython component (it reads its program from stdin). */
const python = {
  floats: `import math
for x in [0.1 + 0.2, 1 / 3, math.pi, math.e, 1e308 * 10, -0.0]:
    print(repr(x), x.hex())
for f in [math.sin, math.cos, math.tan, math.exp, math.log1p, math.atan, math.sqrt, math.gamma]:
    print(f.__name__, [repr(f(v)) for v in [0.5, 1.0, 2.5, 100.0]])
print(math.copysign(1.0, float('inf') - float('inf')), math.fsum([0.1] * 10))
print(sum(i * i for i in range(10 ** 5)), 2 ** 200 % 1000003, round(2.675, 2))
`,
  stdlib: `import json, random, datetime, time
random.seed(5)
print(json.dumps({"r": [random.random() for _ in range(3)], "i": random.randrange(10 ** 9)}))
print(hash("determinism") == hash("determinism"), sorted({"b", "a", "c"}))
print(datetime.datetime.now().isoformat(), time.time(), time.monotonic_ns())
time.sleep(1.5)
print(time.monotonic_ns(), [round(random.gauss(0, 1), 12) for _ in range(2)])
`,
  traceback: `def f(n):
    return 10 // n
f(0)
`,
  // Recurses through map() until CPython's C stack, the wasm stack, is exhausted.
  recursion: `import sys
sys.setrecursionlimit(1000000)
def f(n):
    print(n)
    return list(map(f, [n + 1]))
f(1)
`,
}

/**
 * Every case: `{ name, wasm, options, fuelDepth }`. `fuelDepth` marks a case that prints until
 * the wasm stack is exhausted: metering fuel makes frames larger, so it gets less deep with a
 * fuel limit (README, "Determinism settings").
 */
function cases() {
  const all = []
  const add = (name, wasm, options = {}, fuelDepth = false) => all.push({ name, wasm, options, fuelDepth })
  for (const [name, options] of corpus) add(`p2/${name}`, guest(name), options)
  add('p2/recursion', guest('recursion'))
  add('p2/flood', guest('flood'), { limits: { outputBytes: 100_000 } })
  add('p2/fs_tree', guest('fs_tree'), { files: { 'a/b.txt': 'bee', 'c.txt': 'sea' } })
  add('p2/ticks', guest('ticks'), { events: true })
  add('p2/flood-events', guest('flood'), { events: true, limits: { outputBytes: 100_000 } })
  add('p1/hello', guestP1('hello'))
  add('p1/echo', guestP1('echo'), { stdin: 'p1 input\n' })
  add('p1/sleep', guestP1('sleep'))
  add('p1/ticks', guestP1('ticks'), { events: true })
  add('p1/p1_random', guestP1('p1_random'), { seed: 3 })
  add('p1/p1_files', guestP1('p1_files'), {
    args: ['100'],
    files: { 'in.txt': 'hello files', old: { type: 'symlink', target: 'in.txt' } },
  })
  add('c/stdio', guestC('stdio'), { args: ['one', 'ünï'], env: { K: 'v' }, stdin: 'a\nb' })
  add('c/time', guestC('time'))
  add('c/random', guestC('random'), { seed: 7 })
  add('c/sum', guestC('sum'), { stdin: '1 2 3\n-4\n  10\n' })
  add('c/exit', guestC('exit'), { args: ['abort', '3'] })
  add('c/files', guestC('files'), {
    files: { 'data/in.txt': 'from the host\n', 'data/old.txt': 'x', 'data/link': { type: 'symlink', target: 'in.txt' } },
  })
  add('c/recursion', guestC('recursion'), {}, true)
  add('c/unlink_while_listing', guestC('unlink_while_listing'), { files: {}, args: ['50'] })
  add('as/io', guestAS('io'), { args: ['x'], env: { A: 'b' }, stdin: 'as input' })
  add('as/clock', guestAS('clock'))
  add('as/random', guestAS('random'), { seed: 11 })
  add('as/heap', guestAS('heap'), { args: ['4'] })
  const cpython = guest('python')
  add('python/floats', cpython, { stdin: python.floats })
  add('python/stdlib', cpython, { stdin: python.stdlib, seed: 9 })
  add('python/traceback', cpython, { stdin: python.traceback })
  add('python/recursion', cpython, { stdin: python.recursion }, true)
  for (const probe of [...nanProbes(), ...growthProbes(), ...fuelProbes(), ...exceptionProbes()]) {
    add(`wat/${probe.name}`, probe.wasm, probe.options)
  }
  for (const probe of stackProbes()) add(`wat/${probe.name}`, probe.wasm, probe.options, true)
  return all
}

module.exports = { cases }
