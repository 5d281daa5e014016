// Flag parsing shared by the commands without positional arguments (`serve`, `worker`).
'use strict'

const { parseArgs } = require('node:util')

/**
 * `argv` parsed with `options` (and `-h`/`--help`): `{ values, integer }`, where
 * `integer(name, min, max?)` is the flag's integer value (or undefined) and a usage error otherwise.
 */
function flags(command, argv, options, UsageError) {
  const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true })
  if (!values.help && positionals.length > 0) throw new UsageError(`${command}: unexpected argument '${positionals[0]}'`)
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
  return { values, integer }
}

module.exports = { flags }
