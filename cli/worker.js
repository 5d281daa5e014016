// `hermetic-wasi worker`: runs the fleet's jobs (server/fleet.js) from a queue in Redis.
'use strict'

const { flags } = require('./flags')

const USAGE = `Usage: hermetic-wasi worker --redis URL [options]

Runs the programs that 'hermetic-wasi serve --redis URL' puts on its queue in Redis, any number
of workers on any number of machines. A worker that dies mid-run has its job taken over by
another once the job's lock expires.

Options:
  --redis URL            the queue's Redis (redis://[[user]:password@]host[:port][/db],
                         rediss:// for TLS); or set HERMETIC_WASI_REDIS_URL, which keeps a
                         password out of the process list
  --concurrency N        runs at once (default: the number of cores)
  --lock-ms MS           how long a job's lock lasts without renewal: how soon another worker
                         takes over a dead one's job (default: 10000)
  -h, --help             show this help
`

const OPTIONS = {
  redis: { type: 'string' },
  concurrency: { type: 'string' },
  'lock-ms': { type: 'string' },
}

async function worker(argv, UsageError) {
  const { values, integer } = flags('worker', argv, OPTIONS, UsageError)
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const url = values.redis ?? process.env.HERMETIC_WASI_REDIS_URL
  if (url === undefined) throw new UsageError('worker: --redis URL (or HERMETIC_WASI_REDIS_URL) is required')
  const concurrency = integer('concurrency', 1)
  const lockMs = integer('lock-ms', 1000)
  const { connection, startWorker, redact } = require('../server/fleet')
  try {
    connection(url)
  } catch (error) {
    throw new UsageError(error.message)
  }
  const size = concurrency ?? require('node:os').availableParallelism()
  if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, size + 2))
  const { worker: running, name } = startWorker(url, { concurrency, lockMs })
  let last
  running.on('error', (error) => {
    last = error
    process.stderr.write(`hermetic-wasi worker: ${error.message}\n`)
  })
  // Like the server: a worker that cannot reach Redis when it starts gives up after 10 s.
  let timer
  const gaveUp = new Promise((resolve) => (timer = setTimeout(resolve, 10_000, 'timeout')))
  if ((await Promise.race([running.waitUntilReady(), gaveUp])) === 'timeout') {
    process.stderr.write(`hermetic-wasi worker: cannot reach Redis at ${redact(url)} within 10 s${last ? ` (${last.message})` : ''}\n`)
    process.exit(1)
  }
  clearTimeout(timer)
  process.stderr.write(`hermetic-wasi worker ${name}: ready, ${size} at a time\n`)
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => running.close())
  return undefined
}

module.exports = { worker }
