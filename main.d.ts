// The package's types, written here (index.d.ts is what `napi build` generates from the Rust
// code, and what these refine): `wasm` is bytes or text everywhere, `null` options are accepted
// where the runtime accepts them, and a result is a union discriminated by its `outcome`
// (`trap` exactly when `'trapped'`), whose `fuelConsumed` and `events` follow from the options
// given. Checked by `tsc --strict` over __test__/types/usage.ts, and against the runtime by
// __test__/types.test.js.

import type { Mount as NativeMount, OutputEvent, ProgramOptions, RunLimits, RunOptions as NativeRunOptions, TrapInfo } from './index'

export type { OutputEvent, ProgramOptions, RunLimits, TrapInfo }

/**
 * A WASI program: a `wasi:cli/command` component or a preview1 core module exporting `_start`,
 * as bytes, or as WebAssembly text (a string, or bytes starting with `(` or a `;;` comment).
 */
export type Wasm = Uint8Array | string

/** Options of one run; see index.d.ts's `RunOptions` for each field. */
export type RunOptions = NativeRunOptions

/** Options of a synchronous run: `onOutput` needs the event loop, so only async runs take it. */
export type SyncRunOptions = Omit<RunOptions, 'onOutput'> & { onOutput?: undefined }

/** How a run can end; see `RunResult.outcome`. */
export type Outcome = 'exited' | 'trapped' | 'deadlock' | 'fuelExhausted' | 'timeout' | 'memoryExceeded' | 'outputExceeded' | 'virtualTimeExceeded' | 'cancelled' | 'hostOutOfMemory'

/** What every result holds, whatever its outcome. */
export interface RunResultBase {
  /**
   * The guest's exit code when `outcome` is `'exited'`; otherwise 134 for `'trapped'` (as for
   * a native abort) and 137 for an end imposed by the host (a limit, a deadlock).
   */
  exitCode: number
  /**
   * Everything the guest wrote to stdout (stdout and stderr together are cut at
   * `limits.outputBytes`). stdout and stderr may be views of one `ArrayBuffer`: mind
   * `byteOffset` when using `.buffer`.
   */
  stdout: Buffer
  /** Everything the guest wrote to stderr. */
  stderr: Buffer
  /** How far the virtual clock moved during the run, in nanoseconds. */
  virtualTimeNs: bigint
  /**
   * The filesystem as the run left it (empty when the run had none): every file (a Buffer),
   * directory and symlink, by path relative to `/`, in path order. Pass it as the next run's
   * `files` to continue from there.
   */
  files: Record<string, Buffer | { type: 'dir' } | { type: 'symlink'; target: string }>
}

/** A trapped run: `trap` says why. */
export interface Trapped extends RunResultBase {
  outcome: 'trapped'
  /** The trap's reason and the wasm functions on the stack, the same on every machine. */
  trap: TrapInfo
}

/**
 * Any other end: `'exited'` (see `exitCode`), `'deadlock'` (the guest waited for something
 * that can never happen), a limit (`'fuelExhausted'`, `'timeout'`, `'memoryExceeded'`,
 * `'outputExceeded'`, `'virtualTimeExceeded'`), `'cancelled'` (an async run's signal aborted),
 * or `'hostOutOfMemory'` (the operating system refused memory within the run's limits).
 */
export interface Ended extends RunResultBase {
  outcome: Exclude<Outcome, 'trapped'>
  trap?: undefined
}

/**
 * `fuelConsumed`, from the run's `limits` type `L`: there when `limits.fuel` meters the run. A
 * bigint or a number literal is a finite budget; a plain `number` may be `Infinity`, which
 * meters nothing.
 */
type FuelOf<L> = L extends { fuel: infer F }
  ? F extends bigint
    ? { fuelConsumed: bigint }
    : number extends F
      ? { fuelConsumed?: bigint }
      : { fuelConsumed: bigint }
  : L extends { fuel?: undefined } | null | undefined
    ? { fuelConsumed?: undefined }
    : { fuelConsumed?: bigint }

/** `events`, from the type `E` of `options.events`: there exactly when it is true. */
type EventsOf<E> = E extends true ? { events: OutputEvent[] } : E extends false | undefined ? { events?: undefined } : { events?: OutputEvent[] }

