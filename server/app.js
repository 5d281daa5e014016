// The playground server, on fastify: the page at / and /p/:id (server/page/), and the HTTP API:
// POST /api/run, POST /api/share and GET /api/share/:id, GET /healthz, GET /metrics (Prometheus
// text). It uses the package's public
// API like any other user; runs go through `Runs` (concurrency, queue, per-client limit) on
// runWasiAsync, so the event loop never waits for a run or a compile.
'use strict'

const crypto = require('node:crypto')
const http = require('node:http')
const Fastify = require('fastify')
const prom = require('prom-client')

const { schema, runOf, keyOf } = require('./body')
const { parseBody } = require('./json')
const { clientOf } = require('./address')
const { localBackend } = require('./local')
const { Busy, Unavailable } = require('./runs')

/** The server's defaults: what `hermetic-wasi serve` uses unless told otherwise. */
const DEFAULTS = {
  concurrency: require('node:os').availableParallelism(),
  queue: 64,
  perClient: 4,
  maxBodyBytes: 4 << 20,
  maxConnections: 256,
  perAddressConnections: 32,
  sharesPerMinute: 30,
  requestTimeoutMs: 10_000,
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

/**
 * A fastify instance serving the page and the API, not listening yet; its runs, results and
 * snippets on this machine, or with `settings.redis` (a URL) on a fleet (server/fleet.js).
 */
async function createApp(settings = {}) {
  const config = { ...DEFAULTS, ...settings, maxima: { ...DEFAULTS.maxima, ...settings.maxima } }
  // Bodies are buffered whole: at most `maxConnections` of `maxBodyBytes` each, and a body that
  // takes longer than `requestTimeoutMs` to arrive ends its connection (a client sending slowly
  // once held 1.4 GB with 200 connections).
  const app = Fastify({
    bodyLimit: config.maxBodyBytes,
    // The proxies' addresses: never `true`, which would take the client's own
    // X-Forwarded-For entry as its address.
    trustProxy: config.trustProxy ?? false,
    // Node checks for requests past their timeout every `connectionsCheckingInterval` (30 s by
    // default): once a second here.
    serverFactory: (handler) =>
      http.createServer({ requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: 1000 }, handler),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors of the server's own (a 500) are logged, as JSON lines on stderr; nothing else is.
    logger: { level: 'error', ...config.logger, stream: process.stderr },
    // Requests that fail before they reach a route answer in the API's error form too.
    clientErrorHandler: clientError,
    frameworkErrors: (error, request, reply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400
      reply.code(status).send({ error: { code: status === 414 ? 'ERR_URL_TOO_LONG' : 'ERR_INVALID_REQUEST', message: error.message } })
    },
  })
  // JSON only, parsed by server/json.js.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    try {
      done(null, parseBody(text))
    } catch (error) {
      done(error)
    }
  })
  const backend = config.redis ? await require('./fleet').fleetBackend(config) : localBackend(config)
  app.addHook('onClose', () => backend.close())
  const metrics = metricsFor(backend)

  app.server.maxConnections = config.maxConnections
  // Behind a proxy every connection comes from the proxy: the cap would limit all clients at once.
  if (!config.trustProxy) limitPerAddress(app.server, config.perAddressConnections)
  const sharing = new Rate(config.sharesPerMinute)
  const refuse = (reply, status, code, message) => reply.code(status).send({ error: { code, message } })
  app.setNotFoundHandler((request, reply) => refuse(reply, 404, 'ERR_NOT_FOUND', `no route ${request.method} ${request.url}`))
  app.setErrorHandler((error, request, reply) => {
    if (error.validation) return refuse(reply, 400, 'ERR_INVALID_REQUEST', error.message)
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(reply, 413, 'ERR_BODY_TOO_LARGE', `the body is larger than ${config.maxBodyBytes} bytes`)
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuse(reply, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json')
    // A body that is not JSON, or holds a `__proto__` key; anything else fastify refuses.
    if (error.statusCode >= 400 && error.statusCode < 500) return refuse(reply, error.statusCode, error.code?.startsWith('ERR_') ? error.code : 'ERR_INVALID_REQUEST', error.message)
    if (error instanceof Unavailable) {
      reply.header('retry-after', String(backend.retryAfter()))
      return refuse(reply, 503, error.code, error.message)
    }
    request.log.error(error)
    return refuse(reply, 500, 'ERR_INTERNAL', 'internal error')
  })

  app.post('/api/run', { schema: { body: schema } }, async (request, reply) => {
    const prepared = runOf(request.body, config.maxima)
    const { options } = prepared
    const key = keyOf(prepared)
    // A result that took longer than this request's timeout is not one it could have had.
    const cached = await backend.results.get(key)
    if (cached !== undefined && cached.ms <= options.limits.timeoutMs) {
      metrics.cache.inc({ result: 'hit' })
      return reply.header('x-cache', 'hit').type('application/json').send(cached.body)
    }
    // A client that goes away cancels its run (queued or running).
    const abort = new AbortController()
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort()
    })
    const started = process.hrtime.bigint()
    let result
    try {
      result = await backend.run(clientOf(request.ip), request.body, abort.signal, prepared)
    } catch (error) {
      if (error instanceof Busy) {
        metrics.refused.inc({ reason: error.reason })
        reply.header('retry-after', String(backend.retryAfter()))
        return refuse(reply, error.reason === 'queue' ? 503 : 429, 'ERR_BUSY', error.message)
      }
      if (abort.signal.aborted) {
        // Gone while it waited for a slot or compiled (a running run resolves as `cancelled`).
        metrics.runs.inc({ outcome: 'cancelled' })
        return reply
      }
      if (CLIENT_ERRORS.has(error.code)) return refuse(reply, 400, error.code, error.message)
      throw error
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    metrics.cache.inc({ result: 'miss' })
    metrics.runs.inc({ outcome: result.outcome })
    metrics.duration.observe(ms / 1000)
    if (result.compileSeconds !== undefined) metrics.compile.observe(result.compileSeconds)
    // The cache is best effort: an answer is not lost because it could not be kept.
    if (CACHEABLE.has(result.outcome)) await backend.results.set(key, { body: result.json, ms }).catch(() => {})
    if (result.worker) reply.header('x-served-by', result.worker)
    return reply.header('x-cache', 'miss').type('application/json').send(result.json)
  })

  app.post('/api/share', { schema: { body: schema } }, async (request, reply) => {
    runOf(request.body, config.maxima) // the same checks as a run's
    const snippet = JSON.stringify(request.body)
    if (Buffer.byteLength(snippet) > config.maxShareBytes) {
      return refuse(reply, 413, 'ERR_SNIPPET_TOO_LARGE', `a shared snippet holds at most ${config.maxShareBytes} bytes`)
    }
    const id = crypto.createHash('sha256').update(snippet).digest('base64url').slice(0, 16)
    if (!sharing.take(clientOf(request.ip))) {
      reply.header('retry-after', '60')
      return refuse(reply, 429, 'ERR_BUSY', `at most ${config.sharesPerMinute} snippets a minute from one client`)
    }
    await backend.shares.set(id, { body: snippet, length: Buffer.byteLength(snippet) })
    return reply.code(201).send({ id })
  })

  app.get('/api/share/:id', async (request, reply) => {
    const snippet = await backend.shares.get(request.params.id)
    if (snippet === undefined) return refuse(reply, 404, 'ERR_NOT_FOUND', 'no snippet with this id (snippets are kept in memory, the least recently used dropped first)')
    return reply.type('application/json').send(snippet.body)
  })

  const page = pageFiles()
  const html = (request, reply) => reply.type('text/html; charset=utf-8').send(page.get('index.html').body)
  app.get('/', html)
  app.get('/p/:id', html)
  // Browsers ask for it whatever the page says.
  app.get('/favicon.ico', (request, reply) => reply.type('image/svg+xml').send(page.get('icon.svg').body))
  app.get('/page/:name', (request, reply) => {
    const file = page.get(request.params.name)
    if (file === undefined) return refuse(reply, 404, 'ERR_NOT_FOUND', `no page file ${request.params.name}`)
    return reply.type(file.type).send(file.body)
  })

  app.get('/openapi.json', async () => require('./openapi').document)
  // On a fleet, ok only while Redis answers (with the number of workers listening).
  app.get('/healthz', async () => ({ ok: true, ...(await backend.health()) }))
  app.get('/metrics', async (request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()))
  return app
}

