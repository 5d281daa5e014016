// The playground page: an editor, inputs, Run (Ctrl/Cmd+Enter), and an output pane that replays
// a run's output events with their virtual pauses (scaled, each capped, with a skip button).
// Talks to the server's API only: POST /api/run, POST /api/share, GET /api/share/<id>.
import { EditorView, basicSetup, keymap, Prec } from '/page/editor.bundle.js'
import { splitArgs, joinArgs } from '/page/words.mjs'

/** Real time per virtual second of a replay, and the longest single pause, in ms. */
const SPEED = 1
const MAX_PAUSE_MS = 2000

const $ = (id) => document.getElementById(id)
const examples = {
  hello: await fetch('/page/hello.wat').then((r) => r.text()),
  sleep: await fetch('/page/sleep.wat').then((r) => r.text()),
}
let binary = null // an uploaded .wasm, as base64, while it is the program
let replay = null // the replay in progress: { skip() }
let active = null // the run in progress, its request and its replay: one at a time

const run = () => {
  start()
  return true
}
const editor = new EditorView({
  doc: examples.hello,
  extensions: [basicSetup, EditorView.lineWrapping, Prec.highest(keymap.of([{ key: 'Mod-Enter', run }]))],
  parent: $('editor'),
})
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !editor.hasFocus) {
    event.preventDefault()
    start()
  }
})

function setProgram(text) {
  binary = null
  $('binary').hidden = true
  editor.dom.hidden = false
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } })
}

$('example').addEventListener('change', () => {
  const choice = $('example').value
  if (choice === 'upload') $('upload').click()
  else setProgram(examples[choice])
})
$('upload').addEventListener('change', async () => {
  const file = $('upload').files[0]
  if (!file) return
  const bytes = new Uint8Array(await file.arrayBuffer())
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  binary = btoa(text)
  editor.dom.hidden = true
  $('binary').hidden = false
  $('binary').textContent = `${file.name}: ${bytes.length} bytes of WebAssembly. Pick an example to edit text again.`
})

/** The options the page has no field for, kept in "More options" as JSON. */
const MORE = ['env', 'files', 'seed', 'startTime', 'limits', 'stdin']

/** The request body for the program and inputs on the page; throws what is wrong with them. */
function body() {
  let more = {}
  const text = $('options').value.trim()
  if (text !== '') {
    try {
      more = JSON.parse(text)
    } catch (error) {
      throw new Error(`More options is not JSON: ${error.message}`)
    }
    if (typeof more !== 'object' || more === null || Array.isArray(more)) throw new Error('More options must be a JSON object')
  }
  return {
    ...(binary ? { wasm: binary } : { wat: editor.state.doc.toString() }),
    args: splitArgs($('args').value),
    stdin: $('stdin').value,
    ...more,
  }
}

/** Shows an API error (or one of the page's own), monospaced: compilers' messages span lines. */
function showError(code, message) {
  const outcome = $('outcome')
  outcome.textContent = `${code}: `
  const detail = document.createElement('span')
  detail.className = 'error'
  detail.textContent = message
  outcome.append(detail)
  outcome.scrollIntoView({ block: 'nearest' })
}

/** The answer of a POST of the page's body to `route`, or an `{ error }` of the page's own. */
async function post(route) {
  try {
    const response = await fetch(route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body()) })
    return await response.json()
  } catch (error) {
    return { error: { code: error instanceof TypeError ? 'ERR_NETWORK' : 'ERR_PAGE', message: error.message } }
  }
}

/** Text of `data` ({ base64 } for bytes that are not UTF-8). */
const text = (data) => (typeof data === 'string' ? data : new TextDecoder().decode(Uint8Array.from(atob(data.base64), (c) => c.charCodeAt(0))))

/** Run and Ctrl/Cmd+Enter: a run, unless one is on its way; during a replay, they skip it. */
function start() {
  if (active) return replay?.skip()
  active = runOnce().finally(() => (active = null))
}

async function runOnce() {
  $('run').disabled = true
  $('output').textContent = ''
  $('outcome').textContent = ''
  $('status').textContent = 'Running…'
  const answer = await post('/api/run')
  $('run').disabled = false
  if (answer.error) {
    $('status').textContent = ''
    showError(answer.error.code, answer.error.message)
    return
  }
  await play(answer)
  showOutcome(answer)
}

