// `hermetic-wasi worker`: runs the fleet's jobs (server/fleet.js) from a queue in Redis.
'use strict'

const { flags } = require('./flags')

const USAGE = `Usage: hermetic-wasi worker --redis URL [options]

Runs the programs that 'hermetic-wasi serve --redis URL' puts on its queue in Redis, any number
of workers on any number of machines. A worker that dies mid-run has its job taken over by
another once the job's lock expires.

Options:
  --redis URL            the queue's Redis (redis://[:password@]host[:port][/db])
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
  if (values.redis === undefined) throw new UsageError('worker: --redis URL is required')
  const concurrency = integer('concurrency', 1)
  const lockMs = integer('lock-ms', 1000)
  const { connection, startWorker } = require('../server/fleet')
  try {
    connection(values.redis)
  } catch (error) {
    throw new UsageError(error.message)
  }
  const size = concurrency ?? require('node:os').availableParallelism()
  if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, size + 2))
  const { worker: running, name } = startWorker(values.redis, { concurrency, lockMs })
  running.on('error', (error) => process.stderr.write(`hermetic-wasi worker: ${error.message}\n`))
  await running.waitUntilReady()
  process.stderr.write(`hermetic-wasi worker ${name}: ready, ${size} at a time\n`)
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => running.close())
  return undefined
}

module.exports = { worker }
