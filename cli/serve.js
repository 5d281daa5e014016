// `hermetic-wasi serve`: the playground server (server/app.js), on one machine or, with
// --redis, in front of a fleet of `hermetic-wasi worker` processes.
'use strict'

const { flags } = require('./flags')

const USAGE = `Usage: hermetic-wasi serve [options]

Serves the playground over HTTP: the page at /, and POST /api/run, POST /api/share,
GET /api/share/<id>, GET /healthz, GET /metrics. Results that depend only on their inputs are
cached.

Options:
  --host HOST            address to listen on (default: 127.0.0.1)
  --port PORT            port to listen on, 0 for any free one (default: 8080)
  --concurrency N        runs at once (default: the number of cores)
  --queue N              runs waiting behind them; past it, 503 with Retry-After (default: 64)
  --per-client N         runs in flight per client address; past it, 429 (default: 4)
  --max-body BYTES       largest request body; past it, 413 (default: 4194304)
  --max-connections N    open connections at most (default: 256)
  --per-address N        open connections per client address (an IPv6 /64 counts as one) at
                         most (default: 32; none behind --trust-proxy)
  --request-timeout MS   time a request may take to arrive, body included (default: 10000)
  --trust-proxy PROXIES  behind proxies you run: their addresses (comma-separated; CIDR ranges
                         and loopback, linklocal, uniquelocal too). The client is then the
                         last address in X-Forwarded-For that is not a trusted proxy's; without
                         it, every client behind a proxy shares one --per-client limit
  --max-timeout MS       the most wall time a run may have (default: 5000)
  --max-memory BYTES     the most memory (default: 67108864)
  --max-output BYTES     the most output (default: 1048576)
  --max-fs-bytes BYTES   the most filesystem (default: 16777216)
  --cache-entries N      results kept in memory, 0 for none (default: 1000)
  --shares-per-minute N  snippets one client may share a minute; past it, 429 (default: 30)
  --redis URL            run on a fleet: put runs on a queue in Redis for 'hermetic-wasi worker'
                         processes, and keep results and shared snippets there
                         (redis://[[user]:password@]host[:port][/db], rediss:// for TLS); or
                         set HERMETIC_WASI_REDIS_URL, which keeps a password out of the
                         process list
  --answer-timeout MS    with --redis, how long a run may wait for a worker's answer, queueing
                         included; past it, 503; longer than --max-timeout (default: 60000)
  --log LEVEL            what to log as JSON lines on stderr: error (the server's own errors,
                         the default), info (every request too), or silent
  -h, --help             show this help
`

const OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8080' },
  concurrency: { type: 'string' },
  queue: { type: 'string' },
  'per-client': { type: 'string' },
  'max-body': { type: 'string' },
  'max-connections': { type: 'string' },
  'per-address': { type: 'string' },
  'request-timeout': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'shares-per-minute': { type: 'string' },
  'max-timeout': { type: 'string' },
  'max-memory': { type: 'string' },
  'max-output': { type: 'string' },
  'max-fs-bytes': { type: 'string' },
  'cache-entries': { type: 'string' },
  redis: { type: 'string' },
  'answer-timeout': { type: 'string' },
  log: { type: 'string', default: 'error' },
}

const LOG_LEVELS = ['error', 'info', 'silent']

/** Starts the server; resolves once it listens (and the process then lives until stopped). */
async function serve(argv, UsageError) {
  const { values, integer } = flags('serve', argv, OPTIONS, UsageError)
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const settings = {
    concurrency: integer('concurrency', 1),
    queue: integer('queue', 0),
    perClient: integer('per-client', 1),
    maxBodyBytes: integer('max-body', 1024),
    maxConnections: integer('max-connections', 1),
    perAddressConnections: integer('per-address', 1),
    requestTimeoutMs: integer('request-timeout', 1),
    trustProxy: proxies(values['trust-proxy'], UsageError),
    sharesPerMinute: integer('shares-per-minute', 1),
    redis: values.redis ?? process.env.HERMETIC_WASI_REDIS_URL,
    answerMs: integer('answer-timeout', 1),
    cacheEntries: integer('cache-entries', 0),
    maxima: {
      timeoutMs: integer('max-timeout', 1),
      memoryBytes: integer('max-memory', 65536),
      outputBytes: integer('max-output', 0),
      fsBytes: integer('max-fs-bytes', 0),
    },
  }
  const port = integer('port', 0, 65535)
  if (!LOG_LEVELS.includes(values.log)) throw new UsageError(`serve: --log must be one of ${LOG_LEVELS.join(', ')}, got '${values.log}'`)
  settings.logger = { level: values.log }
  const { DEFAULTS, createApp } = require('../server/app')
  if (settings.redis !== undefined) {
    try {
      require('../server/fleet').connection(settings.redis)
    } catch (error) {
      throw new UsageError(`serve: ${error.message}`)
    }
    const answerMs = settings.answerMs ?? require('../server/fleet').DEFAULT_ANSWER_MS
    const timeoutMs = settings.maxima.timeoutMs ?? DEFAULTS.maxima.timeoutMs
    // A run that may take --max-timeout must be able to wait at least that long for its answer.
    if (answerMs <= timeoutMs) throw new UsageError(`serve: --answer-timeout (${answerMs} ms) must be longer than --max-timeout (${timeoutMs} ms)`)
  }
  const drop = (object) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined))
  settings.maxima = drop(settings.maxima)
  // Runs go to libuv's thread pool, 4 threads unless told otherwise: make room for every run
  // allowed at once. The pool starts with its first task, so this takes effect now.
  const concurrency = settings.concurrency ?? DEFAULTS.concurrency
  if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, concurrency + 2))
  let app
  try {
    app = await createApp(drop(settings))
  } catch (error) {
    // Redis's client may keep retrying in the background: nothing else is left to do.
    process.stderr.write(`hermetic-wasi serve: ${error.message}\n`)
    process.exit(1)
  }
  let address
  try {
    address = await app.listen({ host: values.host, port })
  } catch (error) {
    process.stderr.write(`hermetic-wasi serve: cannot listen on ${values.host} port ${port}: ${error.message}\n`)
    await app.close()
    process.exit(1)
  }
  if (values.log !== 'silent') process.stderr.write(`hermetic-wasi serve: listening on ${address}\n`)
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close())
  return undefined
}

/**
 * fastify's `trustProxy` from --trust-proxy: the proxies' addresses. (A number of hops is not
 * offered: it cannot tell a proxy from a client that writes its own X-Forwarded-For, and
 * fastify refuses it.)
 */
function proxies(text, UsageError) {
  if (text === undefined) return undefined
  const addresses = text.split(',').map((part) => part.trim())
  const net = require('node:net')
  for (const address of addresses) {
    const [ip, bits] = address.split('/')
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(address)
    const width = net.isIP(ip) === 6 ? 128 : 32
    if (!named && (net.isIP(ip) === 0 || (bits !== undefined && !(/^[0-9]{1,3}$/.test(bits) && Number(bits) <= width)))) {
      throw new UsageError(`serve: --trust-proxy must be the proxies' addresses (10.0.0.1,10.1.0.0/16,loopback), got '${text}'`)
    }
  }
  return addresses.join(',')
}

module.exports = { serve }
