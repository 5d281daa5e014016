// The playground page: an editor, inputs, Run (Ctrl/Cmd+Enter), and an output pane that replays
// a run's output events with their virtual pauses (scaled, each capped, with a skip button).
// Talks to the server's API only: POST /api/run, POST /api/share, GET /api/share/<id>.
import { EditorView, basicSetup, keymap, Prec } from '/page/editor.bundle.js'

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

/** The request body for the program and inputs on the page. */
function body() {
  const args = $('args').value.trim()
  return {
    ...(binary ? { wasm: binary } : { wat: editor.state.doc.toString() }),
    args: args === '' ? [] : args.split(/\s+/),
    stdin: $('stdin').value,
  }
}

/** Text of `data` ({ base64 } for bytes that are not UTF-8). */
const text = (data) => (typeof data === 'string' ? data : new TextDecoder().decode(Uint8Array.from(atob(data.base64), (c) => c.charCodeAt(0))))

async function start() {
  replay?.skip()
  $('run').disabled = true
  $('output').textContent = ''
  $('outcome').textContent = ''
  $('status').textContent = 'Running…'
  let answer
  try {
    const response = await fetch('/api/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body()) })
    answer = await response.json()
  } catch (error) {
    answer = { error: { code: 'ERR_NETWORK', message: String(error) } }
  }
  $('run').disabled = false
  if (answer.error) {
    $('status').textContent = ''
    $('outcome').textContent = `${answer.error.code}: ${answer.error.message}`
    return
  }
  await play(answer)
  showOutcome(answer)
}

/** Appends each event's text when its virtual time comes, scaled by SPEED, each pause capped. */
function play(result) {
  return new Promise((resolve) => {
    const events = result.events ?? []
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
    const show = (event) => {
      const span = document.createElement('span')
      span.className = event.stream
      span.textContent = text(event.data)
      $('output').append(span)
    }
    const next = (previousNs) => {
      if (at >= events.length) return finish()
      const event = events[at]
      const pause = Math.min(((Number(event.timeNs) - previousNs) / 1e6) * SPEED, MAX_PAUSE_MS)
      timer = setTimeout(() => {
        at++
        show(event)
        next(Number(event.timeNs))
      }, pause)
    }
    replay = {
      skip() {
        clearTimeout(timer)
        while (at < events.length) show(events[at++])
        finish()
      },
    }
    $('skip').hidden = events.length === 0
    $('status').textContent = 'Replaying…'
    next(0)
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
}

$('run').addEventListener('click', start)
$('skip').addEventListener('click', () => replay?.skip())
$('share').addEventListener('click', async () => {
  const response = await fetch('/api/share', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body()) })
  const answer = await response.json()
  $('shared').textContent = answer.id ? `${location.origin}/p/${answer.id}` : `${answer.error.code}: ${answer.error.message}`
})

// /p/<id>: the shared snippet, loaded.
const shared = /^\/p\/([A-Za-z0-9_-]+)$/.exec(location.pathname)
if (shared) {
  const response = await fetch(`/api/share/${shared[1]}`)
  const snippet = await response.json()
  if (snippet.error) $('outcome').textContent = `${snippet.error.code}: ${snippet.error.message}`
  else {
    if (snippet.wat !== undefined) setProgram(snippet.wat)
    else {
      binary = snippet.wasm
      editor.dom.hidden = true
      $('binary').hidden = false
      $('binary').textContent = 'A shared WebAssembly binary.'
    }
    $('args').value = (snippet.args ?? []).join(' ')
    $('stdin').value = typeof snippet.stdin === 'string' ? snippet.stdin : ''
  }
}
