// NaN probes: WASI preview1 modules (in the WebAssembly text format) that print the exact bits of
// floating-point results, for the determinism digest.
//
// The README promises byte-identical results on every machine. Floating point is where CPUs
// differ: x86-64 and aarch64 give different NaN bits (sign, payload, quieting of signalling NaNs)
// for the same operation. The engine runs with `cranelift_nan_canonicalization`, so every
// arithmetic result that is a NaN (add, sub, mul, div, sqrt, min, max, ceil, floor, trunc,
// nearest, demote, promote, scalar and SIMD) must be the positive canonical NaN: 7fc00000 (f32)
// or 7ff8000000000000 (f64), whatever the inputs' payloads. Sign and bit operations (neg, abs,
// copysign, reinterpret, load/store, select, pmin/pmax, globals, calls) are not arithmetic and
// legitimately keep payloads, exactly. Non-NaN cases (1/3, min(-0,+0), nearest(2.5), rounding of
// large integer conversions...) check ordinary results too.
//
// Each probe prints one line per case, `<label> <hex bits>`, with every lane of a v128 result
// (lane 0 first) separated by spaces. Operands are loaded from a data segment, so the engine
// cannot fold them at compile time. Relaxed SIMD has its own probe: an engine may reject the
// proposal (ERR_INVALID_WASM, itself a recorded result), which must not hide the other classes.
'use strict'

const NAN32 = ['0xffc00abc', '0x7f800001'] // negative quiet NaN with a payload; signalling NaN
const NAN64 = ['0xfff8000000000abc', '0x7ff0000000000001']
const SIZE = { i8: 1, i16: 2, i32: 4, f32: 4, i64: 8, f64: 8 }

// Memory: the iovec at 0, nwritten at 8, a v128 scratch slot at 16, inputs and labels from 64,
// the output line after them.
const SCRATCH = 16
const DATA = 64
const LINE_MAX = 4096

const align = (n, to) => Math.ceil(n / to) * to
const laneType = (shape) => shape.split('x')[0] // 'f32x4' -> 'f32'
const isVector = (type) => type.includes('x')

// The little-endian bytes of a value as written in labels: '0x...' or a negative integer is a bit
// pattern (two's complement), 'inf', '-inf' and other decimals are numbers for float types, and
// an array is the lanes of a vector type.
function bytesOf(type, value) {
  if (Array.isArray(value)) return Buffer.concat(value.map((lane) => bytesOf(laneType(type), lane)))
  const size = SIZE[type]
  const buf = Buffer.alloc(8)
  if (type[0] === 'f' && !value.startsWith('0x')) {
    const n = value === 'inf' ? Infinity : value === '-inf' ? -Infinity : Number(value)
    if (Number.isNaN(n)) throw new Error(`bad ${type} value ${value}`)
    if (size === 4) buf.writeFloatLE(n)
    else buf.writeDoubleLE(n)
  } else {
    buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)))
  }
  return buf.subarray(0, size)
}

// A WAT string literal: printable ASCII as is, everything else escaped.
function watString(bytes) {
  let s = ''
  for (const b of bytes) {
    const plain = b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c // not '"' or '\\'
    s += plain ? String.fromCharCode(b) : '\\' + b.toString(16).padStart(2, '0')
  }
  return `"${s}"`
}

// The WAT that writes the bits of `expr` (of `type`) to the output line.
function printValue(type, expr) {
  switch (type) {
    case 'f32': return `(call $hex (i64.extend_i32_u (i32.reinterpret_f32 ${expr})) (i32.const 8))`
    case 'f64': return `(call $hex (i64.reinterpret_f64 ${expr}) (i32.const 16))`
    case 'i32': return `(call $hex (i64.extend_i32_u ${expr}) (i32.const 8))`
    case 'i64': return `(call $hex ${expr} (i32.const 16))`
  }
  const size = SIZE[laneType(type)]
  const load = { 1: 'i64.load8_u', 2: 'i64.load16_u', 4: 'i64.load32_u', 8: 'i64.load' }[size]
  const lanes = []
  for (let i = 0; i < 16 / size; i++) {
    lanes.push(`(call $hex (${load} (i32.const ${SCRATCH + i * size})) (i32.const ${size * 2}))`)
  }
  return `(v128.store (i32.const ${SCRATCH}) ${expr})\n    ` + lanes.join('\n    (call $char (i32.const 32))\n    ')
}

