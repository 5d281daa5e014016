// The playground server's API (server/app.js), over HTTP on a free port, as clients use it.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')

const { runWasi } = require('..')
const { createApp } = require('../server/app')
const { jsonResult } = require('../cli/json')
const { guest, guestC } = require('./guests')
const { manyFunctions } = require('./bombs')
const { preview1 } = require('../tests/determinism/bounds')

/** Starts a server with `settings`; `post(path, body)` and `get(path)` answer `{ status, headers, text, json }`. */
async function server(settings = {}) {
  const app = await createApp(settings)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const answer = async (response) => {
    const text = await response.text()
    let json
    try {
      json = JSON.parse(text)
    } catch {}
    return { status: response.status, headers: response.headers, text, json }
  }
  const post = (route, body, init = {}) =>
    fetch(base + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init }).then(answer)
  const get = (route) => fetch(base + route).then(answer)
  return { app, base, post, get }
}

const hi = preview1('(call $print (i64.const 42))')
const spin = '(module (func (export "_start") (loop $l (br $l))))'
const base64 = (bytes) => Buffer.from(bytes).toString('base64')

test('POST /api/run: every field in, the whole result out, as the library gives it', async (t) => {
  const { app, post } = await server()
  t.after(() => app.close())
  const body = {
    wasm: base64(guestC('stdio')),
    args: ['one', 'ünï'],
    env: { GREETING: 'hi' },
    stdin: { base64: base64('a\nb\n') },
    files: { 'in.txt': 'text', 'bin.dat': { base64: base64([0, 255]) } },
    seed: '18446744073709551615',
    startTime: '2020-01-01T00:00:00.000Z',
    limits: { memoryBytes: 32 << 20 },
  }
  const answer = await post('/api/run', body)
  assert.equal(answer.status, 200)
  assert.equal(answer.headers.get('x-cache'), 'miss')
  const expected = runWasi(guestC('stdio'), {
    args: ['one', 'ünï'],
    env: { GREETING: 'hi' },
    stdin: 'a\nb\n',
    files: { 'in.txt': 'text', 'bin.dat': Buffer.from([0, 255]) },
    seed: 2n ** 64n - 1n,
    startTime: new Date('2020-01-01T00:00:00Z'),
    events: true,
    limits: { memoryBytes: 32 << 20, timeoutMs: 5000, outputBytes: 1 << 20, virtualTimeMs: 3_600_000, fsBytes: 16 << 20 },
  })
  assert.deepEqual(answer.json, jsonResult(expected, true))
  // The answer is what the OpenAPI document says it is.
  const Ajv = require('ajv')
  const matches = new Ajv({ strict: false }).compile(require('../server/openapi').result)
  assert.ok(matches(answer.json), JSON.stringify(matches.errors))
  assert.equal(answer.json.outcome, 'exited')
  assert.match(answer.json.stdout, /^argv\[0\] = "main"\nargv\[1\] = "one"\nargv\[2\] = "ünï"\n/)
  assert.deepEqual(answer.json.files['bin.dat'], { base64: 'AP8=' })
  assert.equal(answer.json.events[0].stream, 'stdout')
  assert.equal(typeof answer.json.virtualTimeNs, 'string')
})

test('binary output comes back as base64, traps with their message, text programs as wat', async (t) => {
  const { app, post } = await server()
  t.after(() => app.close())
  const bytes = preview1('(i32.store8 (i32.const 200) (i32.const 255)) (call $say (i32.const 200) (i32.const 1))')
  const binary = await post('/api/run', { wat: bytes })
  assert.deepEqual([binary.json.stdout, binary.json.events[0].data], [{ base64: '/w==' }, { base64: '/w==' }])
  const trap = await post('/api/run', { wat: '(module (func (export "_start") unreachable))' })
  assert.equal(trap.json.outcome, 'trapped')
  assert.equal(trap.json.exitCode, 134)
  assert.match(trap.json.trap.message, /unreachable/)
  assert.equal(trap.json.files, undefined)
})

