// Interactive stdin for async runs: chunks pulled from an async iterable while the guest runs.
const test = require('node:test')
const assert = require('node:assert/strict')
const { Readable } = require('node:stream')

const { runWasi, runWasiAsync, Program } = require('..')
const { guest, guestP1 } = require('./guests')

test('a conversation: each line is sent only after the answer to the previous one arrived', async () => {
  for (const wasm of [guest('lines'), guestP1('lines')]) {
    const answers = []
    let answered
    const nextAnswer = () => new Promise((resolve) => (answered = resolve))
    const transcript = []
    async function* user() {
      for (const line of ['hello', 'how are you?']) {
        const answer = nextAnswer()
        transcript.push(`sent ${line}`)
        yield `${line}\n`
        transcript.push(`heard ${await answer}`)
      }
    }
    const result = await runWasiAsync(wasm, {
      stdin: user(),
      onOutput: ({ data }) => {
        answers.push(data.toString())
        answered?.(data.toString().trim())
      },
    })
    assert.deepEqual(transcript, ['sent hello', 'heard > hello', 'sent how are you?', 'heard > how are you?'])
    assert.deepEqual(answers, ['> hello\n', '> how are you?\n', 'bye\n'])
    assert.equal(result.outcome, 'exited')
    // Waiting for the user moves no virtual time.
    assert.equal(result.virtualTimeNs, 0n)
  }
})

test('a run waits for input as long as it takes, and nothing is read ahead of the guest', async () => {
  const heard = []
  let release
  const gate = new Promise((resolve) => (release = resolve))
  async function* input() {
    await gate
    yield 'late\n'
  }
  const run = runWasiAsync(guest('lines'), {
    stdin: input(),
    onOutput: ({ data }) => heard.push(data.toString()),
  })
  // lines prints nothing before its first read: nothing is heard while the input is held back.
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.deepEqual(heard, [])
  release()
  const result = await run
  assert.deepEqual(heard, ['> late\n', 'bye\n'])
  assert.equal(result.stdout.toString(), '> late\nbye\n')
})

test('stdin may be a Node Readable, a web ReadableStream, or yield strings and bytes', async () => {
  const readable = await runWasiAsync(guest('lines'), { stdin: Readable.from(['a\n', Buffer.from('b\n')]) })
  assert.equal(readable.stdout.toString(), '> a\n> b\nbye\n')
  const web = new ReadableStream({
    start(controller) {
      controller.enqueue('web\n')
      controller.enqueue(new Uint8Array([0x68, 0x69, 0x0a]))
      controller.close()
    },
  })
  const fromWeb = await new Program(guestP1('lines')).runAsync({ stdin: web })
  assert.equal(fromWeb.stdout.toString(), '> web\n> hi\nbye\n')
  // Deterministic for the same chunks in the same order.
  const again = await new Program(guestP1('lines')).runAsync({ stdin: Readable.from(['web\n', 'hi\n']) })
  assert.deepEqual(again, fromWeb)
})

test('an abort or a timeout ends a run that waits for input', async () => {
  const forever = async function* () {
    yield 'x\n'
    await new Promise(() => {})
  }
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 50)
  const aborted = await runWasiAsync(guest('lines'), { stdin: forever() }, controller.signal)
  assert.equal(aborted.outcome, 'cancelled')
  assert.equal(aborted.stdout.toString(), '> x\n')
  const timedOut = await runWasiAsync(guestP1('lines'), { stdin: forever(), limits: { timeoutMs: 100 } })
  assert.equal(timedOut.outcome, 'timeout')
  assert.equal(timedOut.stdout.toString(), '> x\n')
})

test('an iterable that throws or yields something else rejects the run with that error', async () => {
  async function* throwing() {
    yield 'x\n'
    throw new Error('keyboard on fire')
  }
  const error = await runWasiAsync(guest('lines'), { stdin: throwing() }).catch((e) => e)
  assert.equal(error.message, 'keyboard on fire')
  assert.equal(error.result.stdout.toString().startsWith('> x\n'), true)
  async function* numbers() {
    yield 42
  }
  await assert.rejects(runWasiAsync(guest('lines'), { stdin: numbers() }), {
    name: 'TypeError',
    message: 'options.stdin yielded number, not a Uint8Array or a string',
  })
})

test('a malformed iterator, or a thrown primitive, rejects the run with it', async () => {
  const malformed = (next) => ({ [Symbol.asyncIterator]: () => ({ next }) })
  for (const step of [undefined, null, 7]) {
    await assert.rejects(runWasiAsync(guest('lines'), { stdin: malformed(async () => step) }), {
      name: 'TypeError',
      message: 'options.stdin: the iterator result is not an object',
    })
  }
  const throwingDone = malformed(async () => ({ get done() { throw new RangeError('no done') } }))
  await assert.rejects(runWasiAsync(guest('lines'), { stdin: throwingDone }), { name: 'RangeError', message: 'no done' })
  for (const thrown of [42, 'str', undefined]) {
    const rejecting = malformed(() => Promise.reject(thrown))
    await assert.rejects(runWasiAsync(guestP1('lines'), { stdin: rejecting, limits: { timeoutMs: 10_000 } }), (e) => e === thrown)
  }
  // A Uint8Array of another realm is bytes too.
  const foreign = require('node:vm').runInNewContext('new Uint8Array([0x6f, 0x6b, 0x0a])')
  const realm = await runWasiAsync(guest('lines'), { stdin: malformed(async function () { return this.done ? { done: true } : ((this.done = true), { value: foreign }) }) })
  assert.equal(realm.stdout.toString(), '> ok\nbye\n')
})

test('interactive stdin is for async runs', () => {
  async function* input() {}
  const message =
    'options.stdin as an async iterable or a ReadableStream is for async runs: use runWasiAsync or Program#runAsync'
  assert.throws(() => runWasi(guest('lines'), { stdin: input() }), { code: 'ERR_INVALID_OPTIONS', message })
  assert.throws(() => runWasi(guest('lines'), { stdin: {} }), {
    code: 'ERR_INVALID_OPTIONS',
    message: 'options.stdin must be a string or a Uint8Array, got an object',
  })
})
