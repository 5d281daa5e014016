// Real C programs (tests/guests/c/*.c, compiled by zig cc against wasi-libc into preview1 core
// modules): what a playground user's program does with stdio, exit codes, clocks, randomness
// and files, with exact results.
const test = require('node:test')
const assert = require('node:assert/strict')

const { runWasi, runWasiAsync } = require('..')
const { guestC, guestP1 } = require('./guests')

/** Runs C guest `name` twice and once async, asserts the three results are identical, returns one. */
async function run(name, options) {
  const wasm = guestC(name)
  const first = runWasi(wasm, options)
  assert.deepEqual(runWasi(wasm, options), first, `two runs of ${name} differ`)
  assert.deepEqual(await runWasiAsync(wasm, options), first, `the async run of ${name} differs`)
  return first
}

const lines = (...all) => all.map((line) => `${line}\n`).join('')

/** What stdio.c prints for its stdin: byte and line counts and its 32-bit `h * 31 + byte` hash. */
function stdinLine(bytes) {
  let hash = 0
  for (const byte of bytes) hash = (Math.imul(hash, 31) + byte) >>> 0
  const count = bytes.filter((byte) => byte === 10).length
  return `stdin: ${bytes.length} bytes, ${count} lines, hash ${hash.toString(16).padStart(8, '0')}, eof 1, error 0`
}

test('stdio: arguments, environment, stdin read to end of file, stdout and stderr', async () => {
  const stdin = 'line one\nline two\nno newline'
  const result = await run('stdio', {
    args: ['one', 'two words', '', 'ünï'],
    env: { GREETING: 'hi there', EMPTY: '' },
    stdin,
  })
  assert.deepEqual(result, {
    outcome: 'exited',
    exitCode: 0,
    stdout: Buffer.from(
      lines(
        'argv[0] = "main"',
        'argv[1] = "one"',
        'argv[2] = "two words"',
        'argv[3] = ""',
        'argv[4] = "ünï"',
        '2 environment variables',
        'GREETING = hi there',
        'HOME = (unset)',
        stdinLine([...Buffer.from(stdin)]),
        'getchar after eof: -1',
        'puts adds a newline',
      ),
    ),
    stderr: Buffer.from(lines('to stderr via fputs', 'fprintf(stderr): 100%')),
    virtualTimeNs: 0n,
    files: {},
  })
  assert.equal(stdinLine([...Buffer.from(stdin)]), 'stdin: 28 bytes, 2 lines, hash db25f48f, eof 1, error 0')

  // 100 kB of stdin, taken 7 bytes at a time by fread, arrives whole.
  const big = Buffer.alloc(100000, 'ab\ncdefg')
  const bigRun = await run('stdio', { stdin: big, programName: 'prog' })
  const printed = bigRun.stdout.toString().split('\n')
  assert.equal(printed[0], 'argv[0] = "prog"')
  assert.equal(printed[1], '0 environment variables')
  assert.equal(printed[4], stdinLine([...big]))
})

test('exit: return n and exit(n) are exitCode n, after atexit handlers and a stdio flush', async () => {
  for (const how of ['return', 'exit']) {
    for (const code of [0, 3, 255]) {
      const result = await run('exit', { args: [how, String(code)] })
      assert.equal(result.outcome, 'exited')
      assert.equal(result.exitCode, code)
      assert.equal(result.stdout.toString(), lines(`ending by ${how} with ${code}`, 'still in the buffer', 'atexit handler ran'))
      assert.equal(result.stderr.toString(), 'stderr is unbuffered\n')
    }
  }
  // proc_exit passes C's int on as an unsigned 32-bit code; a Unix shell would keep 8 bits (255).
  assert.equal((await run('exit', { args: ['exit', '-1'] })).exitCode, 4294967295)
})