test('bytes that are mostly control characters come as base64: JSON would write each six times as long', async (t) => {
  const { bytes } = require('../cli/json')
  const controls = Buffer.alloc(100, 1)
  assert.deepEqual(bytes(controls), { base64: controls.toString('base64') })
  // One in ten is still text; tabs, newlines and returns do not count; UTF-8 is checked too.
  assert.equal(bytes(Buffer.from('abcdefghi\x01')), 'abcdefghi\x01')
  assert.deepEqual(bytes(Buffer.from('abcdefgh\x01')), { base64: Buffer.from('abcdefgh\x01').toString('base64') })
  assert.equal(bytes(Buffer.from('\t\n\r\t\n\r')), '\t\n\r\t\n\r')
  assert.deepEqual(bytes(Buffer.from([0xc3])), { base64: 'ww==' })
  // Through the server: 32 KiB of \x01 (stdout and its event) is an answer of about
  // 2 * 4/3 * 32 KiB, not 2 * 6 * 32 KiB.
  const { app, post } = await server()
  t.after(() => app.close())
  const flood = preview1(`(memory.fill (i32.const 1024) (i32.const 1) (i32.const 32768)) (call $say (i32.const 1024) (i32.const 32768))`)
  const answer = await post('/api/run', { wat: flood })
  assert.deepEqual(answer.json.stdout, { base64: Buffer.alloc(32768, 1).toString('base64') })
  assert.ok(answer.text.length < 100_000, `${answer.text.length} characters`)
})

test('the result cache keeps no value larger than its whole budget', () => {
  const { Lru } = require('../server/lru')
  const lru = new Lru({ entries: 10, bytes: 100 })
  lru.set('a', { length: 60 })
  lru.set('huge', { length: 101 })
  assert.deepEqual([lru.get('huge'), lru.get('a')], [undefined, { length: 60 }])
  lru.set('b', { length: 50 })
  assert.deepEqual([lru.get('a'), lru.get('b'), lru.size], [undefined, { length: 50 }, 1])
})

