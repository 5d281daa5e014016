// A bounded least-recently-used map: at most `entries` values and `bytes` of them (each value's
// `length`) together. A value larger than `bytes` alone is not kept: it would flush every other.
'use strict'

class Lru {
  constructor({ entries, bytes }) {
    this.maxEntries = entries
    this.maxBytes = bytes
    this.map = new Map()
    this.bytes = 0
  }

  get(key) {
    const value = this.map.get(key)
    if (value === undefined) return undefined
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }

  set(key, value) {
    if (this.maxEntries === 0) return
    const old = this.map.get(key)
    if (old !== undefined) {
      this.bytes -= old.length
      this.map.delete(key)
    }
    if (value.length > this.maxBytes) return
    this.map.set(key, value)
    this.bytes += value.length
    for (const [oldest, held] of this.map) {
      if (this.map.size <= this.maxEntries && this.bytes <= this.maxBytes) break
      this.map.delete(oldest)
      this.bytes -= held.length
    }
  }

  get size() {
    return this.map.size
  }
}

module.exports = { Lru }
