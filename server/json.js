// The server's JSON body parser: refuses, before parsing, text that would cost the event loop
// far more than any valid request (V8's JSON.parse took 1.1 s for 2 million nested arrays, and
// a million empty objects took 1 s), and after parsing, a key named `__proto__` anywhere (code
// that copies such a key into an object by assignment would replace the object's prototype).
'use strict'

/**
 * How deep, how many objects and arrays, and how many values a body may hold: a valid request
 * nests four deep (`files` -> an entry -> `{ base64 }`) and holds at most about 2000 objects
 * (1000 files) and 7000 values (1000 each of args, env and files). An object of 470,000 keys
 * took V8 0.6 s to parse.
 */
const MAX_DEPTH = 16
const MAX_CONTAINERS = 10_000
const MAX_SEPARATORS = 20_000

const COMMA = 0x2c
const COLON = 0x3a
const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

/** `text` parsed, or an error with `code` ERR_INVALID_REQUEST and `statusCode` 400. */
function parseBody(text) {
  shape(text)
  let value
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw refusal(`the body is not valid JSON: ${error.message}`)
  }
  if (holdsProto(value)) throw refusal('a key named `__proto__` is refused, anywhere in the body')
  return value
}

/**
 * Checks the nesting, the number of objects and arrays, and the number of `,` and `:` (about
 * the number of values) of `text`, outside its strings. Strings are skipped with `indexOf`, so
 * a program's base64 costs next to nothing (a loop over every character took 1 ms of the 89 KB
 * hello request, and halved the server's requests/s).
 */
function shape(text) {
  let depth = 0
  let containers = 0
  let separators = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) i = stringEnd(text, i)
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > MAX_DEPTH) throw refusal(`the body nests deeper than ${MAX_DEPTH} levels`)
      if (++containers > MAX_CONTAINERS) throw refusal(`the body holds more than ${MAX_CONTAINERS} objects and arrays`)
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--
    else if ((c === COMMA || c === COLON) && ++separators > MAX_SEPARATORS) throw refusal(`the body holds more than ${MAX_SEPARATORS} values`)
  }
}

/** Where the string opened at `start` in `text` closes: the next `"` after an even run of backslashes. */
function stringEnd(text, start) {
  let at = start
  for (;;) {
    at = text.indexOf('"', at + 1)
    if (at < 0) return text.length
    let backslashes = 0
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return at
  }
}

/** Whether any object in `value` has an own key `__proto__` (JSON.parse makes it an own key). */
function holdsProto(value) {
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(value)) return value.some(holdsProto)
  return Object.hasOwn(value, '__proto__') || Object.values(value).some(holdsProto)
}

const refusal = (message) => Object.assign(new Error(message), { statusCode: 400, code: 'ERR_INVALID_REQUEST' })

module.exports = { parseBody }
