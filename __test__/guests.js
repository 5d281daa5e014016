// Test guests built from tests/guests by `npm run build:guests`.
const fs = require('node:fs')
const path = require('node:path')

const dir = path.join(__dirname, '..', 'tests', 'guests', 'target', 'wasm32-wasip2', 'release')

const cache = new Map()

/** The bytes of test guest `name`, built for wasm32-wasip2 (a component). */
function guest(name) {
  if (!cache.has(name)) cache.set(name, fs.readFileSync(path.join(dir, `${name}.wasm`)))
  return cache.get(name)
}

/** The bytes of test guest `name` built for wasm32-wasip1 (a preview1 core module). */
function guestP1(name) {
  return fs.readFileSync(path.join(dir, '..', '..', 'wasm32-wasip1', 'release', `${name}.wasm`))
}

/**
 * The bytes of AssemblyScript test guest `name` (a preview1 core module), built from
 * tests/guests/assemblyscript/`name`.ts by that folder's build.sh.
 */
function guestAS(name) {
  return fs.readFileSync(path.join(dir, '..', '..', 'assemblyscript', `${name}.wasm`))
}

/** The bytes of C test guest `name` (tests/guests/c/`name`.c, a preview1 core module with wasi-libc). */
function guestC(name) {
  return fs.readFileSync(path.join(dir, '..', '..', 'c', `${name}.wasm`))
}

/** Every guest with options that make it run to its end, for determinism checks. */
const corpus = [
  ['hello', {}],
  ['echo', { stdin: 'some input\n' }],
  ['args_env', { args: ['x', 'y'], env: { K: 'v' } }],
  ['sleep', {}],
  ['clock_spin', {}],
  ['random', { seed: 7 }],
  ['exit_code', { args: ['code', '9'] }],
  ['panic', {}],
  ['stdin_empty', {}],
  ['poll_nothing', {}],
]

module.exports = { guest, guestP1, guestAS, guestC, corpus }
