// A program's result as a snapshot (__snapshots__/result.test.js.snap), and a directory of
// golden files (testdata/): one jest test per program.
const path = require('node:path')
const { runWasi } = require('hermetic-wasi')
const { goldenTests } = require('hermetic-wasi/golden')

const greet = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "caf\\c3\\a9 \\ff\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))`

test('stderr with a byte that is not UTF-8, as a readable snapshot', () => {
  expect(runWasi(greet, { files: { 'notes.txt': 'kept\n' } })).toMatchSnapshot()
})

goldenTests(path.join(__dirname, 'testdata'))