// Collects the inputs, labels and cases of one probe module.
class Probe {
  constructor(name) {
    this.name = name
    this.data = [] // [address, bytes]
    this.addresses = new Map() // hex of bytes -> address, so equal inputs share a slot
    this.end = DATA
    this.body = []
  }

  place(bytes) {
    const key = bytes.toString('hex')
    if (!this.addresses.has(key)) {
      this.end = align(this.end, 16)
      this.addresses.set(key, this.end)
      this.data.push([this.end, bytes])
      this.end += bytes.length
    }
    return this.addresses.get(key)
  }

  // The WAT that loads `value` of `type` from the data segment.
  input(type, value) {
    const load = isVector(type) ? 'v128.load' : `${type}.load`
    return `(${load} (i32.const ${this.place(bytesOf(type, value))}))`
  }

  // A case printing `expr` (of `resultType`) after `label`.
  raw(label, resultType, expr) {
    const text = Buffer.from(label + ' ')
    if (text.length > LINE_MAX / 4) throw new Error(`label too long: ${label}`)
    this.body.push(`;; ${label}`, `(call $text (i32.const ${this.place(text)}) (i32.const ${text.length}))`,
      printValue(resultType, expr), '(call $endline)')
  }

  // A case applying `instr` to `operands`, each [type, value].
  op(instr, resultType, ...operands) {
    const shown = operands.map(([, v]) => (Array.isArray(v) ? `[${v.join(',')}]` : v))
    const loads = operands.map(([type, v]) => this.input(type, v))
    this.raw(`${instr}(${shown.join(',')})`, resultType, `(${instr} ${loads.join(' ')})`)
  }

  wat() {
    const out = align(this.end, 16)
    const pages = Math.ceil((out + LINE_MAX) / 65536)
    return `;; hermetic-wasi determinism probe: ${this.name}
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") ${pages})
  (global $pos (mut i32) (i32.const ${out}))
  (global $gf32 (mut f32) (f32.const 0))
  (global $gf64 (mut f64) (f64.const 0))
  ${this.data.map(([at, bytes]) => `(data (i32.const ${at}) ${watString(bytes)})`).join('\n  ')}

  (func $id_f32 (param f32) (result f32) (local.get 0))
  (func $id_f64 (param f64) (result f64) (local.get 0))

  ;; Appends one byte to the output line.
  (func $char (param $c i32)
    (i32.store8 (global.get $pos) (local.get $c))
    (global.set $pos (i32.add (global.get $pos) (i32.const 1))))

  ;; Appends $len bytes from $ptr.
  (func $text (param $ptr i32) (param $len i32)
    (memory.copy (global.get $pos) (local.get $ptr) (local.get $len))
    (global.set $pos (i32.add (global.get $pos) (local.get $len))))

  ;; Appends the low $digits hex digits of $v, lowercase, most significant first.
  (func $hex (param $v i64) (param $digits i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $digits)))
        (local.set $digits (i32.sub (local.get $digits) (i32.const 1)))
        (local.set $n (i32.wrap_i64 (i64.and (i64.const 15)
          (i64.shr_u (local.get $v) (i64.extend_i32_u (i32.shl (local.get $digits) (i32.const 2)))))))
        (call $char (i32.add (local.get $n)
          (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $n) (i32.const 10)))))
        (br $next))))

  ;; Ends the line and writes it to stdout (the iovec at 0, nwritten at 8); traps on an error.
  (func $endline
    (call $char (i32.const 10))
    (i32.store (i32.const 0) (i32.const ${out}))
    (i32.store (i32.const 4) (i32.sub (global.get $pos) (i32.const ${out})))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
    (global.set $pos (i32.const ${out})))

  (func (export "_start")
    ${this.body.join('\n    ')}))
`
  }
}