test('exit: _Exit, abort and a failed assert skip atexit and lose what stdout still buffered', async () => {
  // stdout is line-buffered until its first write finds no terminal, so only the first line is out.
  const exited = await run('exit', { args: ['_Exit', '3'] })
  assert.equal(exited.outcome, 'exited')
  assert.equal(exited.exitCode, 3)
  assert.equal(exited.stdout.toString(), 'ending by _Exit with 3\n')

  // wasi-libc's abort() is a wasm `unreachable`: a trap, as SIGABRT would be on Linux.
  const aborted = await run('exit', { args: ['abort', '3'] })
  assert.equal(aborted.outcome, 'trapped')
  assert.equal(aborted.exitCode, 134)
  assert.equal(aborted.stdout.toString(), 'ending by abort with 3\n')
  assert.equal(aborted.stderr.toString(), 'stderr is unbuffered\n')
  assert.deepEqual(aborted.trap, {
    message: 'wasm `unreachable` instruction executed',
    backtrace: ['abort', 'main', '__main_void', '_start'],
  })

  const failed = await run('exit', { args: ['assert', '3'] })
  assert.equal(failed.outcome, 'trapped')
  assert.equal(failed.exitCode, 134)
  assert.equal(failed.stdout.toString(), 'ending by assert with 3\n')
  assert.equal(failed.stderr.toString(), lines('stderr is unbuffered', 'Assertion failed: n == 0 (exit.c: main: 25)'))
  assert.deepEqual(failed.trap.backtrace, ['abort', '__assert_fail', 'main', '__main_void', '_start'])

  const passed = await run('exit', { args: ['assert', '0'] })
  assert.equal(passed.outcome, 'exited')
  assert.equal(passed.exitCode, 0)
})

test('time: clocks read the virtual clock, sleeps are instant and move it', async () => {
  const result = await run('time', {})
  // Every clock read returns the time and then ticks 1 µs; sleeps move the clock without
  // reading it. Reads: time, realtime, monotonic (2 µs in), then 3.75 s of sleep, monotonic,
  // gettimeofday, realtime: six reads in all.
  assert.equal(
    result.stdout.toString(),
    lines(
      'time(NULL) = 1257894000 (2009-11-10 23:00:00 UTC)',
      'localtime: Tue Nov 10 23:00:00 2009',
      'start: realtime 1257894000.000001000',
      'monotonic resolution: 1 ns',
      'monotonic before sleeping: 2000 ns',
      'nanosleep(1.5 s) = 0',
      'sleep(2) = 0',
      'usleep(250000) = 0',
      'monotonic after sleeping: 3750003000 ns (slept 3750001000 ns)',
      'gettimeofday: 1257894003.750004',
      'end: realtime 1257894003.750005000',
    ),
  )
  assert.equal(result.virtualTimeNs, 3_750_006_000n)
  assert.equal(result.outcome, 'exited')

  const later = await run('time', { startTime: new Date('2024-02-29T12:34:56.789Z') })
  assert.deepEqual(later.stdout.toString().split('\n').slice(0, 3), [
    'time(NULL) = 1709210096 (2024-02-29 12:34:56 UTC)',
    'localtime: Thu Feb 29 12:34:56 2024',
    'start: realtime 1709210096.789001000',
  ])
  assert.equal(later.virtualTimeNs, result.virtualTimeNs)
})

test('time: a sleep past virtualTimeMs ends the run, and stdout\'s buffer is lost with it', async () => {
  const result = await run('time', { limits: { virtualTimeMs: 3000 } })
  assert.equal(result.outcome, 'virtualTimeExceeded')
  assert.equal(result.exitCode, 137)
  assert.equal(result.virtualTimeNs, 3_000_000_000n)
  assert.equal(result.stdout.toString(), 'time(NULL) = 1257894000 (2009-11-10 23:00:00 UTC)\n')
})

