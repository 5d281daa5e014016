// WebAssembly text probes of exception handling (`tag`, `throw`, `try_table`, `throw_ref`):
// throws that cross functions and unwind deep stacks, many throws (each exception is an
// object on the run's GC heap, which must be collected, not grow until the run fails), an
// uncaught exception, and the same under fuel. Each is a preview1 core module printing what it
// saw, like the probes in bounds.js. A hundred thousand throws, not a million: the corpus also
// runs with 80 runs in flight on two cores, within the default timeout.
'use strict'

const { preview1 } = require('./bounds')

const tags = `
  (tag $number (param i64))
  (tag $pair (param i64 i64))
  ;; Throws $number with n after recursing n levels deep (frames unwound by the throw).
  (func $deep (param $n i64)
    (if (i64.eqz (local.get $n)) (then (throw $number (i64.const 4242))))
    (call $deep (i64.sub (local.get $n) (i64.const 1))))
  (func $pair (param $a i64) (param $b i64) (throw $pair (local.get $a) (local.get $b)))
  ;; Catches a $number by reference and throws it again: the caller sees the same payload.
  (func $rethrow (param $n i64) (local $e exnref)
    (block $got (result i64 exnref)
      (try_table (catch_ref $number $got) (call $deep (local.get $n)))
      (return))
    (local.set $e)
    (drop)
    (throw_ref (local.get $e)))`

/** Catches each kind of throw and prints its payload, or what kind of catch took it. */
function acrossFunctions() {
  const body = `
    (call $print
      (block $caught (result i64)
        (try_table (catch $number $caught) (call $deep (i64.const 1000)))
        (i64.const -1)))
    (call $print
      (i64.add
        (block $caught (result i64 i64)
          (try_table (catch $pair $caught) (call $pair (i64.const 40) (i64.const 2)))
          (i64.const -1) (i64.const -1))))
    (call $print
      (block $caught (result i64)
        (try_table (catch $number $caught) (call $rethrow (i64.const 10)))
        (i64.const -1)))
    (block $all
      (try_table (catch_all $all) (call $pair (i64.const 1) (i64.const 2)))
      (return))
    (call $print (i64.const 7))`
  return preview1(body, { extra: tags })
}

/** Throws and catches `count` times, printing how many were caught. */
function manyThrows(count) {
  const body = `(local $i i64) (local $sum i64)
    (loop $again
      (local.set $sum (i64.add (local.get $sum)
        (block $caught (result i64)
          (try_table (catch $number $caught) (call $deep (i64.const 3)))
          (i64.const 0))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (i64.const ${count}))))
    (call $print (local.get $i))
    (call $print (local.get $sum))`
  return preview1(body, { extra: tags })
}

/** The probes: each is run like any other corpus case. */
function exceptionProbes() {
  return [
    { name: 'exceptions-across-functions', wasm: acrossFunctions(), options: {} },
    { name: 'exceptions-many-throws', wasm: manyThrows(100_000), options: {} },
    {
      name: 'exceptions-uncaught',
      wasm: preview1('(call $print (i64.const 1)) (call $pair (i64.const 1) (i64.const 2))', { extra: tags }),
      options: {},
    },
    { name: 'exceptions-fuel-exhausted', wasm: manyThrows(1_000_000), options: { limits: { fuel: 1_000_000 } } },
  ]
}

module.exports = { exceptionProbes }
