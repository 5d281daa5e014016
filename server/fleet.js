// The fleet: with `--redis URL` the server puts runs on a BullMQ queue and waits for their
// answers, `hermetic-wasi worker` processes run them on any number of machines, and the result
// cache and shared snippets live in Redis. A worker that dies mid-run stops renewing its job's
// lock; BullMQ's stalled-job check hands the job to another worker, and the client still gets
// its answer.
'use strict'

const os = require('node:os')
const { Queue, QueueEvents, Worker } = require('bullmq')
const Redis = require('ioredis')

const { jsonResult } = require('../cli/json')
const { runOf } = require('./body')
const { Busy, Clients, Unavailable, compileAndRun, programStore } = require('./runs')

const QUEUE = 'hermetic-wasi-runs'
const PREFIX = 'hermetic-wasi'

/** How long a job's lock lasts without renewal: a dead worker's job is taken over after it. */
const DEFAULT_LOCK_MS = 10_000

/**
 * Redis connection options from a `redis://[[user]:password@]host[:port][/db]` URL, or
 * `rediss://` for TLS. Messages never show the password.
 */
function connection(url) {
  let parsed
  try {
    parsed = new URL(url)
  } catch {
    throw new Error(`--redis must be a redis:// or rediss:// URL, got '${redact(url)}'`)
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`--redis must be a redis:// or rediss:// URL, got '${redact(url)}'`)
  const db = parsed.pathname.length > 1 ? parsed.pathname.slice(1) : '0'
  if (!/^[0-9]{1,5}$/.test(db)) throw new Error(`--redis: the database must be a number, got '${db}' in '${redact(url)}'`)
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number(db),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
    maxRetriesPerRequest: null,
    // Reconnect every second at most, not BullMQ's backoff (up to 20 s): a fleet is back as
    // soon as its Redis is.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  }
}

