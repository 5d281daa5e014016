// The JS halves of the binding's hot path, compiled once per JS environment (glue.rs).
//
// Through napi, reading the options of a run costs one interned name and one lookup per option,
// and building its result one per field plus a Node Buffer (an ArrayBuffer of its own) per
// stream: with `{ args: [] }`, about 4 µs of a warm hello's 19. Here V8's inline caches read
// the options, an object literal builds the result, and short output lands in Node's pool of
// small Buffers: the two sides together cost about 1 µs. Nothing is decided
// here: Rust converts and checks every option and words every error; these functions only
// move values across.
;(function (outcomeNames) {
  'use strict'
  // Builtins are taken once, and arrays filled by index: what the host's other code does to
  // `Array.prototype` or the globals later changes nothing here.
  const bufferFrom = Buffer.from
  const toBigInt = BigInt
  const apply = Reflect.apply
  const subarray = Uint8Array.prototype.subarray
  const then = Promise.prototype.then
  const hasOwn = Object.hasOwn
  // napi can reject a promise with an object only: a thrown primitive travels boxed in one.
  const BOXED = Symbol('thrown')
  const isObject = (value) => (typeof value === 'object' && value !== null) || typeof value === 'function'
  // A stream's Buffer: from a Latin-1 string (one character per byte), copied into Node's pool
  // of small Buffers, or over an ArrayBuffer of its own. An empty one is a view of one shared
  // empty ArrayBuffer: it has no bytes to share.
  const EMPTY = new ArrayBuffer(0)
  function streamBuffer(bytes) {
    if (typeof bytes !== 'string') return bufferFrom(bytes)
    return bytes.length === 0 ? bufferFrom(EMPTY, 0, 0) : bufferFrom(bytes, 'latin1')
  }

  // The events of a result: each one's data is a view of `stdout` or `stderr`, right after the
  // previous event's of the same stream.
  function outputEvents(triples, stdout, stderr) {
    const events = []
    let atOut = 0
    let atErr = 0
    for (let i = 0; i < triples.length; i += 3) {
      const length = Number(triples[i + 1])
      let event
      if (triples[i] === 0n) {
        event = { stream: 'stdout', data: apply(subarray, stdout, [atOut, (atOut += length)]), timeNs: triples[i + 2] }
      } else {
        event = { stream: 'stderr', data: apply(subarray, stderr, [atErr, (atErr += length)]), timeNs: triples[i + 2] }
      }
      events[events.length] = event
    }
    return events
  }

  return {
    // Live output of an async run (live.rs): `deliver` builds an event, calls the caller's
    // `onOutput` with it and says whether it returned; `failure` returns [what it threw], or
    // undefined if it never threw.
    live(onOutput) {
      let failure
      const deliver = (stream, bytes, timeNs) => {
        const event = { stream: stream === 0 ? 'stdout' : 'stderr', data: streamBuffer(bytes), timeNs: toBigInt(timeNs) }
        try {
          apply(onOutput, undefined, [event])
          return true
        } catch (error) {
          failure = [error]
          return false
        }
      }
      return [deliver, () => failure]
    },
    // The promise of a run whose `onOutput` threw rejects with that exception, the result
    // attached as `result` to an object that takes it.
    failed(error, result) {
      try {
        if (isObject(error)) error.result = result
      } catch {}
      return error
    },
    // `value` as napi may reject with it: itself if it is an object, else boxed.
    rejection(value) {
      return isObject(value) ? value : { [BOXED]: value }
    },
    // The promise an async call returns: the native one, with a boxed rejection unboxed.
    unboxing(promise) {
      return apply(then, promise, [undefined, (error) => {
        throw isObject(error) && hasOwn(error, BOXED) ? error[BOXED] : error
      }])
    },
    // What the threadsafe function that wakes the JS thread calls.
    noop() {},
    // The options of a run that are set (neither undefined nor null), read in the order
    // `options.rs` takes them: a mask of which ones (bit i for the i-th), then their values.
    options(o) {
      const set = [0]
      const add = (bit, value) => {
        if (value != null) {
          set[0] |= bit
          set[set.length] = value
        }
      }
      add(1, o.args)
      add(2, o.programName)
      add(4, o.env)
      add(8, o.stdin)
      add(16, o.seed)
      add(32, o.startTime)
      add(64, o.files)
      add(128, o.limits)
      add(256, o.cacheDir)
      add(512, o.events)
      add(1024, o.onOutput)
      return set
    },
    // A run's result. `outcome` indexes `outcomeNames`; each stream's bytes are a Latin-1 string
    // or an ArrayBuffer (see `streamBuffer`); `virtualTimeNs` is a number or, past 2^53, a
    // bigint.
    // `events`, when kept, is a BigUint64Array of (channel, length, time) triples.
    result(outcome, exitCode, stdoutBytes, stderrBytes, virtualTimeNs, files, fuelConsumed, trap, events) {
      const stdout = streamBuffer(stdoutBytes)
      const stderr = streamBuffer(stderrBytes)
      const result = {
        outcome: outcomeNames[outcome],
        exitCode,
        stdout,
        stderr,
        virtualTimeNs: toBigInt(virtualTimeNs),
        files: files === undefined ? {} : files,
      }
      if (events !== undefined) result.events = outputEvents(events, stdout, stderr)
      if (fuelConsumed !== undefined) result.fuelConsumed = fuelConsumed
      if (trap !== undefined) result.trap = trap
      return result
    },
  }
})
