// The fleet: `hermetic-wasi serve --redis` in front of two `hermetic-wasi worker` processes, on a
// real redis-server started here on a free port. 50 requests all answered right and shared by
// both workers; a worker killed mid-run, and its request still answered by the other.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawn, execFileSync } = require('node:child_process')
const net = require('node:net')
const path = require('node:path')

const { preview1 } = require('../tests/determinism/bounds')

const redisServer = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server']).toString().trim()
  } catch {
    return null
  }
})()
const skip = redisServer ? false : 'redis-server is not installed (apt install redis-server): the fleet test is skipped'
const CLI = path.join(__dirname, '..', 'cli', 'hermetic-wasi.js')

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

/** Starts `args` as a child (with `env` added); resolves once its stderr matches `ready` (with the match). */
function start(command, args, ready, env = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  return new Promise((resolve, reject) => {
    let out = ''
    const look = (chunk) => {
      out += chunk
      const found = ready.exec(out)
      if (found) resolve({ child, found })
    }
    child.stdout.on('data', look)
    child.stderr.on('data', look)
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)))
  })
}

test('a fleet on Redis: runs shared by two workers, a killed worker\'s run answered by the other', { skip, timeout: 120_000 }, async (t) => {
  const port = await freePort()
  const children = []
  t.after(() => children.forEach((child) => child.kill('SIGKILL')))
  const redis = await start(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/)
  children.push(redis.child)
  const url = `redis://127.0.0.1:${port}`
  const server = await start(process.execPath, [CLI, 'serve', '--port', '0', '--redis', url, '--per-client', '100', '--max-timeout', '3000'], /listening on (http:\/\/[0-9.:]+)/)
  children.push(server.child)
  const base = server.found[1]
  const workers = []
  for (let i = 0; i < 2; i++) {
    const worker = await start(process.execPath, [CLI, 'worker', '--redis', url, '--concurrency', '1', '--lock-ms', '1500'], /worker (\S+): ready/)
    children.push(worker.child)
    workers.push({ child: worker.child, name: worker.found[1] })
  }
  const run = async (body) => {
    const response = await fetch(`${base}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: response.status, servedBy: response.headers.get('x-served-by'), cache: response.headers.get('x-cache'), json: await response.json() }
  }

  // 50 distinct requests (distinct args, so none comes from the cache), 10 at a time.
  const print = preview1('(call $print (i64.const 42))')
  const answers = []
  for (let round = 0; round < 5; round++) {
    answers.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => run({ wat: print, args: [`${round}-${i}`] })))))
  }
  for (const answer of answers) {
    assert.equal(answer.status, 200, JSON.stringify(answer.json))
    assert.deepEqual([answer.json.outcome, answer.json.stdout, answer.cache], ['exited', '42\n', 'miss'])
  }
  const names = new Set(answers.map((a) => a.servedBy))
  assert.deepEqual([...names].sort(), workers.map((w) => w.name).sort())
  // The result cache lives in Redis too.
  const again = await run({ wat: print, args: ['0-0'] })
  assert.deepEqual([again.cache, again.json.stdout], ['hit', '42\n'])

  // Two spinning runs, one on each worker; one worker is killed mid-run. Its job's lock
  // expires, and the other worker runs it once it is free: both clients get their answers.
  const spin = '(module (func (export "_start") (loop $l (br $l))))'
  const pending = [run({ wat: spin, args: ['a'] }), run({ wat: spin, args: ['b'] })]
  await new Promise((resolve) => setTimeout(resolve, 1000))
  workers[0].child.kill('SIGKILL')
  const spun = await Promise.all(pending)
  for (const answer of spun) {
    assert.equal(answer.status, 200)
    assert.equal(answer.json.outcome, 'timeout')
    assert.equal(answer.servedBy, workers[1].name)
  }
  // BullMQ counted one of them as stalled: the killed worker had it.
  const { Queue } = require('bullmq')
  const queue = new Queue('hermetic-wasi-runs', { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null }, prefix: 'hermetic-wasi' })
  t.after(() => queue.close())
  const completed = await queue.getJobs(['completed'], 0, 100)
  const stalled = completed.filter((job) => job.stalledCounter > 0)
  assert.equal(stalled.length, 1, 'one job was taken over from the killed worker')
  assert.ok(['a', 'b'].includes(stalled[0].data.body.args[0]))
})

test('a fleet without Redis: answers 503 at once, a waiting job leaves with its client, and it recovers', { skip, timeout: 120_000 }, async (t) => {
  const children = []
  t.after(() => children.forEach((child) => child.kill('SIGKILL')))
  // A server pointed at a Redis that is not there gives up after 10 s, saying so.
  const nowhere = await freePort()
  const unreachable = start(process.execPath, [CLI, 'serve', '--port', '0', '--redis', `redis://127.0.0.1:${nowhere}`], /listening/).then(
    () => assert.fail('it listened without Redis'),
    (error) => error.message,
  )

  const port = await freePort()
  const redisArgs = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  let redis = await start(redisServer, redisArgs, /Ready to accept connections/)
  children.push(redis.child)
  const url = `redis://127.0.0.1:${port}`
  const server = await start(process.execPath, [CLI, 'serve', '--port', '0', '--redis', url, '--max-timeout', '1500', '--answer-timeout', '4000'], /listening on (http:\/\/[0-9.:]+)/)
  children.push(server.child)
  const base = server.found[1]
  const worker = await start(process.execPath, [CLI, 'worker', '--redis', url, '--concurrency', '1'], /worker (\S+): ready/)
  children.push(worker.child)
  const call = async (pathname, body, signal) => {
    const response = await fetch(`${base}${pathname}`, body === undefined ? { signal } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal })
    return { status: response.status, retryAfter: response.headers.get('retry-after'), json: await response.json() }
  }
  assert.deepEqual(await call('/healthz'), { status: 200, retryAfter: null, json: { ok: true, redis: 'ok', workers: 1 } })

  // The worker is busy with one spinning run; a second waits in Redis, and its client leaves.
  const { Queue } = require('bullmq')
  const queue = new Queue('hermetic-wasi-runs', { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null }, prefix: 'hermetic-wasi' })
  queue.on('error', () => {})
  const spin = '(module (func (export "_start") (loop $l (br $l))))'
  const busy = call('/api/run', { wat: spin, args: ['busy'] })
  const leaving = new AbortController()
  const left = call('/api/run', { wat: spin, args: ['leaves'] }, leaving.signal).catch((error) => error.name)
  const until = async (what, check) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.fail(`timed out waiting until ${what}`)
  }
  await until('the second job waits', async () => (await queue.getWaitingCount()) === 1)
  leaving.abort()
  assert.equal(await left, 'AbortError')
  await until('the second job leaves the queue', async () => (await queue.getWaitingCount()) === 0)
  assert.equal((await busy).json.outcome, 'timeout')
  assert.equal((await queue.getJobs(['completed'])).length, 1, 'the job whose client left never ran')
  await queue.close()

  // Redis dies with a run in flight: that run, and every request after, is a 503, not a hang.
  const inFlight = call('/api/run', { wat: spin, args: ['in flight'] })
  await new Promise((resolve) => setTimeout(resolve, 300))
  redis.child.kill('SIGKILL')
  let started = Date.now()
  const lost = await inFlight
  assert.deepEqual([lost.status, lost.json.error.code, lost.json.error.message], [503, 'ERR_UNAVAILABLE', 'no worker answered within 4 s'])
  assert.ok(Date.now() - started < 6000, `the run in flight was answered after ${Date.now() - started} ms`)
  for (const [pathname, body] of [['/api/run', { wat: spin, args: ['down'] }], ['/api/share', { wat: spin }], ['/healthz']]) {
    started = Date.now()
    const answer = await call(pathname, body)
    assert.deepEqual([answer.status, answer.json.error.code, answer.retryAfter], [503, 'ERR_UNAVAILABLE', '2'], pathname)
    assert.match(answer.json.error.message, /^Redis is unreachable: /)
    assert.ok(Date.now() - started < 3000, `${pathname} answered after ${Date.now() - started} ms`)
  }

  // Redis comes back (empty): the server and the worker reconnect on their own.
  redis = await start(redisServer, redisArgs, /Ready to accept connections/)
  children.push(redis.child)
  await until('the server is healthy again', async () => (await call('/healthz')).status === 200)
  const hello = preview1('(call $print (i64.const 7))')
  await until('a run is answered again', async () => (await call('/api/run', { wat: hello })).status === 200)
  assert.deepEqual((await call('/api/run', { wat: hello })).json.stdout, '7\n')

  assert.match(await unreachable, new RegExp(`cannot reach Redis at redis://127.0.0.1:${nowhere} within 10 s`))
})