test('random: getentropy reads the seeded stream; arc4random follows the seed; rand() does not', async () => {
  // rand() is musl's 64-bit LCG, started as if by srand(1): its first value is 0.
  const rand = (seed) => Number(((6364136223846793005n * (BigInt(seed) - 1n) + 1n) % 2n ** 64n) >> 33n)
  const outputs = []
  for (const seed of [7, 8, 2n ** 64n - 1n]) {
    const result = await run('random', { seed })
    const printed = result.stdout.toString().split('\n')
    // The same bytes a Rust preview1 program gets from random_get with this seed.
    assert.equal(printed.slice(0, 2).join('\n') + '\n', runWasi(guestP1('p1_random'), { seed }).stdout.toString())
    assert.match(printed[2], /^arc4random [0-9a-f]{8} [0-9a-f]{8}$/)
    assert.match(printed[3], /^arc4random_uniform\(6\) [0-5]$/)
    assert.deepEqual(printed.slice(4), ['rand 0', `rand after srand(time(NULL)) ${rand(1257894000)}`, ''])
    outputs.push(printed.slice(0, 3).join('\n'))
  }
  assert.equal(new Set(outputs).size, 3, 'each seed gives other bytes')
  const seven = await run('random', { seed: 7 })
  assert.equal(
    seven.stdout.toString(),
    lines(
      'bytes 19454a27b752f905909507d6160ddc88',
      'bytes 8e2df8b773098ef3f7bcd321a7caa748',
      'arc4random 8c92a155 9e175364',
      'arc4random_uniform(6) 2',
      'rand 0',
      'rand after srand(time(NULL)) 1548944846',
    ),
  )
})

test('sum: scanf reads numbers from stdin until end of file or a word', async () => {
  const sum = await run('sum', { stdin: '1 2 3\n-4\n  10\n' })
  assert.equal(sum.stdout.toString(), '5 numbers, sum 12, mean 2.400\n')
  assert.equal(sum.exitCode, 0)
  assert.equal((await run('sum', {})).stdout.toString(), '0 numbers, sum 0\n')
  const word = await run('sum', { stdin: '5 6 seven 8' })
  assert.equal(word.exitCode, 1)
  assert.equal(word.stdout.toString(), '')
  assert.equal(word.stderr.toString(), 'not a number: seven\n')
})

const seed = () => ({
  'data/in.txt': 'hello from the host\n',
  'data/old.txt': 'remove me',
  'data/link': { type: 'symlink', target: 'in.txt' },
  'data/empty': { type: 'dir' },
})

test('files: stdio and POSIX calls read, write, list, rename and remove; the tree comes back', async () => {
  const files = seed()
  const result = await run('files', { files })
  assert.deepEqual(files, seed(), 'the caller\'s object is not mutated')
  assert.equal(result.outcome, 'exited')
  const written = '"line 1\nline 2\nappended\n"'
  assert.equal(
    result.stdout.toString(),
    lines(
      'cwd: /',
      'cat data/in.txt: "hello from the host\n"',
      'stat data/in.txt: 20 bytes, file',
      'stat data: 0 bytes, directory',
      'mkdir out: ok',
      'mkdir out again: File exists',
      `cat out/new.txt: ${written}`,
      'stat out/new.txt: 23 bytes, file',
      // Seeded files are stamped with startTime; each mkdir, path_open that creates or
      // truncates, and fd_write to a file reads the clock once (ticking it 1 µs), and the
      // append's write was the sixth read: mkdir, mkdir, fopen "w", its write, fopen "a", write.
      'mtime data/in.txt: 1257894000.000000000',
      'mtime out/new.txt: 1257894000.000005000',
      'pread: 10 bytes',
      'bytes.bin: "012abc6789", end at 10',
      'truncate bytes.bin to 4: ok',
      'stat out/bytes.bin: 4 bytes, file',
      'ls .: ../ ./ data/ out/',
      'ls out: ../ ./ bytes.bin new.txt',
      'rename out -> moved: ok',
      'cat out/new.txt: No such file or directory',
      `cat moved/new.txt: ${written}`,
      'rmdir moved: Directory not empty',
      'unlink data/old.txt: ok',
      'unlink data/old.txt again: No such file or directory',
      'readlink data/link: in.txt',
      'cat data/link: "hello from the host\n"',
      'symlink moved/alias -> new.txt: ok',
      `cat moved/alias: ${written}`,
      'chdir data: ok',
      'cwd: /data',
      'cat in.txt: "hello from the host\n"',
      `cat ../moved/new.txt: ${written}`,
      'ls .: ../ ./ empty/ in.txt link@',
    ),
  )
  assert.deepEqual(result.files, {
    data: { type: 'dir' },
    'data/empty': { type: 'dir' },
    'data/in.txt': Buffer.from('hello from the host\n'),
    'data/link': { type: 'symlink', target: 'in.txt' },
    moved: { type: 'dir' },
    'moved/alias': { type: 'symlink', target: 'new.txt' },
    'moved/bytes.bin': Buffer.from('012a'),
    'moved/new.txt': Buffer.from('line 1\nline 2\nappended\n'),
  })

  // The tree handed back is a valid seed: a second run finds the first one's changes.
  const again = await run('files', { files: result.files })
  assert.match(again.stdout.toString(), /^mkdir out: ok$/m)
  assert.match(again.stdout.toString(), /^unlink data\/old.txt: No such file or directory$/m)
  assert.match(again.stdout.toString(), /^rename out -> moved: Directory not empty$/m)
})

