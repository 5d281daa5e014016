// The body of `POST /api/run` and `POST /api/share`: its JSON schema, the run it asks for, with
// limits clamped to the server's maxima, and the key of its result (SHA-256 of a canonical
// encoding of the program and every option that can change the result).
'use strict'

const crypto = require('node:crypto')

const bytes = { type: 'object', required: ['base64'], additionalProperties: false, properties: { base64: { type: 'string' } } }
const count = { type: 'number', minimum: 0 }

/**
 * Strict: unknown fields are refused, not dropped (a typo must not run with defaults). Counts
 * are bounded so that the work a request costs the event loop before it runs (parsing,
 * checking, hashing, converting) stays small: 600,000 env entries once blocked it for 2.7 s.
 */
const schema = {
  type: 'object',
  additionalProperties: false,
  oneOf: [{ required: ['wat'] }, { required: ['wasm'] }],
  properties: {
    wat: { type: 'string' },
    wasm: { type: 'string' },
    args: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
    env: { type: 'object', maxProperties: 1000, additionalProperties: { type: 'string' } },
    stdin: { anyOf: [{ type: 'string' }, bytes] },
    files: { type: 'object', maxProperties: 1000, additionalProperties: { anyOf: [{ type: 'string' }, bytes] } },
    seed: { anyOf: [{ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, { type: 'string', pattern: '^[0-9]{1,20}$' }] },
    startTime: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', format: 'date-time' }] },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { timeoutMs: count, memoryBytes: count, outputBytes: count, virtualTimeMs: count, fsBytes: count, fuel: count },
    },
  },
}

/**
 * The bytes of standard, padded base64 `text`; anything else is a 400, not skipped as
 * Buffer.from would. Checked by encoding the bytes again: 23 µs for hello's 89 KB, where a
 * regular expression took 300 µs, most of a cached answer's time.
 */
function base64(text, what) {
  const bytes = Buffer.from(text, 'base64')
  if (bytes.toString('base64') !== text) {
    throw Object.assign(new Error(`${what} is not standard, padded base64`), { statusCode: 400, code: 'ERR_INVALID_REQUEST' })
  }
  return bytes
}

const decode = (value, what) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : base64(value.base64, `${what}.base64`))

/**
 * The run `body` asks for: `{ wasm, options, hasFiles }`. `maxima` holds the server's
 * largest `timeoutMs`, `memoryBytes`, `outputBytes`, `virtualTimeMs` and `fsBytes`; a client's
 * limit above one, or missing, is that maximum.
 */
function runOf(body, maxima) {
  const wasm = body.wat !== undefined ? Buffer.from(body.wat, 'utf8') : base64(body.wasm, 'wasm')
  const limits = {}
  for (const [name, max] of Object.entries(maxima)) limits[name] = Math.min(body.limits?.[name] ?? max, max)
  if (body.limits?.fuel !== undefined) limits.fuel = body.limits.fuel
  const files = body.files === undefined ? undefined : Object.fromEntries(Object.entries(body.files).map(([p, v]) => [p, decode(v, `files[${JSON.stringify(p)}]`)]))
  const options = {
    args: body.args ?? [],
    env: body.env ?? {},
    stdin: body.stdin === undefined ? undefined : decode(body.stdin, 'stdin'),
    files,
    seed: body.seed === undefined ? undefined : BigInt(body.seed),
    startTime: body.startTime === undefined ? undefined : typeof body.startTime === 'number' ? body.startTime : new Date(body.startTime),
    events: true,
    limits,
  }
  return { wasm, options, hasFiles: files !== undefined }
}

/**
 * The SHA-256 of the program of `prepared` (what `runOf` gave), in hex, hashed once: the key of
 * its compiled code (runs.js) and part of its result's key.
 */
function programKeyOf(prepared) {
  prepared.programKey ??= crypto.createHash('sha256').update(prepared.wasm).digest('hex')
  return prepared.programKey
}

/**
 * The key of a run's result: SHA-256 over the program's hash and the options in a fixed order,
 * each length-prefixed. Only the server's result cache needs it (not a worker, nor a shared
 * snippet).
 */
function keyOf(prepared) {
  const { options } = prepared
  const hash = crypto.createHash('sha256')
  const part = (data) => {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'utf8')
    hash.update(`${buffer.length}:`)
    hash.update(buffer)
  }
  part(programKeyOf(prepared))
  part(JSON.stringify(options.args))
  part(JSON.stringify(Object.entries(options.env)))
  part(options.stdin ?? '')
  part(options.stdin === undefined ? 'no stdin' : 'stdin')
  part(options.files === undefined ? 'no files' : 'files')
  for (const [path, data] of Object.entries(options.files ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    part(path)
    part(data)
  }
  part(options.seed ?? '')
  part(options.startTime instanceof Date ? options.startTime.getTime() : (options.startTime ?? ''))
  // Not timeoutMs: a result that did not time out is the same under any timeout (only results
  // that depend on nothing but their inputs are cached).
  part(JSON.stringify(Object.entries(options.limits).filter(([name]) => name !== 'timeoutMs').sort()))
  return hash.digest('hex')
}

module.exports = { schema, runOf, keyOf, programKeyOf }