/**
 * Closes connections from an address that already has `limit` open, so that one client cannot
 * take every one of `maxConnections` (300 idle connections once locked everyone out).
 */
function limitPerAddress(server, limit) {
  const open = new Map()
  server.on('connection', (socket) => {
    const address = clientOf(socket.remoteAddress)
    const count = (open.get(address) ?? 0) + 1
    if (count > limit) return socket.destroy()
    open.set(address, count)
    socket.once('close', () => {
      const left = open.get(address) - 1
      if (left === 0) open.delete(address)
      else open.set(address, left)
    })
  })
}

/** At most `perMinute` of something per client in any minute (a fixed window, reset each minute). */
class Rate {
  constructor(perMinute) {
    this.perMinute = perMinute
    this.counts = new Map()
    this.window = 0
  }

  /** Counts one for `client`; false when it has had its `perMinute` in this minute. */
  take(client) {
    const window = Math.floor(Date.now() / 60_000)
    if (window !== this.window) {
      this.window = window
      this.counts.clear()
    }
    const count = (this.counts.get(client) ?? 0) + 1
    if (count > this.perMinute) return false
    this.counts.set(client, count)
    return true
  }
}

/** Node's HTTP parser refused a request (or it arrived too slowly): answer in the API's form. */
function clientError(error, socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'ERR_REQUEST_TIMEOUT', 'the request took too long to arrive']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'ERR_HEADERS_TOO_LARGE', 'the request line and headers are too large']
        : [400, 'ERR_INVALID_REQUEST', 'the request is not valid HTTP/1.1']
  const body = JSON.stringify({ error: { code, message } })
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${body.length}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`)
  socket.destroy()
}

/** The page's files (server/page/), read once: name -> { type, body }. */
function pageFiles() {
  const fs = require('node:fs')
  const path = require('node:path')
  const script = 'text/javascript; charset=utf-8'
  const types = { '.html': 'text/html; charset=utf-8', '.js': script, '.mjs': script, '.css': 'text/css; charset=utf-8', '.wat': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml' }
  const dir = path.join(__dirname, 'page')
  const files = new Map()
  for (const name of ['index.html', 'page.js', 'words.mjs', 'style.css', 'icon.svg', 'hello.wat', 'sleep.wat', 'editor.bundle.js']) {
    // The editor bundle is built by `npm run build` (scripts/build-page.js) and ships in the package.
    const body = fs.readFileSync(path.join(dir, name))
    files.set(name, { type: types[path.extname(name)], body })
  }
  return files
}

/** The server's Prometheus metrics, in a registry of its own. */
function metricsFor(backend) {
  const registry = new prom.Registry()
  const common = { registers: [registry] }
  return {
    registry,
    runs: new prom.Counter({ name: 'hermetic_wasi_runs_total', help: 'Runs by outcome', labelNames: ['outcome'], ...common }),
    cache: new prom.Counter({ name: 'hermetic_wasi_cache_total', help: 'Result cache lookups', labelNames: ['result'], ...common }),
    refused: new prom.Counter({ name: 'hermetic_wasi_refused_total', help: 'Runs refused: the queue was full, or the client had too many in flight', labelNames: ['reason'], ...common }),
    duration: new prom.Histogram({ name: 'hermetic_wasi_run_seconds', help: 'Wall time of a run request that ran: queueing, compiling and running', buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2, 10], ...common }),
    compile: new prom.Histogram({ name: 'hermetic_wasi_compile_seconds', help: 'Wall time of compiling a program the server (or the worker) did not keep compiled: a compile, or a load from the library\'s caches', buckets: [0.0001, 0.001, 0.01, 0.1, 1, 10, 60], ...common }),
    queue: new prom.Gauge({ name: 'hermetic_wasi_queue_depth', help: 'Runs waiting for a slot', async collect() { this.set((await backend.gauges()).waiting) }, ...common }),
    running: new prom.Gauge({ name: 'hermetic_wasi_runs_running', help: 'Runs running (on the fleet: active jobs)', async collect() { this.set((await backend.gauges()).running) }, ...common }),
  }
}

module.exports = { createApp, DEFAULTS }
