#!/usr/bin/env node
// The `hermetic-wasi` command. It uses the package's public API, as any user would.
'use strict'

const { version } = require('../package.json')

const USAGE = `Usage: hermetic-wasi <command> [options]

Commands:
  run <program> [-- args...]   run a WASI program (a .wasm component or preview1 module, or .wat text)
  serve                        serve the playground over HTTP (hermetic-wasi serve --help)
  worker --redis URL           run a fleet's jobs from Redis (hermetic-wasi worker --help)
  test DIR                     run golden-file tests: programs and their expected output (hermetic-wasi test --help)

Options:
  -h, --help                   show this help (hermetic-wasi run --help: the run command's)
  -v, --version                show the version

Examples:
  npx hermetic-wasi run hello.wasm
  npx hermetic-wasi run --stdin input.txt --env NAME=world prog.wasm -- --flag arg
  npx hermetic-wasi run --files ./data --out ./result --json prog.wasm
  npx hermetic-wasi run --replay sleepy.wasm
  npx hermetic-wasi test testdata --reporter junit > results.xml
`

/** A usage error: printed with a hint, and the process exits with 2. */
class UsageError extends Error {}

async function main(argv) {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(USAGE)
    return command === undefined ? 2 : 0
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${version}\n`)
    return 0
  }
  if (command === 'run') return require('./run').run(rest, UsageError)
  if (command === 'serve') return require('./serve').serve(rest, UsageError)
  if (command === 'worker') return require('./worker').worker(rest, UsageError)
  if (command === 'test') return require('./test').testCommand(rest, UsageError)
  throw new UsageError(`unknown command '${command}'`)
}

// A reader that goes away (`| head`) ends the output, not the command with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error
  })
}

main(process.argv.slice(2)).then(
  (code) => {
    // `serve` resolves without a code: the server keeps the process alive.
    if (code !== undefined) process.exitCode = code
  },
  (error) => {
    if (error instanceof UsageError || error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || error.code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`hermetic-wasi: ${error.message}\nRun 'hermetic-wasi --help' for usage.\n`)
      process.exitCode = 2
      return
    }
    if (error.code === 'ERR_INVALID_WASM' || error.code === 'ERR_INVALID_OPTIONS' || error.code === 'ERR_COMPILE_LIMIT') {
      process.stderr.write(`hermetic-wasi: ${error.code}: ${error.message}\n`)
      process.exitCode = 2
      return
    }
    // No binary for this platform: the message says what to do.
    if (['ERR_UNSUPPORTED_PLATFORM', 'ERR_BINARY_MISSING', 'ERR_BINARY_LOAD'].includes(error.code)) {
      process.stderr.write(`${error.message}\n`)
      process.exitCode = 1
      return
    }
    process.stderr.write(`hermetic-wasi: ${error.stack ?? error}\n`)
    process.exitCode = 1
  },
)
