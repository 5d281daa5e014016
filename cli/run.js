// `hermetic-wasi run`: one run of a program, its output on this process's own streams.
'use strict'

const fs = require('node:fs')
const { parseArgs } = require('node:util')
const { setTimeout: sleep } = require('node:timers/promises')

const { runWasiAsync, Mount } = require('..')
const { readTree, writeTree } = require('./tree')
const { jsonResult } = require('./json')

const USAGE = `Usage: hermetic-wasi run [options] <program> [-- args...]

Runs <program> (a .wasm component or preview1 module, or WebAssembly text) once, in the sandbox:
its stdout and stderr go to this process's, and the process exits with its exit code.

Input:
  --stdin FILE           bytes on the guest's stdin ('-': this process's stdin, read to its end)
  --interactive          connect this process's stdin live: the guest reads what is typed as it
                         is typed (no --timeout unless given; Ctrl-D ends the input)
  --files DIR            the guest's filesystem, seeded from DIR (read, never written)
  --mount GUEST=DIR      DIR, read once, read-only at GUEST in the guest's filesystem; not
                         counted in --fs-bytes nor written to --out (repeatable)
  --env NAME=VALUE       an environment variable (repeatable); nothing of the host's is passed
  --program-name NAME    argv[0] (default: main)
  --seed N               seed of the random stream (default: 0)
  --start-time TIME      wall-clock time at the start: an ISO date or ms since 1970
                         (default: 2009-11-10T23:00:00Z)
Limits (each ends the run with its own outcome):
  --timeout MS           wall-clock time (default: 10000)
  --memory BYTES         linear memory and tables (default: 268435456)
  --output-limit BYTES   stdout and stderr together (default: 16777216)
  --virtual-time MS      how far the virtual clock may move (default: 3600000)
  --fuel N               instructions, metered (default: off)
  --fs-bytes BYTES       the in-memory filesystem (default: 67108864)
Output:
  --out DIR              write the final filesystem to DIR, which must not exist
  --json                 print the whole result as JSON on stdout instead (text as UTF-8 strings,
                         other bytes, and text of which over one byte in ten is a control
                         character, as { "base64": ... }, bigints as decimal strings)
  --replay               write the output with the program's own pauses in virtual time (at
                         most 100,000 writes: a run that makes more ends as outputExceeded)
  --speed X              replay X times faster (default: 1)
  --max-pause MS         longest single pause of a replay (default: 2000)
  --cache-dir DIR        keep compiled code in DIR between runs
  -h, --help             show this help

Exit status: the guest's exit code when it exited (as the system keeps it, modulo 256); 134 when
it trapped; 137 when the host ended it (a limit, a deadlock); 2 for a usage error or a program
that cannot run. For any outcome but an exit, the outcome (and a trap's backtrace) is printed on
stderr.

Examples:
  hermetic-wasi run hello.wasm
  hermetic-wasi run --stdin input.txt --env NAME=world prog.wasm -- --flag arg
  hermetic-wasi run --files ./data --out ./result prog.wasm
  hermetic-wasi run --mount /usr/local/lib=./stdlib python.wasm -- -c 'print(42)'
`

