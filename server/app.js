// The playground server's HTTP API, on fastify: POST /api/run, POST /api/share and
// GET /api/share/:id, GET /healthz, GET /metrics (Prometheus text). It uses the package's public
// API like any other user; runs go through `Runs` (concurrency, queue, per-client limit) on
// runWasiAsync, so the event loop never waits for a run or a compile.
'use strict'

const crypto = require('node:crypto')
const Fastify = require('fastify')
const prom = require('prom-client')

const { jsonResult } = require('../cli/json')
const { schema, runOf } = require('./body')
const { Lru } = require('./lru')
const { Runs, Busy } = require('./runs')

/** The server's defaults: what `hermetic-wasi serve` uses unless told otherwise. */
const DEFAULTS = {
  concurrency: require('node:os').availableParallelism(),
  queue: 64,
  perClient: 4,
  maxBodyBytes: 8 << 20,
  maxima: { timeoutMs: 5000, memoryBytes: 64 << 20, outputBytes: 1 << 20, virtualTimeMs: 3_600_000, fsBytes: 16 << 20 },
  cacheEntries: 1000,
  cacheBytes: 64 << 20,
  shareEntries: 10_000,
  shareBytes: 64 << 20,
  maxShareBytes: 256 << 10,
}

/** Outcomes that depend only on a run's inputs, whose results are kept in the result cache. */
const CACHEABLE = new Set(['exited', 'trapped', 'deadlock', 'fuelExhausted', 'memoryExceeded', 'outputExceeded', 'virtualTimeExceeded'])

/** The error codes of the API that a client caused, answered with 400. */
const CLIENT_ERRORS = new Set(['ERR_INVALID_WASM', 'ERR_INVALID_OPTIONS', 'ERR_COMPILE_LIMIT'])

/** A fastify instance serving the API, not listening yet. */
function createApp(settings = {}) {
  const config = { ...DEFAULTS, ...settings, maxima: { ...DEFAULTS.maxima, ...settings.maxima } }
  const app = Fastify({
    bodyLimit: config.maxBodyBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  })
  const runs = new Runs(config)
  const results = new Lru({ entries: config.cacheEntries, bytes: config.cacheBytes })
  const shares = new Lru({ entries: config.shareEntries, bytes: config.shareBytes })
  const metrics = metricsFor(runs)

  app.setErrorHandler((error, request, reply) => {
    if (error.validation) return reply.code(400).send({ error: { code: 'ERR_INVALID_REQUEST', message: error.message } })
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: { code: 'ERR_BODY_TOO_LARGE', message: `the body is larger than ${config.maxBodyBytes} bytes` } })
    if (error.statusCode >= 400 && error.statusCode < 500) return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } })
    request.log.error(error)
    return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: 'internal error' } })
  })

  app.post('/api/run', { schema: { body: schema } }, async (request, reply) => {
    const { wasm, options, key, hasFiles } = runOf(request.body, config.maxima)
    const cached = results.get(key)
    if (cached !== undefined) {
      metrics.cache.inc({ result: 'hit' })
      return reply.header('x-cache', 'hit').type('application/json').send(cached)
    }
    metrics.cache.inc({ result: 'miss' })
    // A client that goes away cancels its run (queued or running).
    const abort = new AbortController()
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort()
    })
    const started = process.hrtime.bigint()
    let result
    try {
      result = await runs.run(request.ip, wasm, options, abort.signal)
    } catch (error) {
      if (error instanceof Busy) {
        metrics.refused.inc({ reason: error.reason })
        return reply.code(error.reason === 'queue' ? 503 : 429).header('retry-after', '1').send({ error: { code: 'ERR_BUSY', message: error.message } })
      }
      if (abort.signal.aborted) return reply
      if (CLIENT_ERRORS.has(error.code)) return reply.code(400).send({ error: { code: error.code, message: error.message } })
      throw error
    }
    metrics.runs.inc({ outcome: result.outcome })
    metrics.duration.observe(Number(process.hrtime.bigint() - started) / 1e9)
    const body = JSON.stringify(jsonResult(result, hasFiles))
    if (CACHEABLE.has(result.outcome)) results.set(key, body)
    return reply.header('x-cache', 'miss').type('application/json').send(body)
  })

  app.post('/api/share', { schema: { body: schema } }, async (request, reply) => {
    const snippet = JSON.stringify(request.body)
    if (Buffer.byteLength(snippet) > config.maxShareBytes) {
      return reply.code(413).send({ error: { code: 'ERR_SNIPPET_TOO_LARGE', message: `a shared snippet holds at most ${config.maxShareBytes} bytes` } })
    }
    const id = crypto.createHash('sha256').update(snippet).digest('base64url').slice(0, 16)
    shares.set(id, snippet)
    return reply.code(201).send({ id, url: `/p/${id}` })
  })

  app.get('/api/share/:id', async (request, reply) => {
    const snippet = shares.get(request.params.id)
    if (snippet === undefined) return reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: 'no snippet with this id' } })
    return reply.type('application/json').send(snippet)
  })

  app.get('/healthz', async () => ({ ok: true }))
  app.get('/metrics', async (request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()))
  return app
}

/** The server's Prometheus metrics, in a registry of its own. */
function metricsFor(runs) {
  const registry = new prom.Registry()
  const common = { registers: [registry] }
  return {
    registry,
    runs: new prom.Counter({ name: 'hermetic_wasi_runs_total', help: 'Runs by outcome', labelNames: ['outcome'], ...common }),
    cache: new prom.Counter({ name: 'hermetic_wasi_cache_total', help: 'Result cache lookups', labelNames: ['result'], ...common }),
    refused: new prom.Counter({ name: 'hermetic_wasi_refused_total', help: 'Runs refused: the queue was full, or the client had too many in flight', labelNames: ['reason'], ...common }),
    duration: new prom.Histogram({ name: 'hermetic_wasi_run_seconds', help: 'Wall time of a run request that ran: queueing, compiling and running', buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2, 10], ...common }),
    queue: new prom.Gauge({ name: 'hermetic_wasi_queue_depth', help: 'Runs waiting for a slot', collect() { this.set(runs.waiting.length) }, ...common }),
    running: new prom.Gauge({ name: 'hermetic_wasi_runs_running', help: 'Runs on the thread pool', collect() { this.set(runs.running) }, ...common }),
  }
}

module.exports = { createApp, DEFAULTS }