// Scalar f32 or f64 arithmetic, sign operations and bit-preserving moves.
function scalarProbe(t, nans) {
  const p = new Probe(`nan-${t}-scalar`)
  const it = t === 'f32' ? 'i32' : 'i64'
  const pairs = [[nans[0], '1'], ['1', nans[1]], [nans[0], nans[1]], [nans[1], nans[0]], ['inf', 'inf'],
    ['inf', '-inf'], ['inf', '0'], ['0', '0'], ['-0', '0'], ['0', '-0'], ['1', '3']]
  for (const op of ['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign']) {
    for (const [a, b] of pairs) p.op(`${t}.${op}`, t, [t, a], [t, b])
  }
  const singles = [...nans, '-1', '-inf', 'inf', '-0', '2', '2.5', '-2.5', '-0.5', '0.5']
  for (const op of ['sqrt', 'ceil', 'floor', 'trunc', 'nearest', 'neg', 'abs']) {
    for (const a of singles) p.op(`${t}.${op}`, t, [t, a])
  }
  // Moves that must keep every bit, signalling NaNs included.
  for (const x of nans) {
    const v = p.input(t, x)
    p.raw(`${it}.reinterpret_${t}(${t}.reinterpret_${it}(${x}))`, it,
      `(${it}.reinterpret_${t} (${t}.reinterpret_${it} ${p.input(it, x)}))`)
    p.raw(`${t}.store+load(${x})`, t,
      `(block (result ${t}) (${t}.store (i32.const ${SCRATCH}) ${v}) (${t}.load (i32.const ${SCRATCH})))`)
    p.raw(`select(${x},1,1)`, t, `(select ${v} ${p.input(t, '1')} ${p.input('i32', '1')})`)
    p.raw(`global.set+get(${x})`, t, `(block (result ${t}) (global.set $g${t} ${v}) (global.get $g${t}))`)
    p.raw(`call(${x})`, t, `(call $id_${t} ${v})`)
  }
  return p
}

// Scalar conversions: demote, promote, saturating float-to-int, int-to-float rounding.
function conversionsProbe() {
  const p = new Probe('nan-conversions')
  for (const x of [...NAN64, '0x7ff8abc000000000', '0x3fd5555555555555', '1e300', '-1e300', '-0', '0x0000000000000001']) {
    p.op('f32.demote_f64', 'f32', ['f64', x])
  }
  for (const x of [...NAN32, '0x7fc0abcd', '0x3eaaaaab', '-0', '0x00000001']) p.op('f64.promote_f32', 'f64', ['f32', x])
  const big = ['inf', '-inf', '3e9', '-3e9', '1e20', '-1e20', '-1.5', '2.5', '-0.9', '4294967295.5', '-2147483648.9']
  for (const [t, nans] of [['f32', [...NAN32, '0x7fc00000']], ['f64', [...NAN64, '0x7ff8000000000000']]]) {
    for (const r of ['i32', 'i64']) {
      for (const sign of ['s', 'u']) for (const x of [...nans, ...big]) p.op(`${r}.trunc_sat_${t}_${sign}`, r, [t, x])
    }
  }
  const ints32 = ['0xffffffff', '0x80000001', '0x80000080', '0x80000081', '0x7fffffc0', '0x01000001']
  const ints64 = ['0xffffffffffffffff', '0x8000000000000001', '0x7fffffffffffffff', '0x0020000020000001',
    '0x8000008000000000', '0x8000008000000001', '0x8000000000000400', '0x8000000000000401']
  for (const [it, ints] of [['i32', ints32], ['i64', ints64]]) {
    for (const t of ['f32', 'f64']) {
      for (const sign of ['s', 'u']) for (const x of ints) p.op(`${t}.convert_${it}_${sign}`, t, [it, x])
    }
  }
  return p
}

// Splits a list of lane values into vectors of `n` lanes.
const chunks = (values, n) => (values.length ? [values.slice(0, n), ...chunks(values.slice(n), n)] : [])