test('a fleet\'s bounds: an ACL user\'s URL, no workers is a 503 at once, the queue bound holds for requests arriving together', { skip, timeout: 120_000 }, async (t) => {
  const children = []
  t.after(() => children.forEach((child) => child.kill('SIGKILL')))
  const port = await freePort()
  const redis = await start(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/)
  children.push(redis.child)
  // A user of Redis's ACL, and the default user turned off: only the URL's user name gets in.
  const Redis = require('ioredis')
  const admin = new Redis({ host: '127.0.0.1', port })
  await admin.call('ACL', 'SETUSER', 'fleet', 'on', '>s3cret:@', '~*', '&*', '+@all')
  await admin.call('ACL', 'SETUSER', 'default', 'off')
  admin.disconnect()
  const url = `redis://fleet:${encodeURIComponent('s3cret:@')}@127.0.0.1:${port}`
  // The server takes the URL from its environment (out of the process list).
  const server = await start(process.execPath, [CLI, 'serve', '--port', '0', '--queue', '2', '--per-client', '100', '--max-timeout', '1000', '--answer-timeout', '20000'], /listening on (http:\/\/[0-9.:]+)/, { HERMETIC_WASI_REDIS_URL: url })
  children.push(server.child)
  const base = server.found[1]
  const call = async (pathname, body) => {
    const response = await fetch(`${base}${pathname}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: response.status, json: await response.json() }
  }
  const spin = (name) => ({ wat: '(module (func (export "_start") (loop $l (br $l))))', args: [name] })

  // No worker yet: the health check and a run say so at once, instead of waiting 20 s.
  const none = { status: 503, json: { error: { code: 'ERR_UNAVAILABLE', message: 'no worker is listening on the queue' } } }
  assert.deepEqual(await call('/healthz'), none)
  const started = Date.now()
  assert.deepEqual(await call('/api/run', spin('alone')), none)
  assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`)

  const worker = await start(process.execPath, [CLI, 'worker', '--redis', url, '--concurrency', '1'], /worker (\S+): ready/)
  children.push(worker.child)
  assert.deepEqual(await call('/healthz'), { status: 200, json: { ok: true, redis: 'ok', workers: 1 } })
  // The worker spins on one run; ten more arrive together: two wait (--queue 2), eight are refused.
  const busy = call('/api/run', spin('busy'))
  const { Queue } = require('bullmq')
  const queue = new Queue('hermetic-wasi-runs', { connection: require('../server/fleet').connection(url), prefix: 'hermetic-wasi' })
  t.after(() => queue.close())
  for (let i = 0; (await queue.getActiveCount()) === 0; i++) {
    assert.ok(i < 100, 'the worker never took the first run')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => call('/api/run', spin(`burst ${i}`))))
  const statuses = burst.map((answer) => answer.status).sort()
  assert.deepEqual(statuses, [200, 200, 503, 503, 503, 503, 503, 503, 503, 503])
  for (const answer of burst) {
    if (answer.status === 503) assert.equal(answer.json.error.code, 'ERR_BUSY')
    else assert.equal(answer.json.outcome, 'timeout')
  }
  assert.equal((await busy).json.outcome, 'timeout')

  // Redis filling up (its memory capped a little above what it holds): past 95% the health
  // check fails; past 80% snippets are refused and past 50% results are not cached, while runs
  // are still answered: the queue keeps its room.
  const fleetAdmin = new Redis({ host: '127.0.0.1', port, username: 'fleet', password: 's3cret:@' })
  t.after(() => fleetAdmin.disconnect())
  const capAt = async (fraction) => {
    const used = Number(/used_memory:(\d+)/.exec(await fleetAdmin.info('memory'))[1])
    await fleetAdmin.config('SET', 'maxmemory', String(Math.ceil(used / fraction)))
    await new Promise((resolve) => setTimeout(resolve, 1100)) // the server looks once a second
  }
  await capAt(0.97)
  const full = await call('/healthz')
  assert.deepEqual([full.status, full.json.error.code], [503, 'ERR_UNAVAILABLE'])
  assert.match(full.json.error.message, /^Redis is \d+% full$/)
  await capAt(0.85)
  const hello = { wat: preview1('(call $print (i64.const 5))') }
  for (let i = 0; i < 2; i++) {
    const answer = await fetch(`${base}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hello) })
    assert.deepEqual([answer.status, answer.headers.get('x-cache'), (await answer.json()).stdout], [200, 'miss', '5\n'])
  }
  const shared = await call('/api/share', hello)
  assert.deepEqual([shared.status, shared.json.error.code], [503, 'ERR_UNAVAILABLE'])
  assert.match(shared.json.error.message, /^Redis is \d+% full: no more shares are kept until it has room$/)
  await fleetAdmin.config('SET', 'maxmemory', '0')
  assert.equal((await call('/healthz')).status, 200)
  assert.equal((await call('/api/share', hello)).status, 201)

  // A wrong password is a clear error that does not print the password, for the server and
  // for a worker (given the URL in HERMETIC_WASI_REDIS_URL, out of the process list).
  const wrong = `redis://fleet:hunter2@127.0.0.1:${port}`
  const exits = (child) => new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  const lonely = spawn(process.execPath, [CLI, 'worker'], { env: { ...process.env, HERMETIC_WASI_REDIS_URL: wrong }, stdio: ['ignore', 'ignore', 'pipe'] })
  let lonelyErr = ''
  lonely.stderr.on('data', (chunk) => (lonelyErr += chunk))
  const [refused, lonelyCode] = await Promise.all([
    start(process.execPath, [CLI, 'serve', '--port', '0', '--redis', wrong], /listening/).then(
      () => assert.fail('it listened with a wrong password'),
      (error) => error.message,
    ),
    exits(lonely),
  ])
  assert.equal(lonelyCode, 1)
  assert.match(lonelyErr, /hermetic-wasi worker: cannot reach Redis at redis:\/\/fleet:\*\*\*@127\.0\.0\.1:\d+ within 10 s \(WRONGPASS /)
  assert.doesNotMatch(lonelyErr, /hunter2/)
  assert.doesNotMatch(refused, /hunter2 within/)
  assert.match(refused, /cannot reach Redis at redis:\/\/fleet:\*\*\*@127\.0\.0\.1:\d+ within 10 s \(WRONGPASS invalid username-password pair/)
})
