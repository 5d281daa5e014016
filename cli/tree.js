// Host directories in and out of the sandbox's in-memory filesystem (`files`).
'use strict'

const fs = require('node:fs')
const path = require('node:path')

/**
 * The `files` option for the tree under `dir`: files, directories and symlinks (as links, never
 * followed), by path relative to `dir`. Anything else (a socket, a device) is refused; errors
 * name the tree as `label` (the flag or file that gave it).
 */
function readTree(dir, UsageError, label = '--files') {
  const files = {}
  const walk = (relative) => {
    let entries
    try {
      entries = fs.readdirSync(path.join(dir, relative), { withFileTypes: true })
    } catch (error) {
      throw new UsageError(`cannot read ${label} '${dir}': ${error.message}`)
    }
    for (const entry of entries) {
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`
      const full = path.join(dir, name)
      if (entry.isDirectory()) {
        files[name] = { type: 'dir' }
        walk(name)
      } else if (entry.isFile()) {
        files[name] = fs.readFileSync(full)
      } else if (entry.isSymbolicLink()) {
        files[name] = { type: 'symlink', target: fs.readlinkSync(full) }
      } else {
        throw new UsageError(`${label}: '${full}' is neither a file, a directory nor a symlink`)
      }
    }
  }
  walk('')
  return files
}

/**
 * Writes a result's `files` under `dir` (created; it must not exist). Paths come checked by the
 * engine (relative, no `..`); symlinks are made last, so no write goes through one.
 */
function writeTree(dir, files) {
  fs.mkdirSync(dir, { recursive: true })
  const links = []
  for (const [name, entry] of Object.entries(files)) {
    const full = path.join(dir, name)
    if (Buffer.isBuffer(entry)) {
      fs.mkdirSync(path.dirname(full), { recursive: true })
      fs.writeFileSync(full, entry, { flag: 'wx' })
    } else if (entry.type === 'dir') {
      fs.mkdirSync(full, { recursive: true })
    } else {
      links.push([entry.target, full])
    }
  }
  for (const [target, full] of links) {
    fs.mkdirSync(path.dirname(full), { recursive: true })
    fs.symlinkSync(target, full)
  }
}

module.exports = { readTree, writeTree }