test('limits are clamped to the server maxima', async (t) => {
  const { app, post } = await server({ maxima: { timeoutMs: 300 } })
  t.after(() => app.close())
  const started = Date.now()
  const answer = await post('/api/run', { wat: spin, limits: { timeoutMs: 1e9 } })
  assert.equal(answer.json.outcome, 'timeout')
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`)
  const memory = await post('/api/run', { wat: '(module (memory 1) (func (export "_start") (drop (memory.grow (i32.const 2000)))))', limits: { memoryBytes: 2 ** 40 } })
  assert.equal(memory.json.outcome, 'memoryExceeded')
})

test('bad requests: 400 with a code for bad programs and typos, 413 past --max-body', async (t) => {
  const { app, base, post } = await server({ maxBodyBytes: 32768 })
  t.after(() => app.close())
  const invalid = await post('/api/run', { wasm: base64('not wasm') })
  assert.equal(invalid.status, 400)
  assert.deepEqual(invalid.json.error, { code: 'ERR_INVALID_WASM', message: 'not a WebAssembly binary (it does not start with \\0asm)' })
  const tooMany = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`K${i}`, 'v']))
  const bad = [
    { wat: hi, limit: {} },
    { wat: hi, limits: { timeout: 1 } },
    {},
    { wat: hi, wasm: '' },
    { wat: hi, args: 'x' },
    { wasm: '!!!not base64***' },
    { wat: hi, stdin: { base64: 'AP8' } },
    { wat: hi, env: tooMany },
    '{"wat":',
    '{"wat":"(module)","env":{"__proto__":{"x":"y"}}}',
  ]
  for (const body of bad) {
    const answer = await post('/api/run', body)
    assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80))
    assert.equal(answer.json.error.code, 'ERR_INVALID_REQUEST', JSON.stringify(answer.json))
  }
  for (const key of ['\\u005f_proto__', '__\\u0070roto__', '__pro\\u0074o__', '__PROTO__'.toLowerCase()]) {
    const proto = await post('/api/run', `{"wat":"(module)","files":{"a":"x","${key}":"y"}}`)
    assert.deepEqual(proto.json.error, { code: 'ERR_INVALID_REQUEST', message: 'a key named `__proto__` is refused, anywhere in the body' }, key)
  }
  // `constructor` is an ordinary name: an env variable here.
  const named = await post('/api/run', { wat: preview1('(call $print (i64.const 1))'), env: { constructor: 'x' } })
  assert.deepEqual([named.status, named.json.stdout], [200, '1\n'])
  const form = await fetch(`${base}/api/run`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'wat=x' })
  assert.deepEqual([form.status, await form.json()], [415, { error: { code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' } }])
  const unknown = await post('/api/nothing', {})
  assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'ERR_NOT_FOUND'])
  const options = await post('/api/run', { wat: hi, env: { 'A=B': 'x' } })
  assert.deepEqual(options.json.error.code, 'ERR_INVALID_OPTIONS')
  const big = await post('/api/run', { wat: hi, stdin: 'x'.repeat(40000) })
  assert.equal(big.status, 413)
  assert.equal(big.json.error.code, 'ERR_BODY_TOO_LARGE')
})

test('a full queue answers 503 with Retry-After, a busy client 429', async (t) => {
  const { app, post, get } = await server({ concurrency: 1, queue: 0, perClient: 8, maxima: { timeoutMs: 1500 } })
  t.after(() => app.close())
  const running = post('/api/run', { wat: spin })
  await new Promise((resolve) => setTimeout(resolve, 200))
  const refused = await post('/api/run', { wat: hi })
  assert.equal(refused.status, 503)
  // One run ahead, and this one: two rounds of at most 1.5 s on one slot.
  assert.equal(refused.headers.get('retry-after'), '3')
  assert.equal(refused.json.error.code, 'ERR_BUSY')
  assert.equal((await running).json.outcome, 'timeout')
  assert.match((await get('/metrics')).text, /hermetic_wasi_refused_total\{reason="queue"\} 1/)
  const { app: app2, post: post2 } = await server({ concurrency: 2, queue: 8, perClient: 1, maxima: { timeoutMs: 1500 } })
  t.after(() => app2.close())
  const first = post2('/api/run', { wat: spin })
  await new Promise((resolve) => setTimeout(resolve, 200))
  const busy = await post2('/api/run', { wat: hi })
  assert.deepEqual([busy.status, busy.headers.get('retry-after')], [429, '2'])
  await first
  assert.equal((await post2('/api/run', { wat: hi })).json.stdout, '42\n')
})

test('a client that disconnects cancels its run or stops its compile, freeing its slot', async (t) => {
  // A spinning run would hold the only slot for a minute, and compiling 400,000 empty functions
  // for 20 s or more; stopped, they free it at once (3 s is a sanity bound).
  const cases = [
    ['run', { wat: spin }, 2],
    ['compile', { wasm: base64(manyFunctions(400_000)) }, 1],
  ]
  for (const [what, body, compiles] of cases) {
    const { app, post, get } = await server({ concurrency: 1, queue: 0, maxima: { timeoutMs: 60_000 } })
    t.after(() => app.close())
    const abort = new AbortController()
    const gone = post('/api/run', body, { signal: abort.signal }).catch((error) => error.name)
    await new Promise((resolve) => setTimeout(resolve, 500))
    abort.abort()
    assert.equal(await gone, 'AbortError')
    const started = Date.now()
    let next
    while (Date.now() - started < 3000) {
      next = await post('/api/run', { wat: hi })
      if (next.status !== 503) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.equal(next.json.stdout, '42\n', what)
    const metrics = (await get('/metrics')).text
    assert.match(metrics, /hermetic_wasi_runs_total\{outcome="cancelled"\} 1\n/, what)
    assert.match(metrics, /hermetic_wasi_runs_total\{outcome="exited"\} 1\n/, what)
    assert.match(metrics, new RegExp(`hermetic_wasi_compile_seconds_count ${compiles}\n`), what)
  }
})

test('results that depend only on their inputs are cached: byte-identical, X-Cache: hit', async (t) => {
  const { app, post, get } = await server({ maxima: { timeoutMs: 200 } })
  t.after(() => app.close())
  const body = { wasm: base64(guest('hello')), args: ['x'] }
  const first = await post('/api/run', body)
  const second = await post('/api/run', body)
  assert.equal(first.headers.get('x-cache'), 'miss')
  assert.equal(second.headers.get('x-cache'), 'hit')
  assert.equal(second.text, first.text)
  // Another option is another result; a timeout is never cached.
  assert.equal((await post('/api/run', { ...body, args: ['y'] })).headers.get('x-cache'), 'miss')
  await post('/api/run', { wat: spin })
  assert.equal((await post('/api/run', { wat: spin })).headers.get('x-cache'), 'miss')
  const metrics = (await get('/metrics')).text
  assert.match(metrics, /hermetic_wasi_cache_total\{result="hit"\} 1/)
  assert.match(metrics, /hermetic_wasi_cache_total\{result="miss"\} 4/)
  assert.match(metrics, /hermetic_wasi_runs_total\{outcome="timeout"\} 2/)
  // Two programs, each compiled once (or loaded from the library's caches), then kept.
  assert.match(metrics, /hermetic_wasi_compile_seconds_count 2/)
})

test('a compile counts against the run\'s time: past it, 400 ERR_COMPILE_LIMIT, not cached', async (t) => {
  const { app, post } = await server({ maxima: { timeoutMs: 1000 } })
  t.after(() => app.close())
  // Bytes no cache holds (a custom section of their own): compiling them takes a compiler
  // process, far more than 1 ms.
  const name = Buffer.from(`serve ${process.pid} ${Date.now()}`)
  const wasm = base64(Buffer.concat([guest('hello'), Buffer.from([0, name.length + 1, name.length]), name]))
  const late = await post('/api/run', { wasm, limits: { timeoutMs: 1 } })
  assert.deepEqual([late.status, late.json.error], [400, { code: 'ERR_COMPILE_LIMIT', message: 'compiling the program took longer than timeoutMs' }])
  const inTime = await post('/api/run', { wasm })
  assert.deepEqual([inTime.status, inTime.json.outcome, inTime.headers.get('x-cache')], [200, 'exited', 'miss'])
})

test('a cached result is not served to a request whose timeout it would not have fit in', async (t) => {
  const { app, post } = await server()
  t.after(() => app.close())
  // About 0.1-1 s of work: longer than a 20 ms timeout on any machine.
  const busy = preview1(`(local $i i64)
    (loop $again
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (i64.const 200000000))))
    (call $print (local.get $i))`)
  const full = await post('/api/run', { wat: busy })
  assert.deepEqual([full.json.outcome, full.json.stdout], ['exited', '200000000\n'])
  assert.equal((await post('/api/run', { wat: busy })).headers.get('x-cache'), 'hit')
  const short = await post('/api/run', { wat: busy, limits: { timeoutMs: 20 } })
  assert.deepEqual([short.headers.get('x-cache'), short.json.outcome], ['miss', 'timeout'])
})

test('connections past --max-connections are closed at once', async (t) => {
  const { app, base, get } = await server({ maxConnections: 2 })
  t.after(() => app.close())
  const { port } = new URL(base)
  const open = () =>
    new Promise((resolve) => {
      const socket = require('node:net').connect(Number(port), '127.0.0.1', () => resolve(socket))
    })
  const held = [await open(), await open()]
  await assert.rejects(fetch(`${base}/healthz`))
  held[0].destroy()
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.deepEqual((await get('/healthz')).json, { ok: true })
  held[1].destroy()
})

test('bodies shaped to stall the parser are refused before JSON.parse: too deep, too many objects', async (t) => {
  const { app, post, get } = await server()
  t.after(() => app.close())
  const cases = [
    ['[['.repeat(1_000_000), 'the body nests deeper than 16 levels'],
    [`{"wat":"x","env":{},"args":[${'{},'.repeat(1_000_000)}{}]}`, 'the body holds more than 10000 objects and arrays'],
    [`{"wat":"x","env":{${Array.from({ length: 300_000 }, (_, i) => `"${i}":0`).join(',')}}}`, 'the body holds more than 20000 values'],
  ]
  for (const [body, message] of cases) {
    const started = process.hrtime.bigint()
    const answer = await post('/api/run', body)
    assert.deepEqual([answer.status, answer.json.error], [400, { code: 'ERR_INVALID_REQUEST', message }])
    // A sanity bound: V8's JSON.parse alone took about 1 s for these.
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    assert.ok(ms < 500, `${ms} ms`)
  }
  // Strings may hold brackets and quotes of any number.
  const text = `"[{\\"${'['.repeat(100)}`
  const answer = await post('/api/run', { wat: preview1('(call $print (i64.const 3))'), stdin: text })
  assert.deepEqual([answer.status, answer.json.stdout], [200, '3\n'])
  assert.equal((await get('/healthz')).status, 200)
})

test('one client shares at most --shares-per-minute snippets; trust-proxy trusts only the hops it is told', async (t) => {
  const { app, post } = await server({ sharesPerMinute: 2 })
  t.after(() => app.close())
  const shares = []
  for (let i = 0; i < 3; i++) shares.push(await post('/api/share', { wat: hi, args: [String(i)] }))
  assert.deepEqual(shares.map((a) => a.status), [201, 201, 429])
  assert.deepEqual(shares[2].json.error, { code: 'ERR_BUSY', message: 'at most 2 snippets a minute from one client' })
  assert.equal(shares[2].headers.get('retry-after'), '60')

  // One proxy in front (here, on the loopback): the client is the address that proxy saw (the
  // last entry), whatever the client itself wrote before it.
  const proxied = await server({ trustProxy: '127.0.0.1', concurrency: 1, queue: 8, perClient: 1, maxima: { timeoutMs: 300 } })
  t.after(() => proxied.app.close())
  const from = (forwarded) => proxied.post('/api/run', { wat: spin }, { headers: { 'content-type': 'application/json', 'x-forwarded-for': forwarded } })
  const spoofed = await Promise.all([from('fake-1, 10.0.0.1'), from('fake-2, 10.0.0.1')])
  assert.deepEqual(spoofed.map((a) => a.status).sort(), [200, 429])
  const distinct = await Promise.all([from('10.0.0.2'), from('10.0.0.3')])
  assert.deepEqual(distinct.map((a) => a.status), [200, 200])
})

test('a client is its IPv4 address or its IPv6 /64', () => {
  const { clientOf } = require('../server/address')
  const cases = {
    '1.2.3.4': '1.2.3.4',
    '::ffff:10.0.0.1': '10.0.0.1',
    '2001:db8::1': '2001:db8:0:0::/64',
    '2001:db8:0:0:ffff::2': '2001:db8:0:0::/64',
    '2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd': '2001:db8:0:1::/64',
    '::1': '0:0:0:0::/64',
    'fe80::1%eth0': 'fe80:0:0:0::/64',
    '64:ff9b::192.0.2.33': '64:ff9b:0:0::/64',
  }
  for (const [ip, client] of Object.entries(cases)) assert.equal(clientOf(ip), client, ip)
})

test('one address holds at most --per-address connections; others still get in', async (t) => {
  const { app, base, get } = await server({ maxConnections: 10, perAddressConnections: 2 })
  t.after(() => app.close())
  const { port } = new URL(base)
  const open = (host) =>
    new Promise((resolve) => {
      const socket = require('node:net').connect({ port: Number(port), host: '127.0.0.1', localAddress: host }, () => resolve(socket))
    })
  const held = [await open('127.0.0.1'), await open('127.0.0.1')]
  await assert.rejects(fetch(`${base}/healthz`))
  // Another address on the loopback is another client.
  const other = await open('127.0.0.2')
  other.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  let text = ''
  other.on('data', (chunk) => (text += chunk))
  await new Promise((resolve) => other.on('close', resolve))
  assert.match(text, /^HTTP\/1.1 200 [^]*\{"ok":true\}$/)
  held[0].destroy()
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.deepEqual((await get('/healthz')).json, { ok: true })
  held[1].destroy()
})

test('requests refused before a route answer in the API\'s error form', async (t) => {
  const { app, base } = await server()
  t.after(() => app.close())
  const { port } = new URL(base)
  const raw = (text) =>
    new Promise((resolve) => {
      const socket = require('node:net').connect(Number(port), '127.0.0.1', () => socket.write(text))
      let answer = ''
      socket.on('data', (chunk) => (answer += chunk))
      socket.on('end', () => socket.end())
      socket.on('close', () => resolve(answer))
    })
  const cases = [
    ['BLAH\r\n\r\n', 400, 'ERR_INVALID_REQUEST'],
    [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431, 'ERR_HEADERS_TOO_LARGE'],
    [`GET /api/share/${'a'.repeat(200)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 414, 'ERR_URL_TOO_LONG'],
    ['GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'ERR_INVALID_REQUEST'],
  ]
  for (const [request, status, code] of cases) {
    const answer = await raw(request)
    assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `), request.slice(0, 40))
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code, code)
  }
})

test('a body that arrives too slowly ends its connection', async (t) => {
  const { app, base } = await server({ requestTimeoutMs: 500 })
  t.after(() => app.close())
  const { port } = new URL(base)
  const socket = require('node:net').connect(Number(port), '127.0.0.1')
  socket.write('POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"wat":')
  let answer = ''
  socket.on('data', (chunk) => (answer += chunk))
  const started = Date.now()
  await new Promise((resolve) => socket.on('close', resolve))
  assert.ok(Date.now() - started < 3000, `closed after ${Date.now() - started} ms`)
  assert.match(answer, /^HTTP\/1.1 408 [^]*\r\n\r\n\{"error":\{"code":"ERR_REQUEST_TIMEOUT","message":"the request took too long to arrive"\}\}$/)
})

test('share links: POST /api/share stores a snippet under its content hash', async (t) => {
  const { app, base, post, get } = await server({ maxShareBytes: 4096 })
  t.after(() => app.close())
  const snippet = { wat: hi, args: ['a'], stdin: 'in' }
  const shared = await post('/api/share', snippet)
  assert.equal(shared.status, 201)
  assert.match(shared.json.id, /^[A-Za-z0-9_-]{16}$/)
  assert.deepEqual((await post('/api/share', snippet)).json, shared.json)
  assert.deepEqual((await get(`/api/share/${shared.json.id}`)).json, snippet)
  assert.equal((await get('/api/share/nothing-here')).status, 404)
  assert.equal((await post('/api/share', { wat: 'x'.repeat(5000) })).status, 413)
  assert.equal((await post('/api/share', { wat: hi, bogus: 1 })).status, 400)
  // Every field is kept, as posted: a shared link runs what was shared.
  const full = { wasm: base64('\0asm\x01\0\0\0'), args: ['two words', ''], env: { A: 'b' }, stdin: { base64: 'AP8=' }, files: { 'a/b': 'x', c: { base64: 'AA==' } }, seed: '18446744073709551615', startTime: '2001-02-03T04:05:06Z', limits: { fuel: 5, timeoutMs: 100 } }
  assert.deepEqual((await get(`/api/share/${(await post('/api/share', full)).json.id}`)).json, full)
  assert.deepEqual((await get('/healthz')).json, { ok: true })
  const icon = await fetch(`${base}/favicon.ico`)
  assert.deepEqual([icon.status, icon.headers.get('content-type')], [200, 'image/svg+xml'])
  assert.match(await icon.text(), /^<svg /)
  // The API's description, with the request schema the server validates with.
  const openapi = (await get('/openapi.json')).json
  assert.equal(openapi.openapi, '3.1.0')
  assert.deepEqual(Object.keys(openapi.paths), ['/api/run', '/api/share', '/api/share/{id}', '/healthz', '/metrics'])
  assert.deepEqual(openapi.paths['/api/run'].post.requestBody.content['application/json'].schema, require('../server/body').schema)
})

test('hermetic-wasi serve listens where it is told and stops on SIGTERM; --log info logs requests on stderr', async () => {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'cli', 'hermetic-wasi.js'), 'serve', '--port', '0', '--concurrency', '1', '--log', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  let stderr = ''
  const address = await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (found) resolve(found[1])
    })
    child.on('exit', () => reject(new Error(stderr)))
  })
  const answer = await fetch(`${address}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wat: hi }) })
  assert.equal((await answer.json()).stdout, '42\n')
  child.kill('SIGTERM')
  assert.equal(await new Promise((resolve) => child.on('exit', (code) => resolve(code))), 0)
  assert.equal(stdout, '')
  const logged = stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
  assert.deepEqual(logged.filter((line) => line.req).map((line) => [line.msg, line.req.method, line.req.url]), [['incoming request', 'POST', '/api/run']])

  // A port in use is one line, not a stack trace.
  const busyPort = new URL(address).port
  const holder = require('node:net').createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => holder.on('listening', resolve))
  const taken = require('node:child_process').spawnSync(process.execPath, [path.join(__dirname, '..', 'cli', 'hermetic-wasi.js'), 'serve', '--port', String(holder.address().port)], { encoding: 'utf8', timeout: 20_000 })
  holder.close()
  assert.equal(taken.status, 1)
  assert.match(taken.stderr, /^hermetic-wasi serve: cannot listen on 127\.0\.0\.1 port \d+: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+\n$/)
  assert.ok(busyPort)

  // --log silent writes nothing at all, not even where it listens.
  const free = await new Promise((resolve) => {
    const probe = require('node:net').createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
  const quiet = spawn(process.execPath, [path.join(__dirname, '..', 'cli', 'hermetic-wasi.js'), 'serve', '--port', String(free), '--log', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let said = ''
  quiet.stdout.on('data', (chunk) => (said += chunk))
  quiet.stderr.on('data', (chunk) => (said += chunk))
  const started = Date.now()
  let healthy = false
  while (!healthy && Date.now() - started < 20_000) {
    healthy = await fetch(`http://127.0.0.1:${free}/healthz`).then((response) => response.ok, () => false)
    if (!healthy) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.ok(healthy, said)
  const quietAnswer = await fetch(`http://127.0.0.1:${free}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wat: hi }) })
  assert.equal((await quietAnswer.json()).stdout, '42\n')
  quiet.kill('SIGTERM')
  assert.equal(await new Promise((resolve) => quiet.on('exit', (code) => resolve(code))), 0)
  assert.equal(said, '')
})

test('hermetic-wasi serve refuses flags that cannot work, before it starts', () => {
  const { spawnSync } = require('node:child_process')
  const serve = (...args) => spawnSync(process.execPath, [path.join(__dirname, '..', 'cli', 'hermetic-wasi.js'), 'serve', '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000 })
  const cases = [
    [['--redis', 'redis://127.0.0.1:1', '--answer-timeout', '5000'], /--answer-timeout \(5000 ms\) must be longer than --max-timeout \(5000 ms\)/],
    [['--redis', 'http://user:hunter2@127.0.0.1'], /--redis must be a redis:\/\/ or rediss:\/\/ URL, got 'http:\/\/user:\*\*\*@127\.0\.0\.1'/],
    [['--redis', 'redis://127.0.0.1/db'], /the database must be a number, got 'db'/],
    [['--log', 'loud'], /--log must be one of error, info, silent, got 'loud'/],
    [['--port', '99999'], /--port must be an integer from 0 to 65535, got '99999'/],
    [['--trust-proxy', 'yes'], /--trust-proxy must be the proxies' addresses/],
  ]
  for (const [args, message] of cases) {
    const child = serve(...args)
    assert.equal(child.status, 2, child.stderr)
    assert.match(child.stderr, message)
    assert.doesNotMatch(child.stderr, /hunter2/)
  }
})
