// The one-machine backend of the server: runs on this process's thread pool through `Runs`,
// results and shared snippets in bounded in-memory LRUs.
'use strict'

const { jsonResult } = require('../cli/json')
const { runOf } = require('./body')
const { Lru } = require('./lru')
const { Runs } = require('./runs')

/**
 * A backend: `run(client, body, signal, prepared)` (`prepared`: what `runOf(body)` gave, which
 * a backend running here uses as it is) resolves to `{ json, outcome, compileSeconds }` (the
 * answer's body, the run's outcome, and how long compiling took, undefined when the
 * program was kept compiled) or rejects with `Busy`, a library error (with its `code`), or the signal's
 * reason; `results` and `shares` are stores of `{ body, ms }` and strings; `retryAfter()` and
 * `gauges()` feed the answers and the metrics, `health()` /healthz.
 */
function localBackend(config) {
  const runs = new Runs(config)
  const results = new Lru({ entries: config.cacheEntries, bytes: config.cacheBytes })
  const shares = new Lru({ entries: config.shareEntries, bytes: config.shareBytes })
  return {
    async run(client, body, signal, prepared = runOf(body, config.maxima)) {
      const { result, compileSeconds } = await runs.run(client, prepared, signal)
      return { json: JSON.stringify(jsonResult(result, prepared.hasFiles)), outcome: result.outcome, compileSeconds }
    },
    results: {
      get: async (key) => results.get(key),
      set: async (key, value) => results.set(key, { ...value, length: Buffer.byteLength(value.body) }),
    },
    shares: {
      get: async (id) => shares.get(id),
      set: async (id, snippet) => shares.set(id, snippet),
    },
    retryAfter: () => runs.retryAfterSeconds(config.maxima.timeoutMs),
    gauges: async () => ({ waiting: runs.waiting.length, running: runs.running }),
    health: async () => ({}),
    close: async () => {},
  }
}

module.exports = { localBackend }
