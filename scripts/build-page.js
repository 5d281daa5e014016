// Bundles the page's editor (server/page/editor.js: CodeMirror 6 from npm) into
// server/page/editor.bundle.js with esbuild. Run by `npm run build`; the bundle ships in the
// package, so users need no build step.
'use strict'

const path = require('node:path')
const esbuild = require('esbuild')

const page = path.join(__dirname, '..', 'server', 'page')
esbuild.buildSync({
  entryPoints: [path.join(page, 'editor.js')],
  outfile: path.join(page, 'editor.bundle.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  legalComments: 'eof',
  target: 'es2020',
  logLevel: 'warning',
})
