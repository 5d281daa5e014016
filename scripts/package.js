#!/usr/bin/env node
// `npm run package`: builds the prebuilt binaries this machine can build and writes every
// tarball into dist/: the main package (hermetic-wasi, no binary of its own, each platform's
// package an optional dependency) and one package per platform (hermetic-wasi-<platform>,
// napi-rs's layout: npm/<platform>/package.json with its os, cpu and libc).
//
//   node scripts/package.js [--platforms linux-x64-gnu,linux-arm64-gnu,...] [--build-only]
//
// The Linux gnu binaries are built with napi-rs's gcc cross toolchains (`napi build
// --use-napi-cross`, @napi-rs/cross-toolchain) against glibc 2.17 (RHEL/CentOS 7, Amazon Linux 2
// and every later distribution, as napi-rs's own packages are), linked to the system's
// libgcc_s. Not with Zig: Zig links LLVM's libunwind into the binary, whose frame registration
// is linear per function, so loading a program of n functions took time in n² (a module of
// 200,000 functions compiled in 28 s instead of 6). The musl ones are cross-compiled with Zig
// (cargo-zigbuild, `napi build -x`). All are stripped and checked: the gnu ones need no glibc
// symbol newer than 2.17 and link libgcc_s; the musl ones link musl's loader. macOS and Windows
// binaries are built on their own runners by .github/workflows/release.yml; a binary found in
// target/package/<platform>/ (an artifact from there) is packaged too.
'use strict'

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { parseArgs } = require('node:util')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')

/** The platforms built here, with the Rust target each is built for. */
const LINUX = {
  'linux-x64-gnu': 'x86_64-unknown-linux-gnu',
  'linux-x64-musl': 'x86_64-unknown-linux-musl',
  'linux-arm64-gnu': 'aarch64-unknown-linux-gnu',
  'linux-arm64-musl': 'aarch64-unknown-linux-musl',
}

/** Every platform the main package declares: npm/<platform>/. */
const PLATFORMS = fs.readdirSync(path.join(root, 'npm')).sort()

const run = (command, args, options = {}) => execFileSync(command, args, { cwd: root, stdio: 'inherit', ...options })
const timed = (what, work) => {
  const started = Date.now()
  const result = work()
  console.log(`::: ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return result
}

function main() {
  const options = { platforms: { type: 'string', default: Object.keys(LINUX).join(',') }, 'build-only': { type: 'boolean' } }
  const { values } = parseArgs({ options })
  // `--platforms ''` builds nothing: it packs the binaries already in target/package/ (the
  // release workflow's artifacts).
  const wanted = values.platforms.split(',').filter(Boolean)
  for (const platform of wanted) {
    if (!(platform in LINUX)) throw new Error(`--platforms: ${platform} is not built here; these are: ${Object.keys(LINUX).join(', ')}`)
  }
  for (const platform of wanted) timed(`build ${platform}`, () => build(platform))
  // The release workflow's Linux jobs: the binaries only, packed later with the others.
  if (values['build-only']) return
  const dist = path.join(root, 'dist')
  fs.rmSync(dist, { recursive: true, force: true })
  fs.mkdirSync(path.join(dist, 'stage'), { recursive: true })
  const packed = []
  for (const platform of PLATFORMS) {
    const binary = path.join(root, 'target', 'package', platform, `${pkg.napi.binaryName}.${platform}.node`)
    if (fs.existsSync(binary)) packed.push(packPlatform(platform, binary, dist))
  }
  packed.push(packMain(dist))
  fs.rmSync(path.join(dist, 'stage'), { recursive: true })
  console.log(`dist/: ${packed.join(', ')}`)
}

/** napi-rs's gcc cross toolchain packages, by Rust target, at the newest version each has. */
const TOOLCHAINS = {
  'x86_64-unknown-linux-gnu': '@napi-rs/cross-toolchain-x64-target-x86_64@1.0.0',
  'aarch64-unknown-linux-gnu': '@napi-rs/cross-toolchain-x64-target-aarch64@1.0.3',
}

/**
 * The directory of the cross toolchain for `triple`, unpacked where `napi build
 * --use-napi-cross` looks for it unless it is there. The CLI would fetch the version of its own @napi-rs/cross-toolchain
 * (1.0.5), which was never published for these targets; the newest published ones are taken.
 */
function toolchain(triple) {
  const cli = path.dirname(require.resolve('@napi-rs/cli/package.json'))
  const { version } = require(require.resolve('@napi-rs/cross-toolchain/package.json', { paths: [cli] }))
  const dir = path.join(os.homedir(), '.napi-rs', 'cross-toolchain', version, triple)
  if (fs.existsSync(path.join(dir, 'package.json'))) return dir
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'toolchain-'))
  const tarball = execFileSync('npm', ['pack', '--silent', TOOLCHAINS[triple]], { cwd: temp, encoding: 'utf8' }).trim().split('\n').pop()
  run('tar', ['-xzf', tarball], { cwd: temp })
  const xz = fs.readdirSync(path.join(temp, 'package')).find((name) => name.endsWith('.tar.xz'))
  fs.mkdirSync(dir, { recursive: true })
  run('tar', ['-xJf', path.join(temp, 'package', xz), '-C', dir])
  fs.rmSync(temp, { recursive: true })
  return dir
}

/** Builds `platform`'s binary into target/package/<platform>/, and checks what it links to. */
function build(platform) {
  const out = path.join(root, 'target', 'package', platform)
  const gnu = platform.endsWith('-gnu')
  if (gnu) toolchain(LINUX[platform])
  const cross = gnu ? '--use-napi-cross' : '-x'
  run('npx', ['napi', 'build', '--platform', '--release', '--strip', cross, '--target', LINUX[platform], '--output-dir', out])
  const binary = path.join(out, `${pkg.napi.binaryName}.${platform}.node`)
  // `--strip` strips Zig's builds only: the toolchain's own strip does the gnu ones.
  if (gnu) run(path.join(toolchain(LINUX[platform]), 'bin', `${LINUX[platform]}-strip`), [binary])
  const dynamic = execFileSync('readelf', ['--dyn-syms', '--dynamic', '--wide', binary], { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (platform.endsWith('-gnu')) {
    const versions = [...dynamic.matchAll(/GLIBC_([0-9.]+)/g)].map((m) => m[1])
    const newest = versions.sort((a, b) => compareVersions(b, a))[0]
    if (compareVersions(newest, '2.17') > 0) throw new Error(`${platform} needs glibc ${newest}, newer than 2.17`)
    if (!/Shared library: \[libgcc_s\.so\.1\]/.test(dynamic)) throw new Error(`${platform} does not link libgcc_s (an unwinder of its own registers frames in n²)`)
    console.log(`${platform}: ${fs.statSync(binary).size} bytes, glibc ${newest} at most`)
  } else {
    if (!/Shared library: \[libc\.so\]/.test(dynamic) && !/ld-musl/.test(dynamic)) throw new Error(`${platform} does not link to musl's libc.so`)
    if (/GLIBC_/.test(dynamic)) throw new Error(`${platform} links to glibc`)
    console.log(`${platform}: ${fs.statSync(binary).size} bytes, links to musl's libc.so`)
  }
}

