// AssemblyScript programs: preview1 core modules built with assemblyscript and
// @assemblyscript/wasi-shim (tests/guests/assemblyscript/build.sh), run through the public API.
const test = require('node:test')
const assert = require('node:assert/strict')

const { Program, runWasi, runWasiAsync } = require('..')
const { guestAS, guestP1 } = require('./guests')

test('io: arguments, environment and stdin come in, stdout and stderr go out', () => {
  const result = runWasi(guestAS('io'), {
    args: ['a b', 'ünï'],
    env: { A: '1', EMPTY: '', K: 'x=y' },
    // 32 bytes: two full reads of the guest's 16-byte buffer, then end of stream.
    stdin: 'line one\nline two, a bit longer\n',
  })
  assert.equal(result.outcome, 'exited')
  assert.equal(result.exitCode, 0)
  assert.equal(
    result.stdout.toString(),
    'argv: main | a b | ünï\nenv A=1\nenv EMPTY=\nenv K=x=y\n' +
      'line one\nline two, a bit longer\nread 32 bytes in 2 reads\n' +
      'ok\nhéllo ✓ 🎉\nError: oops\nWarning: careful\n',
  )
  assert.equal(result.stderr.toString(), 'to stderr\n')
  assert.equal(result.virtualTimeNs, 0n)

  const bare = runWasi(guestAS('io'), { programName: 'as' })
  assert.equal(
    bare.stdout.toString(),
    'argv: as\nread 0 bytes in 0 reads\nok\nhéllo ✓ 🎉\nError: oops\nWarning: careful\n',
  )
})

test('clock: Date, performance, process.hrtime and console.time read the virtual clock', () => {
  const result = runWasi(guestAS('clock'))
  assert.equal(result.outcome, 'exited')
  // Each read returns the time and then ticks 1 µs: Date.now is read 1, performance.now 2nd,
  // hrtime 3rd. The 1 ms busy wait takes 1001 reads (1000 µs measured in f64 milliseconds is a
  // hair under 1 ms once), console.time and timeEnd one each, the last Date.now the 1008th.
  assert.equal(
    result.stdout.toString(),
    'Date.now: 1257894000000\nISO: 2009-11-10T23:00:00.000Z\nperformance.now: 0.001\nhrtime: 2000\n' +
      'spun 1000 times\nt: 0ms\nDate.now: 1257894000001\n',
  )
  assert.equal(result.virtualTimeNs, 1008000n)

  const later = runWasi(guestAS('clock'), { startTime: new Date('2024-02-29T12:34:56.789Z') })
  assert.match(later.stdout.toString(), /^Date\.now: 1709210096789\nISO: 2024-02-29T12:34:56\.789Z\n/)
  assert.match(later.stdout.toString(), /\nDate\.now: 1709210096790\n$/)
  assert.equal(later.virtualTimeNs, 1008000n)
})

/** AssemblyScript's Math.random (xorshift128+, as V8) after `NativeMath.seedRandom(seed)`. */
function asRandom(seed, count) {
  const mask = (1n << 64n) - 1n
  const murmur = (h) => {
    h ^= h >> 33n
    h = (h * 0xff51afd7ed558ccdn) & mask
    h ^= h >> 33n
    h = (h * 0xc4ceb9fe1a85ec53n) & mask
    return h ^ (h >> 33n)
  }
  let state0 = murmur(seed)
  let state1 = murmur(~state0 & mask)
  const draws = []
  for (let i = 0; i < count; i++) {
    let s1 = state0
    const s0 = state1
    state0 = s0
    s1 ^= (s1 << 23n) & mask
    s1 ^= s1 >> 17n
    s1 ^= s0
    s1 ^= s0 >> 26n
    state1 = s1
    const bits = new DataView(new ArrayBuffer(8))
    bits.setBigUint64(0, (s0 >> 12n) | 0x3ff0000000000000n)
    draws.push(bits.getFloat64(0) - 1)
  }
  return draws
}