/**
 * How a run ended, and everything it wrote: a union discriminated by `outcome`. Given the types
 * of the run's `limits` (`L`) and `events` (`E`), `fuelConsumed` and `events` are known to be
 * there or not; `RunResult` alone leaves both optional.
 */
export type RunResult<L = RunLimits | undefined, E = boolean | undefined> = (Trapped | Ended) & FuelOf<L> & EventsOf<E>

/** `Base` with `limits` and `events` of types `L` and `E`, so that a result can follow them. */
type With<Base, L, E> = Omit<Base, 'limits' | 'events'> & { limits?: L; events?: E }

/**
 * Runs a WASI program to completion, synchronously, in a sealed sandbox with a virtual clock,
 * and returns how it ended with everything it wrote. Compiled code is cached by content. What
 * the guest does (exit, trap, deadlock, a limit) is the result, never thrown; throws
 * `ERR_INVALID_WASM` for bytes that are not a runnable program, `ERR_INVALID_OPTIONS` for
 * malformed options, and `ERR_COMPILE_LIMIT` for a program beyond what one may cost.
 */
export declare function runWasi<const L extends RunLimits | undefined = undefined, const E extends boolean | undefined = undefined>(
  wasm: Wasm,
  options?: With<SyncRunOptions, L, E> | null,
): RunResult<L, E>

/**
 * Like `runWasi`, on the libuv thread pool, leaving the event loop free. Aborting `signal`
 * ends the run as `'cancelled'`, with the output written so far. Never throws: bad arguments
 * reject with the error `runWasi` would throw.
 */
export declare function runWasiAsync<const L extends RunLimits | undefined = undefined, const E extends boolean | undefined = undefined>(
  wasm: Wasm,
  options?: With<RunOptions, L, E> | null,
  signal?: AbortSignal | null,
): Promise<RunResult<L, E>>

/**
 * A compiled program: compile once, run many times, each run independent and the same as
 * `runWasi` with the same bytes and options. Must be called with `new`
 * (`ERR_CONSTRUCT_CALL_REQUIRED`); its methods on a Program only (`ERR_INVALID_THIS`).
 */
export declare class Program {
  /**
   * Compiles `wasm` (or takes its compiled code from the in-memory cache, or from
   * `options.cacheDir`). Throws `ERR_INVALID_WASM`, `ERR_INVALID_OPTIONS`, or
   * `ERR_COMPILE_LIMIT` (past what a program may cost, or longer than `options.timeoutMs`).
   */
  constructor(wasm: Wasm, options?: ProgramOptions | null)
  /**
   * Like `new Program`, on the thread pool; rejects, never throws, with the same errors.
   * Aborting `signal` stops the compile and rejects with Node's `AbortError` (`code`
   * `ABORT_ERR`, `cause` the signal's reason).
   */
  static compileAsync(wasm: Wasm, options?: ProgramOptions | null, signal?: AbortSignal | null): Promise<Program>
  /** Runs the program once, synchronously; see `runWasi`. */
  run<const L extends RunLimits | undefined = undefined, const E extends boolean | undefined = undefined>(options?: With<SyncRunOptions, L, E> | null): RunResult<L, E>
  /** Runs the program once on the thread pool; see `runWasiAsync`. */
  runAsync<const L extends RunLimits | undefined = undefined, const E extends boolean | undefined = undefined>(
    options?: With<RunOptions, L, E> | null,
    signal?: AbortSignal | null,
  ): Promise<RunResult<L, E>>
}

/**
 * A read-only tree of files, placed at a path of any number of runs with `RunOptions.mounts`,
 * shared without copying; see index.d.ts's `Mount`. Must be called with `new`.
 */
export declare const Mount: typeof NativeMount
export type Mount = NativeMount

/** The error codes the package throws (or rejects with), as `error.code`. */
export type ErrorCode =
  | 'ERR_INVALID_WASM'
  | 'ERR_INVALID_OPTIONS'
  | 'ERR_COMPILE_LIMIT'
  | 'ERR_CONSTRUCT_CALL_REQUIRED'
  | 'ERR_INVALID_THIS'
  | 'ERR_UNSUPPORTED_PLATFORM'
  | 'ERR_BINARY_MISSING'
  | 'ERR_BINARY_LOAD'
  | 'ERR_INTERNAL'
  | 'ABORT_ERR'
