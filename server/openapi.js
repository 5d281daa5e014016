// The API described as an OpenAPI 3.1 document, served at GET /openapi.json; the request body
// is the schema the server validates with (body.js), so the two cannot drift apart.
'use strict'

const { version } = require('../package.json')
const { schema } = require('./body')

const error = { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } }
const bytes = {
  oneOf: [
    { type: 'string', description: 'text: UTF-8 in which at most one byte in ten is a control character other than tab, newline and carriage return' },
    { type: 'object', required: ['base64'], additionalProperties: false, properties: { base64: { type: 'string' } }, description: 'any other bytes' },
  ],
}
const result = {
  type: 'object',
  required: ['outcome', 'exitCode', 'stdout', 'stderr', 'virtualTimeNs'],
  properties: {
    outcome: { enum: ['exited', 'trapped', 'deadlock', 'fuelExhausted', 'timeout', 'memoryExceeded', 'outputExceeded', 'virtualTimeExceeded', 'cancelled', 'hostOutOfMemory'] },
    exitCode: { type: 'integer' },
    stdout: bytes,
    stderr: bytes,
    virtualTimeNs: { type: 'string', description: 'a decimal integer' },
    events: { type: 'array', items: { type: 'object', properties: { stream: { enum: ['stdout', 'stderr'] }, data: bytes, timeNs: { type: 'string' } } } },
    fuelConsumed: { type: 'string' },
    trap: { type: 'object', properties: { message: { type: 'string' }, backtrace: { type: 'array', items: { type: 'string' } } } },
    files: {
      type: 'object',
      additionalProperties: {
        oneOf: [
          bytes,
          { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { const: 'dir' } } },
          { type: 'object', required: ['type', 'target'], additionalProperties: false, properties: { type: { const: 'symlink' }, target: { type: 'string' } } },
        ],
      },
    },
  },
}
const json = (s) => ({ content: { 'application/json': { schema: s } } })
const internal = { description: 'A bug in the server, which logs it (ERR_INTERNAL)', ...json(error) }
const answers = (ok) => ({
  ...ok,
  400: { description: 'A malformed request (ERR_INVALID_REQUEST) or a program or options the library refuses (ERR_INVALID_WASM, ERR_INVALID_OPTIONS, ERR_COMPILE_LIMIT)', ...json(error) },
  413: { description: 'The body is larger than the server allows (ERR_BODY_TOO_LARGE; a snippet past its bound, ERR_SNIPPET_TOO_LARGE)', ...json(error) },
  415: { description: 'The body is not application/json (ERR_UNSUPPORTED_MEDIA_TYPE)', ...json(error) },
  503: { description: 'On a fleet: Redis is unreachable, no worker listens, or none answered in time (ERR_UNAVAILABLE, Retry-After); for a run, also: the queue is full (ERR_BUSY); for a share, also: Redis is over 80% full', ...json(error) },
  500: internal,
})

const document = {
  openapi: '3.1.0',
  info: {
    title: 'hermetic-wasi playground API',
    version,
    description: 'Every error is { error: { code, message } }, those of HTTP itself too: 400 ERR_INVALID_REQUEST (not HTTP/1.1, or a bad URL), 408 ERR_REQUEST_TIMEOUT, 414 ERR_URL_TOO_LONG, 431 ERR_HEADERS_TOO_LARGE.',
  },
  paths: {
    '/api/run': {
      post: {
        summary: 'Run a WASI program once and answer how it ended, with its timed output',
        requestBody: { required: true, ...json(schema) },
        responses: answers({
          200: { description: 'The result; X-Cache says whether it came from the result cache', headers: { 'X-Cache': { schema: { enum: ['hit', 'miss'] } } }, ...json(result) },
          429: { description: 'This client has too many runs in flight (ERR_BUSY, Retry-After)', ...json(error) },
        }),
      },
    },
    '/api/share': {
      post: {
        summary: 'Store a program and its inputs under their content hash',
        requestBody: { required: true, ...json(schema) },
        responses: answers({
          201: { description: 'Stored', ...json({ type: 'object', properties: { id: { type: 'string' } } }) },
          429: { description: 'This client shared --shares-per-minute snippets this minute (ERR_BUSY, Retry-After)', ...json(error) },
        }),
      },
    },
    '/api/share/{id}': {
      get: {
        summary: 'A stored snippet',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: { description: 'The snippet, as it was posted', ...json(schema) },
          404: { description: 'No such snippet (or dropped)', ...json(error) },
          414: { description: 'An id over 100 characters (ERR_URL_TOO_LONG)', ...json(error) },
          503: { description: 'On a fleet: Redis is unreachable (ERR_UNAVAILABLE)', ...json(error) },
          500: internal,
        },
      },
    },
    '/healthz': {
      get: {
        summary: 'Health: on a fleet, whether Redis answers and how many workers listen',
        responses: {
          200: { description: 'Healthy', ...json({ type: 'object', required: ['ok'], properties: { ok: { const: true }, redis: { const: 'ok' }, workers: { type: ['integer', 'null'], description: 'null when Redis does not tell this server its clients (CLIENT LIST refused)' } } }) },
          503: { description: 'Redis is unreachable or over 95% full, or no worker listens on the queue (ERR_UNAVAILABLE)', ...json(error) },
        },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format' } } } },
  },
}

module.exports = { document, result }
