// The parts of CodeMirror 6 the page uses, bundled by scripts/build-page.js into
// editor.bundle.js (served by the server: no CDN).
export { EditorView, basicSetup } from 'codemirror'
export { keymap } from '@codemirror/view'
export { Prec } from '@codemirror/state'
