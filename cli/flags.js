// Flag parsing shared by `serve`, `worker` (no positional arguments) and `test`.
'use strict'

const { parseArgs } = require('node:util')

/**
 * `argv` parsed with `options` (and `-h`/`--help`): `{ values, positionals, integer }` (positional
 * arguments refused unless `positionals` is set), where
 * `integer(name, min, max?)` is the flag's integer value (or undefined) and a usage error otherwise.
 */
function flags(command, argv, options, UsageError, { positionals: allowed = false } = {}) {
  const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true })
  if (!allowed && !values.help && positionals.length > 0) throw new UsageError(`${command}: unexpected argument '${positionals[0]}'`)
  const integer = (name, min, max = Number.MAX_SAFE_INTEGER) => {
    const text = values[name]
    if (text === undefined) return undefined
    const n = Number(text)
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`
      throw new UsageError(`--${name} must be an integer ${range}, got '${text}'`)
    }
    return n
  }
  return { values, positionals, integer }
}

module.exports = { flags }
