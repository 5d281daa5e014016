// Compile bombs: small core modules that take Cranelift seconds and gigabytes to compile.
'use strict'

/** `n` as unsigned LEB128 bytes. */
function leb(n) {
  const bytes = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    bytes.push(byte)
  } while (n > 0)
  return bytes
}

/** A section with `id` holding `content`. */
const section = (id, content) => Buffer.concat([Buffer.from([id, ...leb(content.length)]), content])

/** A core module of `bodies` (each a function body's bytes) of type `() -> ()`. */
function moduleOf(bodies) {
  const count = leb(bodies.length)
  const code = Buffer.concat([Buffer.from(count), ...bodies.flatMap((body) => [Buffer.from(leb(body.length)), body])])
  return Buffer.concat([
    Buffer.from('\0asm\x01\0\0\0', 'latin1'),
    section(1, Buffer.from([1, 0x60, 0, 0])),
    section(3, Buffer.concat([Buffer.from(count), Buffer.alloc(bodies.length)])),
    section(10, code),
  ])
}

/** `n` empty functions: 200,000 (1.4 MB) took 40 s to compile. */
const manyFunctions = (n) => moduleOf(Array(n).fill(Buffer.from([0, 0x0b])))

/** One function summing `n` ones in one expression: a million terms took 8 s and 870 MB. */
function longExpression(n) {
  const body = Buffer.alloc(3 + 3 * n + 2)
  body.set([0, 0x41, 1]) // no locals; i32.const 1
  for (let i = 0; i < n; i++) body.set([0x41, 1, 0x6a], 3 + 3 * i) // i32.const 1; i32.add
  body.set([0x1a, 0x0b], 3 + 3 * n) // drop; end
  return moduleOf([body])
}

module.exports = { manyFunctions, longExpression }
