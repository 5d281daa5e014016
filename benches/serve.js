// `POST /api/run` throughput and latency with autocannon: hello (the preview1 build, which
// node:wasi runs too) through `hermetic-wasi serve` with its result cache off and on, side by
// side with a minimal node:wasi server doing the same work (compile once per program, a fresh
// instance per request, stdout captured, JSON out). Each server is a child process; the load
// comes from this one. Writes the section between the serve markers of BENCHMARKS.md. Run with
// `npm run bench:serve` (it builds what it needs first).
'use strict'

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const autocannon = require('autocannon')

const root = path.join(__dirname, '..')
const hello = fs.readFileSync(path.join(root, 'tests', 'guests', 'target', 'wasm32-wasip1', 'release', 'hello.wasm'))
const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = 8

/** The node:wasi server: what a user would write without hermetic-wasi. */
const NODE_WASI_SERVER = `
const http = require('node:http'), fs = require('node:fs'), os = require('node:os'), path = require('node:path')
const crypto = require('node:crypto'), { WASI } = require('node:wasi')
const modules = new Map()
let n = 0
http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', async () => {
    const body = JSON.parse(Buffer.concat(chunks))
    const wasm = Buffer.from(body.wasm, 'base64')
    const key = crypto.createHash('sha256').update(wasm).digest('hex')
    if (!modules.has(key)) modules.set(key, await WebAssembly.compile(wasm))
    const out = path.join(os.tmpdir(), 'nodewasi-' + process.pid + '-' + n++)
    const fd = fs.openSync(out, 'w+')
    const wasi = new WASI({ version: 'preview1', args: body.args ?? [], env: {}, stdout: fd, stderr: fd, returnOnExit: true })
    const instance = await WebAssembly.instantiate(modules.get(key), wasi.getImportObject())
    const exitCode = wasi.start(instance)
    fs.closeSync(fd)
    const stdout = fs.readFileSync(out, 'utf8')
    fs.unlinkSync(out)
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ outcome: 'exited', exitCode, stdout }))
  })
}).listen(0, '127.0.0.1', function () { process.stderr.write('listening on http://127.0.0.1:' + this.address().port + '\\n') })
`

function start(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      const found = /listening on (http:\/\/[0-9.:]+)/.exec(stderr)
      if (found) resolve({ child, url: found[1] })
    })
    child.on('exit', () => reject(new Error(stderr)))
  })
}

async function load(url, body) {
  // Warm up: the first request compiles.
  const first = await fetch(`${url}/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const answer = await first.json()
  if (!/hello from stdout/.test(answer.stdout)) throw new Error(JSON.stringify(answer))
  const result = await autocannon({ url: `${url}/api/run`, method: 'POST', headers: { 'content-type': 'application/json' }, body, duration: DURATION, connections: CONNECTIONS })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`)
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
}

async function main() {
  const body = JSON.stringify({ wasm: hello.toString('base64') })
  const cli = path.join(root, 'cli', 'hermetic-wasi.js')
  const servers = [
    ['hermetic-wasi serve, result cache off', [cli, 'serve', '--port', '0', '--cache-entries', '0', '--per-client', '64']],
    ['hermetic-wasi serve, result cache on', [cli, 'serve', '--port', '0', '--per-client', '64']],
    ['minimal node:wasi server', ['-e', NODE_WASI_SERVER]],
  ]
  const rows = []
  for (const [name, args] of servers) {
    const { child, url } = await start(args)
    try {
      const { rps, p50, p99 } = await load(url, body)
      rows.push(`| ${name} | ${rps.toFixed(0)} | ${p50} ms | ${p99} ms |`)
    } finally {
      child.kill()
    }
  }
  const table = ['| hello (preview1) through POST /api/run | requests/s | p50 | p99 |', '| --- | --- | --- | --- |', ...rows].join('\n')
  console.log(table)
  const file = path.join(root, 'BENCHMARKS.md')
  const [start_, end] = ['<!-- serve:start -->', '<!-- serve:end -->']
  const doc = fs.readFileSync(file, 'utf8')
  const section = `${start_}\nMeasured with \`npm run bench:serve\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0].model}): autocannon, ${CONNECTIONS} connections for ${DURATION} s per server, from the same machine.\n\n${table}\n${end}`
  fs.writeFileSync(file, doc.includes(start_) ? doc.slice(0, doc.indexOf(start_)) + section + doc.slice(doc.indexOf(end) + end.length) : `${doc.trimEnd()}\n\n## The playground server (#14)\n\n${section}\n`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
