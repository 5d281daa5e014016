// `hermetic-wasi/snapshot`: a snapshot serializer for jest and vitest that prints a run's
// result as readable text (see snapshot.js).
import type { RunResult } from './main'

/** Whether `value` is a run's result. */
export declare function test(value: unknown): value is RunResult
/** jest's and vitest's serializer API: the result's text, indented where it is nested. */
export declare function serialize(result: RunResult, config?: { indent?: string }, indentation?: string): string
/** The text of a result, without a test framework. */
export declare function print(result: RunResult): string
