// What TypeScript users write, checked by `tsc --strict` (__test__/types.test.js): every line
// either type-checks, or is marked @ts-expect-error because the runtime refuses it too.
import { readFileSync } from 'node:fs'
import { Mount, Program, runWasi, runWasiAsync } from 'hermetic-wasi'
import type { ErrorCode, OutputEvent, RunResult, SyncRunOptions, TrapInfo } from 'hermetic-wasi'

/** Fails to compile unless `T` is exactly `U`. */
type Equal<T, U> = (<V>() => V extends T ? 1 : 2) extends <V>() => V extends U ? 1 : 2 ? true : false
const same = <T, U>(check: Equal<T, U>): void => void check

const wat = '(module (memory (export "memory") 1) (func (export "_start")))'
const bytes: Uint8Array = readFileSync('hello.wasm')

// wasm is bytes or text, everywhere.
runWasi(wat)
runWasi(bytes)
void runWasiAsync(wat)
new Program(wat).run()
void Program.compileAsync(bytes)
// null options where the runtime takes them.
runWasi(wat, null)
void runWasiAsync(wat, null, null)
new Program(wat, null).run(null)
void new Program(bytes).runAsync(null, null)
// @ts-expect-error: a number is no program (ERR_INVALID_WASM at run time)
runWasi(42)
// @ts-expect-error: limits go in `limits` (ERR_INVALID_OPTIONS at run time)
runWasi(wat, { timeoutMs: 5 })
// @ts-expect-error: a typo (ERR_INVALID_OPTIONS at run time)
runWasi(wat, { limits: { timeoutms: 5 } })
// @ts-expect-error: onOutput needs an async run (ERR_INVALID_OPTIONS at run time)
runWasi(wat, { onOutput: () => {} })

// The outcome discriminates: `trap` exactly when trapped.
const result = runWasi(wat, { args: ['a'], env: { K: 'v' }, stdin: 'in', seed: 1n, startTime: new Date(0) })
switch (result.outcome) {
  case 'trapped': {
    const message: string = result.trap.message
    const frames: string[] = result.trap.backtrace
    void [message, frames]
    break
  }
  case 'exited':
    same<typeof result.trap, undefined>(true)
    break
  default:
    // @ts-expect-error: no trap unless trapped
    void result.trap.message
}
const code: number = result.exitCode
const out: string = result.stdout.toString() + result.stderr.toString()
const time: bigint = result.virtualTimeNs
void [code, out, time]

// fuelConsumed and events follow the options.
same<typeof result.fuelConsumed, undefined>(true)
same<typeof result.events, undefined>(true)
const metered = runWasi(wat, { limits: { fuel: 1_000_000 }, events: true })
same<typeof metered.fuelConsumed, bigint>(true)
same<typeof metered.events, OutputEvent[]>(true)
const big = runWasi(wat, { limits: { fuel: 10n ** 12n } })
same<typeof big.fuelConsumed, bigint>(true)
const options: SyncRunOptions = { limits: { fuel: Infinity } }
const maybe = runWasi(wat, options)
same<typeof maybe.fuelConsumed, bigint | undefined>(true)
same<typeof maybe.events, OutputEvent[] | undefined>(true)

// Async runs, with an AbortSignal, live output and interactive stdin.
async function later(): Promise<void> {
  const controller = new AbortController()
  const seen: string[] = []
  const r = await runWasiAsync(bytes, { onOutput: (e) => seen.push(e.stream), events: true }, controller.signal)
  same<typeof r.events, OutputEvent[]>(true)
  const program = await Program.compileAsync(wat, { cacheDir: '/tmp/cache', timeoutMs: 1000 })
  await Program.compileAsync(wat, null, AbortSignal.timeout(1000)).catch((error: Error) => error.name === 'AbortError')
  const p: RunResult = await program.runAsync({ stdin: (async function* () { yield 'line\n' })() })
  if (p.outcome === 'trapped') {
    const trap: TrapInfo = p.trap
    void trap
  }
}
void later

// Mounts, and the files of a run.
const stdlib = new Mount({ 'lib/a.py': 'x = 1', 'lib/b': { type: 'dir' } })
const fromDisk = Mount.fromDirectory('/usr/lib/python3')
const entries: number = stdlib.entries + fromDisk.fileBytes
const withFiles = runWasi(wat, { files: { 'in.txt': 'text', 'bin': new Uint8Array([1]) }, mounts: { usr: stdlib } })
for (const [name, entry] of Object.entries(withFiles.files)) {
  if (Buffer.isBuffer(entry)) void entry.length
  else if (entry.type === 'symlink') void entry.target
  void name
}
void entries

// Error codes.
try {
  runWasi(bytes)
} catch (error) {
  const known: ErrorCode = (error as { code: ErrorCode }).code
  void known
}

// The serializer and the golden-file tests.
import * as snapshot from 'hermetic-wasi/snapshot'
import { goldenTests, runCases } from 'hermetic-wasi/golden'
const printed: string = snapshot.print(runWasi(wat))
if (snapshot.test(printed)) void printed
goldenTests('testdata', { test: (name: string, fn: () => Promise<void>) => void [name, fn] })
void runCases('testdata', { update: false, concurrency: 2 }).then((results) => results.map((r) => r.problems.map((p) => p.diff)))