/**
 * Appends each event's text when its virtual time comes, scaled by SPEED, each pause capped:
 * every event whose time has come at once, so that thousands of tiny writes take no longer
 * than their pauses.
 */
function play(result) {
  return new Promise((resolve) => {
    const events = result.events ?? []
    // When each event is due, in ms of real time from the start of the replay.
    const due = []
    let previousNs = 0
    for (const event of events) {
      const pause = Math.min(((Number(event.timeNs) - previousNs) / 1e6) * SPEED, MAX_PAUSE_MS)
      due.push((due.at(-1) ?? 0) + pause)
      previousNs = Number(event.timeNs)
    }
    const began = performance.now()
    let at = 0
    let timer = null
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      $('skip').hidden = true
      $('status').textContent = `Virtual time: ${(Number(result.virtualTimeNs) / 1e9).toFixed(3)} s`
      replay = null
      resolve()
    }
    /** Appends the events before `end`. */
    const show = (end) => {
      const batch = document.createDocumentFragment()
      for (; at < end; at++) {
        const span = document.createElement('span')
        span.className = events[at].stream
        span.textContent = text(events[at].data)
        batch.append(span)
      }
      $('output').append(batch)
    }
    const next = () => {
      const now = performance.now() - began
      let end = at
      while (end < events.length && due[end] <= now) end++
      show(end)
      if (at >= events.length) return finish()
      timer = setTimeout(next, due[at] - now)
    }
    replay = {
      skip() {
        clearTimeout(timer)
        show(events.length)
        finish()
      },
    }
    $('skip').hidden = events.length === 0
    $('status').textContent = 'Replaying…'
    next()
  })
}

function showOutcome(result) {
  const outcome = $('outcome')
  outcome.textContent = `${result.outcome}, exit code ${result.exitCode}`
  if (result.trap) {
    const trap = document.createElement('span')
    trap.className = 'trap'
    trap.textContent = [result.trap.message, ...(result.trap.backtrace ?? []).map((frame) => `  at ${frame}`)].join('\n')
    outcome.append(trap)
  }
  // On a phone the output pane may fill the screen: bring the outcome into view.
  outcome.scrollIntoView({ block: 'nearest' })
}

$('run').addEventListener('click', start)
$('skip').addEventListener('click', () => replay?.skip())
$('share').addEventListener('click', async () => {
  const answer = await post('/api/share')
  const shared = $('shared')
  shared.textContent = ''
  if (answer.id) {
    const link = document.createElement('a')
    link.href = link.textContent = `${location.origin}/p/${answer.id}`
    shared.append(link)
  } else shared.textContent = `${answer.error.code}: ${answer.error.message}`
  shared.scrollIntoView({ block: 'nearest' })
})

// /p/<id>: the shared snippet, loaded.
const shared = /^\/p\/([A-Za-z0-9_-]+)$/.exec(location.pathname)
if (shared) {
  const response = await fetch(`/api/share/${shared[1]}`)
  const snippet = await response.json()
  if (snippet.error) showError(snippet.error.code, snippet.error.message)
  else {
    if (snippet.wat !== undefined) setProgram(snippet.wat)
    else {
      binary = snippet.wasm
      editor.dom.hidden = true
      $('binary').hidden = false
      $('binary').textContent = 'A shared WebAssembly binary.'
    }
    const more = Object.fromEntries(MORE.map((name) => [name, snippet[name]]).filter(([, value]) => value !== undefined))
    // A text field turns a carriage return into a newline, and an input drops newlines:
    // text holding them stays in More options, as JSON, which keeps them.
    const breaks = (value) => /[\r\n]/.test(value)
    const returns = (value) => /\r/.test(value)
    if ((snippet.args ?? []).some(breaks)) more.args = snippet.args
    else $('args').value = joinArgs(snippet.args ?? [])
    if (typeof snippet.stdin === 'string' && !returns(snippet.stdin)) {
      $('stdin').value = snippet.stdin
      delete more.stdin
    }
    if (Object.keys(more).length > 0) {
      $('options').value = JSON.stringify(more, null, 2)
      $('more').open = true
    }
  }
}