// f32x4 or f64x2 arithmetic and sign operations, every lane printed.
function vectorProbe(shape, nans) {
  const p = new Probe(`nan-${shape}`)
  const n = shape === 'f32x4' ? 4 : 2
  const [q, s] = nans
  const a = chunks([q, '1', q, s, 'inf', 'inf', 'inf', '0', '-0', '0', '1', '2.5'], n)
  const b = chunks(['1', s, s, q, 'inf', '-inf', '0', '0', '0', '-0', '3', '-1'], n)
  for (const op of ['add', 'sub', 'mul', 'div', 'min', 'max', 'pmin', 'pmax']) {
    a.forEach((x, i) => p.op(`${shape}.${op}`, shape, [shape, x], [shape, b[i]]))
  }
  const singles = chunks([q, s, '-1', '-inf', '2', '2.5', '-2.5', '-0.5', '-0', 'inf', '0.5', '-3.5'], n)
  for (const op of ['sqrt', 'ceil', 'floor', 'trunc', 'nearest', 'neg', 'abs']) {
    for (const x of singles) p.op(`${shape}.${op}`, shape, [shape, x])
  }
  return p
}

// SIMD conversions between float and integer lanes and between f32 and f64.
function simdConversionsProbe() {
  const p = new Probe('nan-simd-conversions')
  const f64s = chunks([...NAN64, '0x7ff8abc000000000', '1e300', '0x3fd5555555555555', '-0', 'inf', '-inf',
    '3e9', '-3e9', '-1.5', '4294967295.5'], 2)
  const f32s = chunks([...NAN32, '1', '2', '0x7fc0abcd', '-0', 'inf', '-inf', '3e9', '-3e9', '-1.5', '2.5',
    '-0.9', '1e20', '0x7fc00000', '2147483520'], 4)
  const i32s = chunks(['0xffffffff', '0x80000001', '0x80000080', '0x80000081', '0x7fffffc0', '0x01000001', '0x7fffffff', '0'], 4)
  const cases = [ // [instruction, result shape, operand shape, operands]
    ['f32x4.demote_f64x2_zero', 'f32x4', 'f64x2', f64s.slice(0, 4)],
    ['f64x2.promote_low_f32x4', 'f64x2', 'f32x4', f32s.slice(0, 2)],
    ['i32x4.trunc_sat_f32x4_s', 'i32x4', 'f32x4', f32s], ['i32x4.trunc_sat_f32x4_u', 'i32x4', 'f32x4', f32s],
    ['i32x4.trunc_sat_f64x2_s_zero', 'i32x4', 'f64x2', f64s], ['i32x4.trunc_sat_f64x2_u_zero', 'i32x4', 'f64x2', f64s],
    ['f32x4.convert_i32x4_s', 'f32x4', 'i32x4', i32s], ['f32x4.convert_i32x4_u', 'f32x4', 'i32x4', i32s],
    ['f64x2.convert_low_i32x4_s', 'f64x2', 'i32x4', i32s], ['f64x2.convert_low_i32x4_u', 'f64x2', 'i32x4', i32s],
  ]
  for (const [op, result, shape, inputs] of cases) for (const x of inputs) p.op(op, result, [shape, x])
  return p
}

