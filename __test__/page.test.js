// The playground page in a real browser (Debian's chromium, driven by playwright-core): type a
// program into the editor, run it with Ctrl+Enter, watch the output replay its virtual pauses in
// order, share it and open the link. Screenshots go to tests/guests/target/screenshots/.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { createApp } = require('../server/app')

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p))
const skip = chromiumPath ? false : 'chromium is not installed (apt install chromium): the browser tests are skipped'
const shots = path.join(__dirname, '..', 'tests', 'guests', 'target', 'screenshots')

/** A server on a free port and a headless chromium, both stopped after test `t`. */
async function start(t) {
  const { chromium } = require('playwright-core')
  const app = await createApp()
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] })
  t.after(async () => {
    await browser.close()
    await app.close()
  })
  return { base, browser }
}

const sleepy = fs.readFileSync(path.join(__dirname, '..', 'server', 'page', 'sleep.wat'), 'utf8')

test('the page runs a typed program and replays its output with its pauses, in order', { skip }, async (t) => {
  const { base, browser } = await start(t)
  fs.mkdirSync(shots, { recursive: true })
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
  await page.goto(base)
  await page.waitForSelector('.cm-content')
  // The default example: stdout and stderr, styled apart.
  await page.click('#run')
  await page.waitForFunction(() => document.getElementById('outcome').textContent.startsWith('exited'))
  assert.equal(await page.textContent('#output .stdout'), 'hello, world\n')
  assert.equal(await page.textContent('#output .stderr'), 'a line on stderr\n')
  const colors = await page.evaluate(() => ['stdout', 'stderr'].map((c) => getComputedStyle(document.querySelector(`#output .${c}`)).color))
  assert.notEqual(colors[0], colors[1])

  // Type a program into the editor: select everything, then the keyboard.
  await page.click('.cm-content')
  await page.keyboard.press('Control+A')
  await page.keyboard.press('Delete')
  await page.keyboard.insertText(sleepy)
  assert.equal(await page.evaluate(() => document.querySelector('.cm-content').innerText.includes('tick 3')), true)
  await page.fill('#args', `a 'b c' "it's"`)
  await page.click('#more summary')
  const more = { env: { NAME: 'value' }, seed: '18446744073709551615', startTime: '2001-02-03T04:05:06.000Z', limits: { fuel: 1e9 }, files: { 'in.txt': { base64: 'AP8=' } } }
  await page.fill('#options', JSON.stringify(more))
  const posted = []
  page.on('request', (request) => {
    if (request.url().endsWith('/api/run')) posted.push(JSON.parse(request.postData()))
  })
  // Record when each line appears.
  await page.evaluate(() => {
    window.seen = []
    new MutationObserver(() => window.seen.push([document.getElementById('output').textContent, performance.now()]))
      .observe(document.getElementById('output'), { childList: true, subtree: true })
  })
  // The answer is held until both presses are in: pressed during the replay, the second one
  // would skip it (as it should), and the pauses would not be seen.
  let release
  const held = new Promise((resolve) => (release = resolve))
  await page.route('**/api/run', async (route) => {
    await held
    await route.continue()
  })
  await page.click('.cm-content')
  await page.keyboard.press('Control+Enter')
  // Pressed again while the run is on its way: still one run.
  await page.keyboard.press('Control+Enter')
  release()
  await page.waitForFunction(() => document.getElementById('outcome').textContent === 'exited, exit code 0', null, { timeout: 10_000 })
  assert.equal(posted.length, 1)
  assert.deepEqual(posted[0], { wat: sleepy, args: ['a', 'b c', "it's"], stdin: '', ...more })
  const seen = (await page.evaluate(() => window.seen)).filter(([text]) => text !== '')
  assert.deepEqual(seen.map(([text]) => text), ['tick 1\n', 'tick 1\ntick 2\n', 'tick 1\ntick 2\ntick 3\n'])
  // 500 ms of virtual time between lines, replayed at 1x.
  for (let i = 1; i < 3; i++) assert.ok(seen[i][1] - seen[i - 1][1] >= 400, `pause ${i}: ${seen[i][1] - seen[i - 1][1]} ms`)
  assert.equal(await page.textContent('#status'), 'Virtual time: 1.000 s')
  await page.screenshot({ path: path.join(shots, 'playground.png') })

  // Share it, and open the link: the program and its inputs come back.
  await page.click('#share')
  await page.waitForFunction(() => document.getElementById('shared').textContent.includes('/p/'))
  const link = await page.textContent('#shared')
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true })
  await phone.goto(link)
  await phone.waitForFunction(() => document.querySelector('.cm-content')?.innerText.includes('tick 3'))
  assert.equal(await phone.inputValue('#args'), `a 'b c' 'it'\\''s'`)
  assert.deepEqual(JSON.parse(await phone.inputValue('#options')), more)
  const again = []
  phone.on('request', (request) => {
    if (request.url().endsWith('/api/run')) again.push(JSON.parse(request.postData()))
  })
  await phone.click('#run')
  await phone.click('#skip').catch(() => {})
  await phone.waitForFunction(() => document.getElementById('outcome').textContent === 'exited, exit code 0', null, { timeout: 10_000 })
  assert.equal(await phone.textContent('#output'), 'tick 1\ntick 2\ntick 3\n')
  assert.deepEqual(again, posted)
  // The outcome is on the screen, not below it.
  assert.ok(await phone.evaluate(() => document.getElementById("outcome").getBoundingClientRect().bottom <= innerHeight + 1))
  // Nothing wider than the phone's screen.
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390))
  await phone.screenshot({ path: path.join(shots, 'playground-phone.png') })
})

