#!/usr/bin/env bash
# Builds the AssemblyScript test guests: each *.ts here -> a wasi_snapshot_preview1 core module
# in tests/guests/target/assemblyscript/, with the pinned assemblyscript and
# @assemblyscript/wasi-shim from node_modules (so `npm install` first). Skips a guest when its
# module is newer than its source and this script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$here/../target/assemblyscript"

# asc (0.28) finds the shim's library folder only when --config is a relative path (with an
# absolute one it fails with "Element 'wasi_abort' not found"), so run from the root.
cd "$root"
mkdir -p "$out"
for source in "$here"/*.ts; do
  wasm="$out/$(basename "$source" .ts).wasm"
  if [ -f "$wasm" ] && [ -z "$(find "$source" "$here/build.sh" -newer "$wasm" -print -quit)" ]; then
    continue
  fi
  node_modules/.bin/asc "$source" --config node_modules/@assemblyscript/wasi-shim/asconfig.json -O -o "$wasm.tmp"
  mv "$wasm.tmp" "$wasm"
done
