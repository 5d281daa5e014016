// At most `concurrency` runs at once on the thread pool, a bounded queue of waiting runs behind
// them, and at most `perClient` runs in flight (running or queued) per client. A run whose signal
// aborts while it waits leaves the queue; one that aborts while compiling or running is stopped
// by the library itself.
'use strict'

const { Program } = require('..')
const { programKeyOf } = require('./body')
const { Lru } = require('./lru')

/**
 * Programs kept compiled. Few: a kept program's memory (up to the library's per-program caps)
 * lies outside the library's own bounded cache, and one 1.5 KB request can make a program
 * that holds 384 MB. Two keep a playground's repeated program warm.
 */
const PROGRAMS = 2

/**
 * Runs the program of `prepared` (what `runOf` gave) on the thread pool, compiled there first
 * unless `programs` (an Lru) keeps it: resolves to `{ result, compileSeconds }`, the latter
 * undefined when the program was kept. Compiling and running share `timeoutMs`; a compile past
 * it is `ERR_COMPILE_LIMIT`. A compile cannot be aborted: a run whose signal aborted meanwhile
 * ends `cancelled`.
 */
async function compileAndRun(programs, prepared, signal) {
  const { wasm, options } = prepared
  const key = programKeyOf(prepared)
  const kept = programs.get(key)
  if (kept !== undefined) return { result: await kept.program.runAsync(options, signal), compileSeconds: undefined }
  const started = process.hrtime.bigint()
  const { timeoutMs } = options.limits
  const program = await Program.compileAsync(wasm, { timeoutMs }, signal)
  const compileSeconds = Number(process.hrtime.bigint() - started) / 1e9
  programs.set(key, { program, length: 0 })
  const left = Math.max(1, Math.floor(timeoutMs - compileSeconds * 1000))
  const result = await program.runAsync({ ...options, limits: { ...options.limits, timeoutMs: left } }, signal)
  return { result, compileSeconds }
}

/** An empty store of compiled programs for `compileAndRun`. */
const programStore = () => new Lru({ entries: PROGRAMS, bytes: Infinity })

/** Why a run was not accepted: `reason` is 'queue' (the server is full) or 'client'. */
class Busy extends Error {
  constructor(reason) {
    super(reason === 'queue' ? 'the server is busy: too many runs are waiting' : 'too many runs in flight from this client')
    this.reason = reason
  }
}

/** Runs in flight per client, at most `limit` each (the server's and the fleet's). */
class Clients {
  constructor(limit) {
    this.limit = limit
    this.held = new Map()
  }

  /** Takes one of `client`'s slots, or throws `Busy('client')`; returns what gives it back. */
  take(client) {
    const held = this.held.get(client) ?? 0
    if (held >= this.limit) throw new Busy('client')
    this.held.set(client, held + 1)
    return () => {
      const left = this.held.get(client) - 1
      if (left === 0) this.held.delete(client)
      else this.held.set(client, left)
    }
  }
}

/** The fleet could not answer: Redis is unreachable, or no worker answered in time. */
class Unavailable extends Error {
  constructor(message) {
    super(message)
    this.code = 'ERR_UNAVAILABLE'
  }
}

class Runs {
  constructor({ concurrency, queue, perClient }) {
    this.concurrency = concurrency
    this.queueLimit = queue
    this.running = 0
    this.waiting = []
    this.clients = new Clients(perClient)
    this.programs = programStore()
  }

  /** Runs `prepared` (what `runOf` gave) for `client` when a slot is free: see `compileAndRun`. */
  async run(client, prepared, signal) {
    const giveBack = this.clients.take(client)
    try {
      if (this.running >= this.concurrency && this.waiting.length >= this.queueLimit) throw new Busy('queue')
      if (this.running >= this.concurrency) await this.slot(signal)
      else this.running++
      try {
        return await compileAndRun(this.programs, prepared, signal)
      } finally {
        this.release()
      }
    } finally {
      giveBack()
    }
  }

  /** Waits for a running run to end; its slot is handed over, so `running` stays the same. */
  slot(signal) {
    return new Promise((resolve, reject) => {
      const waiter = { resolve }
      this.waiting.push(waiter)
      signal?.addEventListener('abort', () => {
        const at = this.waiting.indexOf(waiter)
        if (at < 0) return
        this.waiting.splice(at, 1)
        reject(signal.reason)
      }, { once: true })
    })
  }

  /**
   * How long a refused client should wait, in seconds: until the runs ahead of it are done, each
   * taking at most `timeoutMs`.
   */
  retryAfterSeconds(timeoutMs) {
    const rounds = Math.ceil((this.running + this.waiting.length + 1) / this.concurrency)
    return Math.max(1, Math.ceil((rounds * timeoutMs) / 1000))
  }

  release() {
    const next = this.waiting.shift()
    if (next) next.resolve()
    else this.running--
  }
}

module.exports = { Runs, Busy, Clients, Unavailable, compileAndRun, programStore }