/** `url` with its password (after the user name's `:`, up to the last `@`) replaced by `***`. */
const redact = (url) => {
  const text = String(url)
  const found = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^/?#]*@/i.exec(text)
  if (found) return `${found[1]}***@${text.slice(found[0].length)}`
  return text.replace(/:[^/?#]*@/, ':***@')
}

/** How long the server waits for Redis at start, and for a job's answer, unless told otherwise. */
const CONNECT_MS = 10_000
const DEFAULT_ANSWER_MS = 60_000

/**
 * The server's side: a backend (see local.js) on Redis. While Redis is unreachable, every
 * operation fails at once with `Unavailable` (a 503) instead of waiting for it to come back,
 * and a job's answer is awaited at most `config.answerMs`.
 */
async function fleetBackend(config) {
  const redis = connection(config.redis)
  // Commands fail at once while the connection is down (BullMQ's advice for producers); only
  // the blocking reader of the queue's events keeps waiting for Redis.
  const failFast = { ...redis, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
  const queue = new Queue(QUEUE, { connection: failFast, prefix: PREFIX })
  const events = new QueueEvents(QUEUE, { connection: redis, prefix: PREFIX })
  // The result cache and the snippets, on a connection of their own.
  const client = new Redis(failFast)
  // Connection errors reach the operations that fail; without listeners each retry is printed.
  // The last one is told if Redis cannot be reached at start (a wrong password, say).
  let last
  for (const side of [queue, events, client]) side.on('error', (error) => (last = error))
  let timer
  const unreachable = new Promise((resolve, reject) => {
    const why = () => (last ? ` (${last.message})` : '')
    timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${redact(config.redis)} within ${CONNECT_MS / 1000} s${why()}`)), CONNECT_MS)
  })
  const ready = new Promise((resolve) => client.once('ready', resolve))
  try {
    await Promise.race([Promise.all([queue.waitUntilReady(), events.waitUntilReady(), ready]), unreachable])
  } catch (error) {
    // Not awaited: closing waits for a connection that never came.
    for (const side of [events, queue]) side.disconnect().catch(() => {})
    client.disconnect()
    throw error
  } finally {
    clearTimeout(timer)
  }
  const answerMs = config.answerMs ?? DEFAULT_ANSWER_MS
  const clients = new Clients(config.perClient)
  /** `promise`, with a Redis failure turned into `Unavailable`. */
  const redisCall = (promise) =>
    promise.catch((error) => {
      // Redis answers, but writes nothing more (its maxmemory, under noeviction).
      if (/^OOM /.test(error.message)) throw new Unavailable('Redis is out of memory: it refuses writes until it has room')
      throw new Unavailable(`Redis is unreachable: ${error.message}`)
    })
  /** How many jobs wait before `job` in the queue's wait list (new jobs enter on the left). */
  const ahead = async (job) => {
    const [[, length], [, at]] = await redisCall(client.multi().llen(queue.keys.wait).lpos(queue.keys.wait, job.id).exec())
    return at === null ? 0 : length - at - 1
  }
  /**
   * How many workers listen on the queue, looked up at most once a second; undefined when
   * Redis does not say (CLIENT LIST may be refused to the server's user).
   */
  let known = { at: 0, count: undefined }
  const workers = async () => {
    if (Date.now() - known.at < 1000) return known.count
    const count = await queue.getWorkersCount().catch(() => undefined)
    known = { at: Date.now(), count }
    return count
  }
  /**
   * How full Redis's memory is, 0 to 1 (0 without a `maxmemory`), looked up at most once a
   * second. Redis runs with `noeviction` (BullMQ's queue needs it), so the cache and snippets
   * must leave the queue room: results are kept only while Redis is under half full, snippets
   * under 80%, and /healthz fails past 95%.
   */
  let memory = { at: 0, full: 0 }
  const fullness = async () => {
    if (Date.now() - memory.at < 1000) return memory.full
    const info = await redisCall(client.info('memory'))
    const number = (name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0)
    const max = number('maxmemory')
    memory = { at: Date.now(), full: max > 0 ? number('used_memory') / max : 0 }
    return memory.full
  }
  const store = (kind, seconds, room) => ({
    get: async (key) => {
      const value = await redisCall(client.get(`${PREFIX}:${kind}:${key}`))
      return value === null ? undefined : JSON.parse(value)
    },
    set: async (key, value) => {
      if ((await fullness()) >= room) throw new Unavailable(`Redis is ${Math.round(memory.full * 100)}% full: no more ${kind}s are kept until it has room`)
      return redisCall(client.set(`${PREFIX}:${kind}:${key}`, JSON.stringify(value), 'EX', seconds))
    },
  })
  return {
    async run(client, body, signal) {
      // Taken before the first await, so that concurrent requests cannot all pass the check.
      const giveBack = clients.take(client)
      try {
        if ((await workers()) === 0) throw new Unavailable('no worker is listening on the queue')
        // A job and its body leave Redis a minute after they end: its client has its answer.
        const job = await redisCall(queue.add('run', { body, maxima: config.maxima }, { removeOnComplete: { age: 60 }, removeOnFail: { age: 60 } }))
        // Counted after adding, by the job's place in the queue: with a count before adding,
        // requests arriving together all saw room (40 at once left 30 waiting with a queue of 5).
        if ((await ahead(job)) >= config.queue && (await job.remove().then(() => true, () => false))) throw new Busy('queue')
        // A client that goes away, or stops waiting, takes its job off the queue if no worker
        // has it yet (a job a worker holds cannot be removed, and runs to its end).
        const withdraw = () => job.remove().catch(() => {})
        signal.addEventListener('abort', withdraw, { once: true })
        const gone = new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
        let answer
        try {
          answer = await Promise.race([job.waitUntilFinished(events, answerMs), gone])
        } catch (error) {
          if (signal.aborted) throw error
          withdraw()
          if (/timed out before finishing/.test(error.message)) throw new Unavailable(`no worker answered within ${answerMs / 1000} s`)
          throw error
        }
        // A job whose answer Redis dropped (evicted under memory pressure) has none.
        if (answer === null || typeof answer !== 'object') throw new Unavailable('the job\'s answer was lost in Redis')
        if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code })
        return answer
      } finally {
        giveBack()
      }
    },
    // Results for a day, snippets for a month; Redis's own memory policy bounds the rest.
    results: store('result', 24 * 3600, 0.5),
    shares: store('share', 30 * 24 * 3600, 0.8),
    retryAfter: () => Math.max(1, Math.ceil(config.maxima.timeoutMs / 1000)),
    gauges: async () => {
      try {
        return { waiting: await queue.getWaitingCount(), running: await queue.getActiveCount() }
      } catch {
        return { waiting: NaN, running: NaN }
      }
    },
    /** What /healthz says: Redis answers, and how many workers listen on the queue. */
    health: async () => {
      await redisCall(client.ping())
      memory.at = 0
      if ((await fullness()) >= 0.95) throw new Unavailable(`Redis is ${Math.round(memory.full * 100)}% full`)
      known.at = 0
      const count = await workers()
      if (count === 0) throw new Unavailable('no worker is listening on the queue')
      return { redis: 'ok', workers: count ?? null }
    },
    close: async () => {
      await events.close()
      await queue.close()
      client.disconnect()
    },
  }
}

/** A worker: runs jobs from the queue at `url`, `concurrency` at a time, until closed. */
function startWorker(url, { concurrency = os.availableParallelism(), lockMs = DEFAULT_LOCK_MS } = {}) {
  const name = `${os.hostname()}:${process.pid}`
  const programs = programStore()
  const worker = new Worker(
    QUEUE,
    async (job) => {
      const { body, maxima } = job.data
      try {
        const prepared = runOf(body, maxima)
        const { result, compileSeconds } = await compileAndRun(programs, prepared)
        return { json: JSON.stringify(jsonResult(result, prepared.hasFiles)), outcome: result.outcome, compileSeconds, worker: name }
      } catch (error) {
        if (typeof error.code === 'string' && error.code.startsWith('ERR_')) return { error: { code: error.code, message: error.message } }
        throw error
      }
    },
    { connection: connection(url), prefix: PREFIX, concurrency, lockDuration: lockMs, stalledInterval: Math.max(500, lockMs / 2), maxStalledCount: 3, name },
  )
  return { worker, name }
}

module.exports = { fleetBackend, startWorker, connection, redact, DEFAULT_ANSWER_MS }
