// A run's result as JSON: text as UTF-8 strings, other bytes as { base64 }, bigints as decimal
// strings. Text is UTF-8 in which at most one byte in ten is a control character other than
// tab, newline and carriage return: JSON writes each as six characters (`\u0001`), so 16 MB
// of them made a 96 MB answer, where base64 makes 21 MB.
'use strict'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** `data` as a string if it is text (see above), else as `{ base64 }`. */
function bytes(data) {
  if (controls(data) * 10 <= data.length) {
    try {
      return utf8.decode(data)
    } catch {}
  }
  return { base64: Buffer.from(data.buffer, data.byteOffset, data.length).toString('base64') }
}

/** How many bytes of `data` JSON escapes as `\u00XX`: C0 controls but tab, newline, return. */
function controls(data) {
  let count = 0
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) count++
  }
  return count
}

/** The JSON form of `result`; its `files` only when the run had a filesystem. */
function jsonResult(result, withFiles) {
  const json = {
    outcome: result.outcome,
    exitCode: result.exitCode,
    stdout: bytes(result.stdout),
    stderr: bytes(result.stderr),
    virtualTimeNs: String(result.virtualTimeNs),
  }
  if (result.events) {
    json.events = result.events.map((e) => ({ stream: e.stream, data: bytes(e.data), timeNs: String(e.timeNs) }))
  }
  if (result.fuelConsumed !== undefined) json.fuelConsumed = String(result.fuelConsumed)
  if (result.trap) json.trap = result.trap
  if (withFiles) {
    json.files = {}
    for (const [name, entry] of Object.entries(result.files)) {
      json.files[name] = Buffer.isBuffer(entry) ? bytes(entry) : entry
    }
  }
  return json
}

module.exports = { jsonResult, bytes }