const compareVersions = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  }
  return 0
}

/** Packs hermetic-wasi-<platform> with `binary`; answers the tarball's name. */
function packPlatform(platform, binary, dist) {
  const stage = path.join(dist, 'stage', platform)
  fs.mkdirSync(stage, { recursive: true })
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'npm', platform, 'package.json'), 'utf8'))
  manifest.version = pkg.version
  manifest.files = [path.basename(binary), 'LICENSE', 'THIRD-PARTY-NOTICES.md']
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  fs.writeFileSync(
    path.join(stage, 'README.md'),
    `# ${manifest.name}\n\nThe ${platform} binary of [hermetic-wasi](https://www.npmjs.com/package/hermetic-wasi). ` +
      'Install `hermetic-wasi`, which depends on it on this platform, not this package.\n',
  )
  fs.copyFileSync(binary, path.join(stage, path.basename(binary)))
  for (const name of ['LICENSE', 'THIRD-PARTY-NOTICES.md']) fs.copyFileSync(path.join(root, name), path.join(stage, name))
  return pack(stage, dist)
}

/**
 * Packs the main package: what `files` lists, with every platform's package an optional
 * dependency at this version (npm installs the one whose os, cpu and libc match), no scripts
 * and no development dependencies.
 */
function packMain(dist) {
  const stage = path.join(dist, 'stage', 'main')
  fs.mkdirSync(stage, { recursive: true })
  const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', stage], { cwd: root, encoding: 'utf8' }).trim()
  run('tar', ['xzf', tarball, '--strip-components', '1'], { cwd: stage })
  fs.rmSync(path.join(stage, tarball))
  const manifest = JSON.parse(fs.readFileSync(path.join(stage, 'package.json'), 'utf8'))
  delete manifest.scripts
  delete manifest.devDependencies
  manifest.optionalDependencies = Object.fromEntries(PLATFORMS.map((platform) => [`${pkg.name}-${platform}`, pkg.version]))
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return pack(stage, dist)
}

const pack = (dir, dist) => execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dist], { cwd: dir, encoding: 'utf8' }).trim()

main()
