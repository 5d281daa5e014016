// The page's arguments field: one line split like a POSIX shell splits words, and joined back so
// that a shared snippet's arguments come back exactly (server/page/words.mjs).
const test = require('node:test')
const assert = require('node:assert/strict')

const words = import('../server/page/words.mjs')

test('arguments split like a shell splits words', async () => {
  const { splitArgs } = await words
  assert.deepEqual(splitArgs(''), [])
  assert.deepEqual(splitArgs('  a\tb \n c  '), ['a', 'b', 'c'])
  assert.deepEqual(splitArgs(`'b c' "d e" f\\ g "x\\"y\\\\z" '' "" 'a'"b"c`), ['b c', 'd e', 'f g', 'x"y\\z', '', '', 'abc'])
  assert.deepEqual(splitArgs(`"a\\b" 'c\\d'`), ['a\\b', 'c\\d'])
  assert.throws(() => splitArgs(`'open`), { message: "an unclosed ' in the arguments" })
  assert.throws(() => splitArgs('"open'), { message: 'an unclosed " in the arguments' })
})

test('joined arguments split back to the same arguments', async () => {
  const { splitArgs, joinArgs } = await words
  assert.equal(joinArgs(['plain', 'two words', "it's", '', 'a=b,c/d.e']), `plain 'two words' 'it'\\''s' '' a=b,c/d.e`)
  // Random arguments over an alphabet of every character that matters to the splitter.
  const alphabet = ['a', ' ', '\t', '\n', "'", '"', '\\', '$', 'é', '😀', '=']
  let state = 7
  const next = (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state % n
  }
  for (let round = 0; round < 2000; round++) {
    const args = Array.from({ length: next(5) }, () => Array.from({ length: next(6) }, () => alphabet[next(alphabet.length)]).join(''))
    assert.deepEqual(splitArgs(joinArgs(args)), args, JSON.stringify(args))
  }
})
