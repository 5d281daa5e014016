// The JS halves of the binding's hot path, compiled once per JS environment (glue.rs).
//
// Through napi, reading the options of a run costs one interned name and one lookup per option,
// and building its result one per field plus a Node Buffer (an ArrayBuffer of its own) per
// stream: with `{ args: [] }`, about 4 µs of a warm hello's 19. Here V8's inline caches read
// the options, an object literal builds the result, and short output lands in Node's pool of
// small Buffers: the two sides together cost about 1 µs. Nothing is decided here: Rust converts
// and checks every option and words every error; these functions only move values across.
//
// Builtins are taken once, when the first run compiles this, and every array and object is
// made by a literal, `Array.from` or a spread, never filled by assignment: setters the host's
// other code puts on `Array.prototype` or `Object.prototype` are never called.
;(function (namesJson, exiting) {
  'use strict'
  // The outcomes' names, and the names `options` and `limits` take (any other key is a mistake).
  const { outcomes: outcomeNames, options: OPTION_NAMES, limits: LIMIT_NAMES } = JSON.parse(namesJson)
  const bufferFrom = Buffer.from
  const toBigInt = BigInt
  const apply = Reflect.apply
  const arrayFrom = Array.from
  const then = Promise.prototype.then
  const resolve = Promise.resolve.bind(Promise)
  // A Uint8Array of any realm (a `vm` context's too).
  const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get
  const isUint8Array = (value) => apply(typedArrayTag, value, []) === 'Uint8Array'
  const asyncIterator = Symbol.asyncIterator
  const objectKeys = Object.keys
  const includes = Array.prototype.includes
  const tagOf = Object.prototype.toString
  const isArray = Array.isArray
  // The first own enumerable key of `object` not in `names`, or undefined.
  function unknownKey(object, names) {
    const keys = objectKeys(object)
    for (let i = 0; i < keys.length; i++) if (!apply(includes, names, [keys[i]])) return keys[i]
    return undefined
  }
  // Whether `value` is an object but not a plain one (a Map, a Set, a Date...; arrays and
  // functions are refused by Rust as they are).
  const isStrangeObject = (value) => typeof value === 'object' && value !== null && apply(tagOf, value, []) !== '[object Object]' && !isArray(value)
  const immediately = setImmediate
  // napi can reject a promise with an object only: a thrown primitive travels boxed in one,
  // known by this set (a thrown Proxy's traps never run).
  const boxes = new WeakSet()
  const isBox = (value) => apply(WeakSet.prototype.has, boxes, [value])
  const isObject = (value) => (typeof value === 'object' && value !== null) || typeof value === 'function'
  // A stream's Buffer: from a Latin-1 string (one character per byte), copied into Node's pool
  // of small Buffers, or over an ArrayBuffer of its own. An empty one is a view of one shared
  // empty ArrayBuffer: it has no bytes to share.
  const EMPTY = new ArrayBuffer(0)
  function streamBuffer(bytes) {
    if (typeof bytes !== 'string') return bufferFrom(bytes)
    return bytes.length === 0 ? bufferFrom(EMPTY, 0, 0) : bufferFrom(bytes, 'latin1')
  }
  // A view of `length` bytes of `buffer` from `offset`, a Buffer whatever `Buffer[Symbol.species]`.
  const view = (buffer, offset, length) => bufferFrom(buffer.buffer, buffer.byteOffset + offset, length)

  // The events of a result: each one's data is a view of `stdout` or `stderr`, right after the
  // previous event's of the same stream.
  function outputEvents(triples, stdout, stderr) {
    let atOut = 0
    let atErr = 0
    return arrayFrom({ length: triples.length / 3 }, (_, i) => {
      const length = Number(triples[3 * i + 1])
      const timeNs = triples[3 * i + 2]
      if (triples[3 * i] === 0n) {
        atOut += length
        return { stream: 'stdout', data: view(stdout, atOut - length, length), timeNs }
      }
      atErr += length
      return { stream: 'stderr', data: view(stderr, atErr - length, length), timeNs }
    })
  }

  // A run in flight is cancelled when its process (or worker) exits, so that the exit does not
  // wait for it: Node joins the thread pool before it ends.
  if (typeof process === 'object' && process !== null && typeof process.once === 'function') {
    process.once('exit', exiting)
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
      if (isObject(value)) return value
      const box = { value }
      apply(WeakSet.prototype.add, boxes, [box])
      return box
    },
    // The promise an async call returns: the native one, with a boxed rejection unboxed.
    unboxing(promise) {
      return apply(then, promise, [
        undefined,
        (error) => {
          throw isBox(error) ? error.value : error
        },
      ])
    },
    // What the threadsafe function that wakes the JS thread calls.
    noop() {},
    // The async iterator of an interactive `stdin` (an async iterable, a ReadableStream), or
    // undefined for anything else.
    iterate(value) {
      if (!isObject(value)) return undefined
      const method = value[asyncIterator]
      return typeof method === 'function' ? apply(method, value, []) : undefined
    },
    // For interactive stdin (input.rs): `pull` hands the iterator's next chunk to `supply` (a
    // string as UTF-8), its end to `end`, and what it throws, or a chunk of another type, to
    // `fail`; `close` ends the iteration early.
    puller(iterator, supply, end, fail) {
      let done = false
      const take = (step) => {
        if (done) return
        try {
          if (!isObject(step)) throw new TypeError('options.stdin: the iterator result is not an object')
          if (step.done) {
            done = true
            return end()
          }
          const value = step.value
          if (typeof value === 'string') return supply(bufferFrom(value, 'utf8'))
          if (isUint8Array(value)) return supply(value)
          throw new TypeError(`options.stdin yielded ${value === null ? 'null' : typeof value}, not a Uint8Array or a string`)
        } catch (error) {
          failed(error)
        }
      }
      const failed = (error) => {
        if (done) return
        done = true
        fail(error)
      }
      const pull = () => {
        if (done) return
        try {
          apply(then, resolve(iterator.next()), [take, failed])
        } catch (error) {
          failed(error)
        }
      }
      const close = () => {
        if (done) return
        done = true
        try {
          if (typeof iterator.return === 'function') apply(then, resolve(iterator.return()), [undefined, () => {}])
        } catch {}
      }
      return [pull, close]
    },
    // Calls `f` on the next turn of the event loop.
    later(f) {
      immediately(f)
    },
    // The options of a run, read in the order `options.rs` takes them, and a mask of those set
    // (neither undefined nor null; bit i for the i-th), so that Rust reads only those. Then
    // what is wrong with their shape, for Rust to word: the first key that is no option (in
    // `options`, or `limits` if that is an object), and the first of `options`, `env`,
    // `files`, `limits` and `mounts` that is an object but not a plain one.
    options(o) {
      const all = [o.args, o.programName, o.env, o.stdin, o.seed, o.startTime, o.files, o.limits, o.cacheDir, o.events, o.onOutput, o.mounts]
      let mask = 0
      for (let i = 0; i < all.length; i++) if (all[i] != null) mask |= 1 << i
      let unknown = unknownKey(o, OPTION_NAMES)
      let where = 'options'
      if (unknown === undefined && typeof all[7] === 'object' && all[7] !== null) {
        unknown = unknownKey(all[7], LIMIT_NAMES)
        where = 'limits'
      }
      let strange
      if (isStrangeObject(o)) strange = ''
      else if (isStrangeObject(all[2])) strange = 'env'
      else if (isStrangeObject(all[6])) strange = 'files'
      else if (isStrangeObject(all[7])) strange = 'limits'
      else if (isStrangeObject(all[11])) strange = 'mounts'
      if (unknown === undefined && strange === undefined) return [mask, all]
      return [mask, all, unknown === undefined ? undefined : [where, unknown], strange === undefined ? undefined : [strange, apply(tagOf, strange === '' ? o : o[strange], [])]]
    },
    // A run's result. `outcome` indexes `outcomeNames`; each stream's bytes are a Latin-1 string
    // or an ArrayBuffer (see `streamBuffer`); `virtualTimeNs` is a number or, past 2^53, a
    // bigint; `events`, when kept, is a BigUint64Array of (channel, length, time) triples.
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
      if (fuelConsumed === undefined && trap === undefined) {
        if (events === undefined) return result
        // Literals, not a spread: a spread costs about half a microsecond.
        return {
          outcome: result.outcome,
          exitCode,
          stdout,
          stderr,
          virtualTimeNs: result.virtualTimeNs,
          files: result.files,
          events: outputEvents(events, stdout, stderr),
        }
      }
      return {
        ...result,
        ...(events === undefined ? undefined : { events: outputEvents(events, stdout, stderr) }),
        ...(fuelConsumed === undefined ? undefined : { fuelConsumed }),
        ...(trap === undefined ? undefined : { trap }),
      }
    },
  }
})
