// A run's result as JSON: text as UTF-8 strings, other bytes as { base64 }, bigints as decimal
// strings.
'use strict'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** `bytes` as a string if they are UTF-8, else as `{ base64 }`. */
function bytes(data) {
  try {
    return utf8.decode(data)
  } catch {
    return { base64: Buffer.from(data.buffer, data.byteOffset, data.length).toString('base64') }
  }
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

module.exports = { jsonResult }
