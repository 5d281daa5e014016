// `hermetic-wasi/golden`: golden-file tests (see golden.js for the files a case has).

/** One case: its name (the program's path under the directory, without extension). */
export interface GoldenCase {
  name: string
  program: string
  base: string
}

/** What differs in one case: `what` (`stdout`, `stderr`, `outcome`, `out/<path>`, `error`) and a unified diff. */
export interface GoldenProblem {
  what: string
  diff: string
}

export interface GoldenResult {
  name: string
  /** Empty when the case matched (or was updated). */
  problems: GoldenProblem[]
  ms: number
}

/** The cases under `dir`, by name. Throws `ERR_GOLDEN` for two programs of one name. */
export declare function findCases(dir: string): GoldenCase[]

/** Runs one case and compares it, or with `update` writes its expected files. */
export declare function runCase(c: GoldenCase, options?: { update?: boolean }): Promise<GoldenResult>

/** Runs every case under `dir`, `concurrency` at a time (default: the number of cores). */
export declare function runCases(dir: string, options?: { update?: boolean; filter?: string; concurrency?: number }): Promise<GoldenResult[]>

/**
 * Registers one test per case with `test` (node:test's, jest's or vitest's; by default the
 * global `test` of jest and vitest, else node:test's). `update` (or HERMETIC_WASI_UPDATE=1)
 * rewrites the expected files. Each test may take `timeoutMs` (default 60000).
 */
export declare function goldenTests(dir: string, options?: { test?: (name: string, ...rest: any[]) => unknown; update?: boolean; timeoutMs?: number }): void

/** A directory that cannot be read as cases: `code` is `'ERR_GOLDEN'`. */
export declare class GoldenError extends Error {
  code: 'ERR_GOLDEN'
}
