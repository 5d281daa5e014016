// WebAssembly text probes of the places where results used to depend on the engine or the CPU:
// memory and table growth at every boundary (the pooled engine refused growth the on-demand
// engine granted), the depth at which a recursion exhausts the fixed wasm stack (frame sizes
// depend on the CPU features code is compiled for, and on fuel metering), and fuel accounting.
// Each is a preview1 core module that prints what it saw, one line per step.
'use strict'

const GiB = 2 ** 30

/**
 * The text of a preview1 module around `body` (instructions of `_start`), with `imports` after
 * fd_write's, `extra` fields, and `$print (param i64)`, which prints a signed decimal number
 * and a newline (through `$say (param i32 i32)`, which prints bytes from memory).
 */
function preview1(body, { imports = '', memory = '(memory (export "memory") 1)', extra = '' } = {}) {
  return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ${imports}
  ${memory}
  ${extra}
  ;; iovec at 0, bytes written at 8, the number's digits end at 64.
  (func $say (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $print (param $n i64) (local $at i32) (local $neg i32)
    (local.set $at (i32.const 64))
    (i32.store8 (local.get $at) (i32.const 10))
    (local.set $neg (i64.lt_s (local.get $n) (i64.const 0)))
    (if (local.get $neg) (then (local.set $n (i64.sub (i64.const 0) (local.get $n)))))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (if (local.get $neg)
      (then (local.set $at (i32.sub (local.get $at) (i32.const 1)))
            (i32.store8 (local.get $at) (i32.const 45))))
    (call $say (local.get $at) (i32.sub (i32.const 65) (local.get $at))))
  (func (export "_start") ${body}))`
}

/** `memory.grow` (or `table.grow`) steps, printing what each returned (the old size, or -1). */
function growth(name, { memory, steps, grow, limits = {} }) {
  const calls = steps.map((delta) => `(call $print (${grow(delta)}))`).join('\n    ')
  return { name, wasm: preview1(calls, { memory }), options: { limits } }
}

const memory32 = (delta) => `i64.extend_i32_s (memory.grow $m (i32.const ${delta}))`
const memory64 = (delta) => `memory.grow $m (i64.const ${delta})`
const table = (delta) => `i64.extend_i32_s (table.grow $t (ref.null func) (i32.const ${delta}))`
const printMemory = '(memory (export "memory") 1)'
const TABLE_CAP = 10_000_000

/** Memory and table growth up to, at and past each cap, and past `memoryBytes`. */
function growthProbes() {
  const roomy = { memoryBytes: 8 * GiB }
  return [
    // 4 GiB is the most any memory holds, on every engine.
    growth('grow-memory32-to-4gib', {
      memory: `${printMemory} (memory $m 0)`,
      steps: [1, 65534, 1, 1, 0],
      grow: memory32,
      limits: roomy,
    }),
    growth('grow-memory64-past-4gib', {
      memory: `${printMemory} (memory $m i64 0)`,
      steps: [65536, 1, 0],
      grow: memory64,
      limits: roomy,
    }),
    growth('grow-memory32-in-one-step', {
      memory: `${printMemory} (memory $m 0)`,
      steps: [65536, 1],
      grow: memory32,
      limits: roomy,
    }),
    // A declared maximum is honoured below the cap.
    growth('grow-memory-declared-max', {
      memory: `${printMemory} (memory $m 1 3)`,
      steps: [2, 1, 0],
      grow: memory32,
    }),
    // memoryBytes is 1 MiB: the linear memory that prints takes 64 KiB, the probed one grows to
    // the rest exactly, and the next page ends the run.
    growth('grow-memory-to-memory-bytes', {
      memory: `${printMemory} (memory $m 0)`,
      steps: [14, 1, 1],
      grow: memory32,
      limits: { memoryBytes: 2 ** 20 },
    }),
    // An empty table grown by 150,000 in one step: refused by the pool before, granted elsewhere.
    growth('grow-table-150000', {
      memory: `${printMemory} (table $t 0 funcref)`,
      steps: [150_000, 0],
      grow: table,
    }),
    growth('grow-table-to-cap', {
      memory: `${printMemory} (table $t 1 funcref)`,
      steps: [TABLE_CAP - 2, 1, 1, 0],
      grow: table,
    }),
    growth('grow-table-past-cap-in-one-step', {
      memory: `${printMemory} (table $t 0 funcref)`,
      steps: [TABLE_CAP + 1, 5],
      grow: table,
    }),
    // Tables cost 8 bytes an element against memoryBytes (1 MiB - 64 KiB = 122,880 elements).
    growth('grow-table-to-memory-bytes', {
      memory: `${printMemory} (table $t 0 funcref)`,
      steps: [122_880, 1],
      grow: table,
      limits: { memoryBytes: 2 ** 20 },
    }),
    // Six memories (the pool holds one per module, so this runs on the on-demand engine, which
    // reserves 4 GiB of address space for each): memory i grows by i pages.
    growth('grow-six-memories', {
      memory: printMemory + Array.from({ length: 5 }, (_, i) => ` (memory $m${i + 1} 1)`).join(''),
      steps: Array.from({ length: 5 }, (_, i) => i + 1),
      grow: (i) => `i64.extend_i32_s (memory.grow $m${i} (i32.const ${i}))`,
    }),
    // Declared above a cap: instantiation fails, the same way on every engine.
    growth('declare-table-past-cap', {
      memory: `${printMemory} (table $t ${TABLE_CAP + 1} funcref)`,
      steps: [0],
      grow: table,
    }),
    growth('declare-memory64-past-4gib', {
      memory: `${printMemory} (memory $m i64 65537)`,
      steps: [0],
      grow: memory64,
      limits: roomy,
    }),
  ]
}

/**
 * A recursion that prints its depth at every level until the stack is exhausted: the last line
 * is how deep it got. `locals` i64 values loaded from memory before the recursive call and used
 * after it must be kept in the frame (the call may change memory, so they cannot be loaded
 * again), which makes each frame bigger.
 */
function recursion(name, locals) {
  const declare = Array.from({ length: locals }, (_, i) => `(local $l${i} i64)`).join(' ')
  const load = Array.from({ length: locals }, (_, i) => `(local.set $l${i} (i64.load (i32.const ${2048 + 8 * i})))`).join(' ')
  const sum = Array.from({ length: locals }, (_, i) => `(i64.add (local.get $l${i}))`).join(' ')
  const body = `(func $down (param $d i64) (result i64) ${declare}
    ${load}
    (call $print (local.get $d))
    (call $down (i64.add (local.get $d) (i64.const 1)))
    ${sum})`
  return { name, wasm: preview1('(drop (call $down (i64.const 1)))', { extra: body }), options: {}, fuelDepth: true }
}

/** Recursions with small and large frames, each until the 1 MiB wasm stack is exhausted. */
function stackProbes() {
  return [recursion('stack-depth-small-frames', 0), recursion('stack-depth-large-frames', 12)]
}

/** A loop of `iterations` steps under a fuel budget: exhausted exactly, or finished with its count. */
function fuelProbes() {
  const loop = (iterations) =>
    preview1(
      `(local $i i64)
    (loop $again
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (i64.const ${iterations}))))
    (call $print (local.get $i))`,
    )
  return [
    { name: 'fuel-finished', wasm: loop(1000), options: { limits: { fuel: 100_000 } } },
    { name: 'fuel-exhausted', wasm: loop(1_000_000), options: { limits: { fuel: 100_000 } } },
  ]
}

module.exports = { growthProbes, stackProbes, fuelProbes, preview1 }
