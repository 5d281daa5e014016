#!/usr/bin/env bash
# Builds the C test guests: each *.c here -> ../target/c/<name>.wasm, a wasm32-wasi preview1 core
# module linked with wasi-libc, by Zig's C compiler (the `ziglang` package from PyPI, pinned) in a
# private virtualenv under tests/guests/target/. Skips each guest whose module is newer than its
# source, the shared headers (report.h) and this script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/../target"
out="$target/c"
venv="$target/zig-venv"
version="0.15.2"

stale=()
for source in "$here"/*.c; do
  wasm="$out/$(basename "$source" .c).wasm"
  if [ ! -f "$wasm" ] || [ -n "$(find "$source" "$here"/*.h "$here/build.sh" -newer "$wasm" -print -quit)" ]; then
    stale+=("$source")
  fi
done
[ ${#stale[@]} -eq 0 ] && exit 0

if ! "$venv/bin/pip" show ziglang 2>/dev/null | grep -qx "Version: $version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ziglang==$version"
fi
# Zig caches the wasi-libc it builds (about a minute, once); keep that cache beside the venv
# rather than in the user's home.
export ZIG_GLOBAL_CACHE_DIR="$target/zig-cache" ZIG_LOCAL_CACHE_DIR="$target/zig-cache"
mkdir -p "$out"
cd "$here"
for source in "${stale[@]}"; do
  name="$(basename "$source" .c)"
  # Relative source names keep __FILE__ (in assert messages) the same on every machine.
  "$venv/bin/python" -m ziglang cc --target=wasm32-wasi -O2 -Wall -Werror -o "$out/$name.wasm.tmp" "$name.c"
  mv "$out/$name.wasm.tmp" "$out/$name.wasm"
done