test('files: without `files` nothing is preopened; fopen fails and an unchecked FILE * traps', async () => {
  const result = await run('files', {})
  // fprintf to the NULL stream calls through a null function pointer, wasm's segfault.
  assert.equal(result.outcome, 'trapped')
  assert.equal(result.trap.message, 'uninitialized element')
  assert.equal(result.stdout.toString(), 'cwd: /\n')
  assert.deepEqual(result.files, {})
})

test('unlink_while_listing: readdir sees every entry while the loop unlinks the ones it has read', async () => {
  // 500 entries take several of wasi-libc's readdir buffers, so the listing resumes from a
  // cookie after its earlier entries are gone.
  for (const count of [0, 1, 500]) {
    const result = await run('unlink_while_listing', { files: {}, args: [String(count)] })
    assert.equal(result.outcome, 'exited')
    assert.equal(result.stdout.toString(), lines(`created ${count}, listed ${count}, removed ${count}`, 'rmdir d: ok'))
    assert.deepEqual(result.files, {})
  }
})

const escapeSeed = {
  'inside.txt': 'inside',
  'host-link': { type: 'symlink', target: '/etc/hostname' },
  'sub/up-link': { type: 'symlink', target: '../../etc/hostname' },
  'sub/inside-link': { type: 'symlink', target: '../inside.txt' },
}

test('escape: climbing, absolute paths and symlinks out of the tree all fail', async () => {
  const result = await run('escape', { files: escapeSeed })
  // wasi-libc's errno 63 is EPERM and 44 ENOENT; "/" is the tree's root, so /etc/passwd is
  // simply absent.
  const denied = 'errno 63 (Operation not permitted)'
  assert.equal(
    result.stdout.toString(),
    lines(
      `read ../../etc/passwd: ${denied}`,
      'read /etc/passwd: errno 44 (No such file or directory)',
      `read /../etc/passwd: ${denied}`,
      `read host-link: ${denied}`,
      `read sub/up-link: ${denied}`,
      'read sub/inside-link: "inside"',
      'opendir ..: Operation not permitted',
      'write ../outside.txt: Operation not permitted',
      'symlink -> /etc/hostname: Operation not permitted',
      // Making a symlink that points out is allowed; following it is not.
      'symlink sub/climb -> ../../etc/hostname: made',
      `read sub/climb: ${denied}`,
      'read ../inside.txt: "inside"',
      `read ../../etc/passwd: ${denied}`,
      'chdir ../..: Operation not permitted',
      'cwd: /sub',
    ),
  )
  assert.equal(result.stderr.toString(), '')
  assert.deepEqual(result.files, {
    'host-link': { type: 'symlink', target: '/etc/hostname' },
    'inside.txt': Buffer.from('inside'),
    sub: { type: 'dir' },
    'sub/climb': { type: 'symlink', target: '../../etc/hostname' },
    'sub/inside-link': { type: 'symlink', target: '../inside.txt' },
    'sub/up-link': { type: 'symlink', target: '../../etc/hostname' },
  })

  // With no files at all there is no directory to start from: every path is absent.
  const bare = await run('escape', {})
  const printed = bare.stdout.toString().split('\n')
  assert.equal(printed.length, 16)
  assert.deepEqual(printed.slice(-3), ['chdir ../..: No such file or directory', 'cwd: /', ''])
  for (const line of printed.slice(0, -3)) assert.match(line, /No such file or directory\)?$/)
  assert.deepEqual(bare.files, {})
})