const OPTIONS = {
  stdin: { type: 'string' },
  interactive: { type: 'boolean' },
  files: { type: 'string' },
  mount: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  'program-name': { type: 'string' },
  seed: { type: 'string' },
  'start-time': { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  'output-limit': { type: 'string' },
  'virtual-time': { type: 'string' },
  fuel: { type: 'string' },
  'fs-bytes': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  replay: { type: 'boolean' },
  speed: { type: 'string' },
  'max-pause': { type: 'string' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
}

/** Runs the command with `argv`; resolves to the process's exit code. */
async function run(argv, UsageError) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true })
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const [file, ...args] = positionals
  if (file === undefined) throw new UsageError('run: missing the program to run')
  const number = (name, { min = 0, integer = true } = {}) => {
    const text = values[name]
    if (text === undefined) return undefined
    const n = Number(text)
    if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new UsageError(`--${name} must be a${integer ? 'n integer' : ' number'} of at least ${min}, got '${text}'`)
    }
    return n
  }
  const read = (path, what) => {
    try {
      return fs.readFileSync(path)
    } catch (error) {
      throw new UsageError(`cannot read ${what} '${path}': ${error.message}`)
    }
  }
  const wasm = read(file, 'the program')
  // lstat, not exists: a dangling symlink is there too, and writing through it would fail
  // after the run.
  if (values.out !== undefined && fs.lstatSync(values.out, { throwIfNoEntry: false }) !== undefined) {
    throw new UsageError(`--out '${values.out}' exists already`)
  }
  const env = {}
  for (const pair of values.env ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--env must be NAME=VALUE, got '${pair}'`)
    env[pair.slice(0, at)] = pair.slice(at + 1)
  }
  if (values.interactive && (values.stdin !== undefined || values.json || values.replay)) {
    throw new UsageError('--interactive cannot be used with --stdin, --json or --replay')
  }
  const mounts = {}
  for (const pair of values.mount ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--mount must be GUEST=DIR, got '${pair}'`)
    const guest = pair.slice(0, at).replace(/^\/+/, '')
    try {
      mounts[guest] = Mount.fromDirectory(pair.slice(at + 1))
    } catch (error) {
      throw new UsageError(`--mount ${pair}: ${error.message}`)
    }
  }
  const startTime = values['start-time']
  const options = {
    args,
    env,
    programName: values['program-name'],
    stdin: values.interactive
      ? process.stdin
      : values.stdin === undefined
        ? undefined
        : values.stdin === '-'
          ? fs.readFileSync(0)
          : read(values.stdin, '--stdin'),
    seed: values.seed === undefined ? undefined : seed(values.seed, UsageError),
    startTime: startTime === undefined ? undefined : /^\d+$/.test(startTime) ? Number(startTime) : new Date(startTime),
    files: values.files === undefined ? undefined : readTree(values.files, UsageError),
    mounts,
    events: values.json || values.replay,
    cacheDir: values['cache-dir'],
    limits: {
      // A person at a terminal may think for minutes: no wall-clock bound unless asked for.
      timeoutMs: number('timeout') ?? (values.interactive ? Infinity : undefined),
      memoryBytes: number('memory'),
      outputBytes: number('output-limit'),
      virtualTimeMs: number('virtual-time'),
      fuel: number('fuel'),
      fsBytes: number('fs-bytes'),
    },
  }
  if (options.startTime instanceof Date && Number.isNaN(options.startTime.getTime())) {
    throw new UsageError(`--start-time must be an ISO date or ms since 1970, got '${startTime}'`)
  }
  const speed = number('speed', { min: 1e-9, integer: false }) ?? 1
  const maxPauseMs = number('max-pause') ?? 2000
  // Plain runs stream the output as the guest writes it, in the order it wrote it.
  if (!values.json && !values.replay) {
    options.onOutput = ({ stream, data }) => (stream === 'stdout' ? process.stdout : process.stderr).write(data)
  }
  const result = await runWasiAsync(wasm, options)
  if (values.out !== undefined) writeTree(values.out, result.files)
  if (values.json) {
    process.stdout.write(`${JSON.stringify(jsonResult(result, values.files !== undefined || values.mount !== undefined), null, 2)}\n`)
  } else if (values.replay) {
    await replay(result.events, speed, maxPauseMs)
  }
  if (!values.json) report(result)
  return result.exitCode & 0xff
}

/** `--seed`: an integer in [0, 2^64), as a bigint (a number would round above 2^53). */
function seed(text, UsageError) {
  if (!/^\d+$/.test(text) || BigInt(text) >= 2n ** 64n) {
    throw new UsageError(`--seed must be an integer from 0 to 2^64 - 1, got '${text}'`)
  }
  return BigInt(text)
}

/** Writes `events` with their virtual pauses, `speed` times faster, none over `maxPauseMs`. */
async function replay(events, speed, maxPauseMs) {
  let clock = 0n
  for (const { stream, data, timeNs } of events) {
    const pauseMs = Math.min(Number(timeNs - clock) / 1e6 / speed, maxPauseMs)
    clock = timeNs
    if (pauseMs > 0) await sleep(pauseMs)
    await new Promise((resolve) => (stream === 'stdout' ? process.stdout : process.stderr).write(data, resolve))
  }
}

/** Says on stderr how the run ended, unless the guest exited. */
function report(result) {
  if (result.outcome === 'exited') return
  let text = `hermetic-wasi: ${result.outcome}`
  if (result.trap) text += `: ${result.trap.message}\n${result.trap.backtrace.map((f) => `    at ${f}`).join('\n')}`
  process.stderr.write(`${text}\n`)
}

module.exports = { run }
