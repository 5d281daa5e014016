// `hermetic-wasi/snapshot`: a snapshot serializer for jest and vitest (`expect.addSnapshotSerializer`,
// vitest's `snapshotSerializers`, jest's `snapshotSerializers`) that prints a run's result as
// readable text: outcome, exit code, virtual time, stdout and stderr as text lines (bytes that
// are not printable UTF-8 as escapes), the trap, the fuel, the files tree (text, or the size and
// SHA-256 of binary content) and the timed events. Plain string building, so the text is the
// same on every machine and Node version. `print(result)` gives the same text without a test
// framework.
'use strict'

const crypto = require('node:crypto')

const OUTCOMES = new Set(['exited', 'trapped', 'deadlock', 'fuelExhausted', 'timeout', 'memoryExceeded', 'outputExceeded', 'virtualTimeExceeded', 'cancelled', 'hostOutOfMemory'])

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Whether `value` is a run's result (what `runWasi` and friends give). */
function test(value) {
  return (
    typeof value === 'object' &&
    value !== null &&
    OUTCOMES.has(value.outcome) &&
    value.stdout instanceof Uint8Array &&
    value.stderr instanceof Uint8Array &&
    typeof value.virtualTimeNs === 'bigint'
  )
}

/** The lines of `result`'s text, without indentation. */
function lines(result) {
  const out = [`outcome: ${result.outcome}`, `exitCode: ${result.exitCode}`, `virtualTime: ${duration(result.virtualTimeNs)}`]
  if (result.fuelConsumed !== undefined) out.push(`fuelConsumed: ${result.fuelConsumed}`)
  if (result.trap) {
    out.push(`trap: ${escape(result.trap.message)}`)
    for (const frame of result.trap.backtrace) out.push(`  at ${escape(frame)}`)
  }
  out.push(...stream('stdout', result.stdout), ...stream('stderr', result.stderr))
  const files = Object.entries(result.files ?? {})
  if (files.length > 0) {
    out.push('files:')
    for (const [name, entry] of files) out.push(...file(name, entry).map((line) => `  ${line}`))
  }
  if (result.events) {
    out.push(`events: ${result.events.length}`)
    for (const event of result.events) out.push(`  ${duration(event.timeNs)} ${event.stream} ${quote(event.data)}`)
  }
  return out
}

/** A stream's bytes as `name:` and its lines, each behind `| `. */
function stream(name, bytes) {
  if (bytes.length === 0) return [`${name}: (empty)`]
  return [`${name}:`, ...block(bytes).map((line) => `  ${line}`)]
}

/**
 * `bytes` as lines behind `| `; a last line without a newline is followed by a line saying so
 * (not behind `| `, so no output can print the same).
 */
function block(bytes) {
  const parts = text(bytes).split('\n')
  const last = parts.pop()
  const out = parts.map((line) => `| ${line}`)
  if (last !== '') out.push(`| ${last}`, '(no newline at end)')
  return out
}

/** A name or link target as it is when plain, else quoted with escapes, so that none can pose as another line's syntax. */
const label = (name) => (/^[\w.@+/-]+$/.test(name) ? name : `"${escape(name).replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/"/g, '\\"')}"`)

/** One entry of `files`: a file as text lines, or its size and digest when it is binary. */
function file(name, entry) {
  const shown = label(name)
  if (entry instanceof Uint8Array) {
    if (!isText(entry)) return [`${shown}: ${entry.length} bytes, binary, sha256 ${crypto.createHash('sha256').update(entry).digest('hex')}`]
    if (entry.length === 0) return [`${shown}: (empty)`]
    return [`${shown}:`, ...block(entry).map((line) => `  ${line}`)]
  }
  if (entry.type === 'dir') return [`${shown}/`]
  return [`${shown} -> ${label(entry.target)}`]
}

/** Whether `bytes` are UTF-8 text: valid, and without control characters but tab, newline, return. */
function isText(bytes) {
  try {
    utf8.decode(bytes)
  } catch {
    return false
  }
  return !bytes.some((byte) => (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f)
}

/**
 * `bytes` as text: valid UTF-8 as it is, but for control characters (not newlines and tabs),
 * a backslash, and bytes that are not UTF-8, written as `\xNN` (a backslash as `\\`).
 */
function text(bytes) {
  let out = ''
  let at = 0
  while (at < bytes.length) {
    const length = sequence(bytes, at)
    if (length === 0) {
      out += `\\x${hex(bytes[at])}`
      at++
      continue
    }
    out += escape(Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('utf8'))
    at += length
  }
  return out
}

/** `bytes` as `text` in double quotes, on one line: newlines as `\n`, tabs as `\t`, quotes as `\"`. */
const quote = (bytes) => `"${text(bytes).replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/"/g, '\\"')}"`

/**
 * `string` with control characters (not newlines and tabs) as `\xNN`, characters that are
 * invisible or reorder text (C1 controls, zero-width and bidirectional marks, BOM) as
 * `\u{NNNN}`, backslashes doubled.
 */
function escape(string) {
  // eslint-disable-next-line no-control-regex
  return string.replace(/[\\\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (c) => {
    if (c === '\\') return '\\\\'
    const code = c.charCodeAt(0)
    return code < 0x80 ? `\\x${hex(code)}` : `\\u{${code.toString(16).padStart(4, '0')}}`
  })
}

const hex = (byte) => byte.toString(16).padStart(2, '0')

/** The length of the valid UTF-8 sequence at `at` in `bytes`, or 0 when none starts there. */
function sequence(bytes, at) {
  const first = bytes[at]
  if (first < 0x80) return 1
  const length = first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0
  if (length === 0 || at + length > bytes.length) return 0
  try {
    utf8.decode(bytes.subarray(at, at + length))
    return length
  } catch {
    return 0
  }
}

/** Nanoseconds as seconds with nine decimals, the unit kept. */
function duration(ns) {
  const value = BigInt(ns)
  const seconds = value / 1_000_000_000n
  const rest = String(value % 1_000_000_000n).padStart(9, '0')
  return `${seconds}.${rest} s`
}

/** The text of `result`. */
function print(result) {
  return `RunResult {\n${lines(result)
    .map((line) => `  ${line}`)
    .join('\n')}\n}`
}

/** jest's and vitest's serializer API: the text, indented where the result is nested. */
function serialize(result, config, indentation = '') {
  const indent = config?.indent ?? '  '
  return `RunResult {\n${lines(result)
    .map((line) => `${indentation}${indent}${line}`)
    .join('\n')}\n${indentation}}`
}

module.exports = { test, serialize, print }