test('the page shows a trap and an invalid program', { skip }, async (t) => {
  const { base, browser } = await start(t)
  const page = await browser.newPage()
  await page.goto(base)
  await page.waitForSelector('.cm-content')
  const program = async (wat) => {
    await page.click('.cm-content')
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Delete')
    await page.keyboard.insertText(wat)
    await page.keyboard.press('Control+Enter')
  }
  await program('(module (func (export "_start") unreachable))')
  await page.waitForFunction(() => document.getElementById('outcome').textContent.startsWith('trapped'))
  assert.match(await page.textContent('#outcome'), /^trapped, exit code 134wasm `unreachable` instruction executed/)
  await program('(module (func')
  await page.waitForFunction(() => document.getElementById('outcome').textContent.startsWith('ERR_'))
  assert.match(await page.textContent('#outcome'), /^ERR_INVALID_WASM: invalid WebAssembly text/)
  // The compiler's message keeps its lines and its caret, in a monospaced font.
  const shown = await page.evaluate(() => {
    const error = document.querySelector('#outcome .error')
    return { lines: error.innerText.split('\n').length, font: getComputedStyle(error).fontFamily, whiteSpace: getComputedStyle(error).whiteSpace }
  })
  assert.ok(shown.lines > 1, JSON.stringify(shown))
  assert.match(shown.font, /monospace/)
  assert.equal(shown.whiteSpace, 'pre-wrap')
  // Options that are not JSON: the page says so, and nothing is sent.
  await page.click('#more summary')
  await page.fill('#options', '{ env: 1 }')
  await page.click('#run')
  await page.waitForFunction(() => document.getElementById('outcome').textContent.startsWith('ERR_PAGE'))
  assert.match(await page.textContent('#outcome'), /^ERR_PAGE: More options is not JSON: /)
  await page.fill('#options', '{ "limits": { "timeout": 1 } }')
  await page.click('#run')
  await page.waitForFunction(() => document.getElementById('outcome').textContent.startsWith('ERR_INVALID_REQUEST'))
  assert.equal(await page.textContent('#outcome'), 'ERR_INVALID_REQUEST: body/limits must NOT have additional properties')
})

test('the page: thousands of tiny writes replay at once, Run during a replay skips it, shares keep returns and newlines, long traps wrap', { skip }, async (t) => {
  const { base, browser } = await start(t)
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true })
  await page.goto(base)
  await page.waitForSelector('.cm-content')
  const posted = []
  page.on('request', (request) => {
    if (request.url().endsWith('/api/run')) posted.push(JSON.parse(request.postData()))
  })
  const program = async (wat) => {
    await page.click('.cm-content')
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Delete')
    await page.keyboard.insertText(wat)
  }
  const { preview1 } = require('../tests/determinism/bounds')
  // 5000 writes of one byte each, no pause between them: shown within a few frames.
  await program(preview1(`(local $i i32)
    (i32.store8 (i32.const 100) (i32.const 120))
    (loop $again
      (call $say (i32.const 100) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 5000))))`))
  await page.click('#run')
  await page.waitForFunction(() => document.getElementById('outcome').textContent === 'exited, exit code 0', null, { timeout: 10_000 })
  assert.equal(await page.textContent('#output'), 'x'.repeat(5000))

  // Run during a replay skips to its end; the next Run is a new run.
  await program(sleepy)
  await page.click('#run')
  await page.waitForFunction(() => document.getElementById('output').textContent === 'tick 1\n')
  await page.click('#run')
  assert.equal(await page.textContent('#output'), 'tick 1\ntick 2\ntick 3\n')
  await page.waitForFunction(() => document.getElementById('outcome').textContent === 'exited, exit code 0')
  assert.equal(posted.length, 2)
  await page.click('#run')
  await page.waitForFunction(() => document.getElementById('output').textContent === 'tick 1\n')
  assert.equal(posted.length, 3)
  await page.click('#skip')

  // A carriage return in stdin and a newline in an argument survive a share (in More options).
  await page.click('#more summary')
  await page.fill('#options', JSON.stringify({ stdin: 'a\r\nb', args: ['x\ny', 'z'] }))
  await page.click('#share')
  await page.waitForFunction(() => document.getElementById('shared').textContent.includes('/p/'))
  const link = await page.textContent('#shared')
  const opened = await browser.newPage()
  await opened.goto(link)
  await opened.waitForFunction(() => document.querySelector('.cm-content')?.innerText.includes('tick 3'))
  assert.deepEqual(JSON.parse(await opened.inputValue('#options')), { stdin: 'a\r\nb', args: ['x\ny', 'z'] })
  const rerun = []
  opened.on('request', (request) => {
    if (request.url().endsWith('/api/run')) rerun.push(JSON.parse(request.postData()))
  })
  await opened.click('#run')
  await opened.waitForFunction(() => document.getElementById('outcome').textContent.startsWith('exited'))
  assert.deepEqual([rerun[0].stdin, rerun[0].args], ['a\r\nb', ['x\ny', 'z']])

  // A trap whose frame is one long word wraps on a phone instead of widening the page.
  await page.fill('#options', '')
  const name = `$${'f'.repeat(300)}`
  await program(`(module (func ${name} unreachable) (func (export "_start") (call ${name})))`)
  await page.click('#run')
  await page.waitForFunction(() => document.getElementById('outcome').textContent.startsWith('trapped'))
  assert.match(await page.textContent('#outcome'), /f{300}/)
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page is wider than the phone')
})