test('random: Math.random is seeded from the first 8 bytes of random_get, then getRandomValues goes on', () => {
  const zero = runWasi(guestAS('random'))
  assert.equal(
    zero.stdout.toString(),
    'Math.random: 0.23942271596170396 0.15231885695933279 0.33118274969568675\n' +
      'getRandomValues: a822fd6e7e8265fb\n',
  )
  for (const seed of [0, 1, 2n ** 64n - 1n]) {
    const output = runWasi(guestAS('random'), { seed }).stdout.toString()
    // The same seed's stream as a Rust module reads it: 16 bytes from random_get.
    const stream = runWasi(guestP1('p1_random'), { seed }).stdout.toString().slice('bytes '.length, 38)
    const [, draws, values] = output.match(/^Math\.random: (.*)\ngetRandomValues: ([0-9a-f]{16})\n$/)
    assert.deepEqual(draws.split(' ').map(Number), asRandom(Buffer.from(stream, 'hex').readBigUInt64LE(0), 3))
    assert.equal(values, stream.slice(16, 32))
  }
  assert.notEqual(runWasi(guestAS('random'), { seed: 1 }).stdout.toString(), zero.stdout.toString())
})

test('exit: process.exit(n) is exitCode n, every 32-bit code', () => {
  const program = new Program(guestAS('exit'))
  const codes = [
    ['0', 0],
    ['1', 1],
    ['3', 3],
    ['42', 42],
    ['255', 255],
    ['256', 256],
    ['65536', 65536],
    ['2147483648', 2147483648],
    ['4294967295', 4294967295],
    ['-1', 4294967295],
  ]
  for (const [arg, code] of codes) {
    const result = program.run({ args: [arg] })
    assert.equal(result.outcome, 'exited', arg)
    assert.equal(result.exitCode, code, arg)
    assert.equal(result.stdout.toString(), `ending with ${arg}\n`)
    assert.equal(result.stderr.length, 0)
  }
})

test('exit: a thrown Error is wasi-shim abort: its message on stderr and exitCode 255', () => {
  const result = runWasi(guestAS('exit'), { args: ['throw'] })
  assert.equal(result.outcome, 'exited')
  assert.equal(result.exitCode, 255)
  assert.equal(result.stdout.toString(), 'ending with throw\n')
  assert.equal(result.stderr.toString(), 'abort: thrown on purpose in tests/guests/assemblyscript/exit.ts(8:3)\n')
})

test('exit: wasi-shim ignores process.exitCode when _start returns', () => {
  const result = runWasi(guestAS('exit'), { args: ['exitCode'] })
  assert.equal(result.outcome, 'exited')
  assert.equal(result.exitCode, 0)
  assert.equal(result.stdout.toString(), 'ending with exitCode\nreturned from _start\n')
})

test('exit: unreachable() traps', () => {
  const result = runWasi(guestAS('exit'), { args: ['unreachable'] })
  assert.equal(result.outcome, 'trapped')
  assert.equal(result.exitCode, 134)
  assert.equal(result.trap.message, 'wasm `unreachable` instruction executed')
  assert.equal(result.stdout.toString(), 'ending with unreachable\n')
})

test('heap: the runtime allocates, collects and grows memory, up to the memory limit', () => {
  const work = 'distinct 5003, top 4, bottom 3, garbage 689000\n'
  const small = runWasi(guestAS('heap'), { args: ['4'] })
  assert.equal(small.outcome, 'exited')
  assert.equal(small.stdout.toString(), `${work}holding 4 MiB\n`)
  const big = runWasi(guestAS('heap'), { args: ['32'], limits: { memoryBytes: 16 * 1024 * 1024 } })
  assert.equal(big.outcome, 'memoryExceeded')
  assert.equal(big.exitCode, 137)
  assert.equal(big.stdout.toString(), work)
})

test('every AssemblyScript guest gives the same result twice, async and through a Program', async () => {
  const runs = [
    ['io', { args: ['x'], env: { K: 'v' }, stdin: 'in' }],
    ['clock', {}],
    ['random', { seed: 7 }],
    ['exit', { args: ['3'] }],
    ['exit', { args: ['throw'] }],
    ['exit', { args: ['unreachable'] }],
    ['heap', {}],
  ]
  for (const [name, options] of runs) {
    const first = runWasi(guestAS(name), options)
    assert.deepEqual(runWasi(guestAS(name), options), first, name)
    assert.deepEqual(await runWasiAsync(guestAS(name), options), first, name)
    assert.deepEqual(new Program(guestAS(name)).run(options), first, name)
  }
})