// Relaxed SIMD, whose results the engine must make deterministic (or reject the proposal).
function relaxedProbe() {
  const p = new Probe('relaxed-simd')
  const [q, s] = NAN32
  // 1+2^-12 squared minus (1+2^-11) is 2^-24 when fused, 0 when not (and likewise for f64).
  const madd32 = [[['0', 'inf', q, '1'], ['inf', '0', '1', s], ['1', '1', '1', '1']],
    [['1', '1', '0x3f800800', 'inf'], ['1', '1', '0x3f800800', '1'], [q, s, '0xbf801000', '-inf']]]
  const madd64 = [[['0', 'inf'], ['inf', '0'], ['1', '1']], [[NAN64[0], '1'], ['1', NAN64[1]], ['1', '1']],
    [['1', '0x3ff0000002000000'], ['1', '0x3ff0000002000000'], [NAN64[1], '0xbff0000004000000']]]
  for (const [shape, triples] of [['f32x4', madd32], ['f64x2', madd64]]) {
    for (const op of ['relaxed_madd', 'relaxed_nmadd']) {
      for (const [a, b, c] of triples) p.op(`${shape}.${op}`, shape, [shape, a], [shape, b], [shape, c])
    }
  }
  for (const op of ['relaxed_min', 'relaxed_max']) {
    p.op(`f32x4.${op}`, 'f32x4', ['f32x4', [q, '1', '-0', '0']], ['f32x4', ['1', s, '0', '-0']])
    p.op(`f64x2.${op}`, 'f64x2', ['f64x2', [NAN64[0], '1']], ['f64x2', ['1', NAN64[1]]])
    p.op(`f64x2.${op}`, 'f64x2', ['f64x2', ['-0', '0']], ['f64x2', ['0', '-0']])
  }
  for (const op of ['i32x4.relaxed_trunc_f32x4_s', 'i32x4.relaxed_trunc_f32x4_u']) {
    p.op(op, 'i32x4', ['f32x4', [q, '3e9', '-3e9', '-1.5']])
    p.op(op, 'i32x4', ['f32x4', ['inf', '-inf', '2.5', '0x7fc00000']])
  }
  for (const op of ['i32x4.relaxed_trunc_f64x2_s_zero', 'i32x4.relaxed_trunc_f64x2_u_zero']) {
    p.op(op, 'i32x4', ['f64x2', [NAN64[0], '3e9']])
    p.op(op, 'i32x4', ['f64x2', ['-3e9', '-1.5']])
  }
  const bytes = Array.from({ length: 16 }, (_, i) => `0x${(0xa0 + i).toString(16)}`)
  p.op('i8x16.relaxed_swizzle', 'i8x16', ['i8x16', bytes],
    ['i8x16', ['0', '15', '16', '0x7f', '0x80', '0xff', '1', '17', '31', '32', '0x8f', '0x70', '3', '2', '1', '0']])
  const masks = {
    i8x16: ['0xff', '0', '0x80', '0x7f', '0x01', '0xfe', '0xff', '0', '0x80', '0x7f', '0x0f', '0xf0', '0x81', '0x7e', '0', '0xff'],
    i16x8: ['0xffff', '0', '0x8000', '0x7fff', '0x00ff', '0xff00', '1', '0xfffe'],
    i32x4: ['0xffffffff', '0', '0x80000000', '0x7fffffff'],
    i64x2: ['0x8000000000000000', '0x7fffffffffffffff'],
  }
  for (const [shape, mask] of Object.entries(masks)) {
    p.op(`${shape}.relaxed_laneselect`, shape, [shape, mask.map(() => '-1')], [shape, mask.map(() => '0')], [shape, mask])
  }
  p.op('i16x8.relaxed_q15mulr_s', 'i16x8', ['i16x8', ['-32768', '-32768', '32767', '-1', '16384', '-16384', '1', '0']],
    ['i16x8', ['-32768', '32767', '32767', '-1', '16384', '16384', '1', '0']])
  const dotA = ['-128', '-128', '127', '127', '-1', '1', '100', '-100', '-128', '127', '5', '-5', '0', '1', '-128', '-128']
  const dotB = ['-128', '0xff', '127', '0x80', '-1', '0x7f', '50', '0x90', '-128', '-128', '0x81', '3', '9', '0xfe', '0x80', '0x80']
  p.op('i16x8.relaxed_dot_i8x16_i7x16_s', 'i16x8', ['i8x16', dotA], ['i8x16', dotB])
  p.op('i32x4.relaxed_dot_i8x16_i7x16_add_s', 'i32x4', ['i8x16', dotA], ['i8x16', dotB],
    ['i32x4', ['0x7fffffff', '-1', '0', '0x80000000']])
  return p
}

function nanProbes() {
  const probes = [scalarProbe('f32', NAN32), scalarProbe('f64', NAN64), conversionsProbe(), vectorProbe('f32x4', NAN32),
    vectorProbe('f64x2', NAN64), simdConversionsProbe(), relaxedProbe()]
  return probes.map((p) => ({ name: p.name, wasm: p.wat(), options: {} }))
}

module.exports = { nanProbes }
