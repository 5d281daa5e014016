#!/usr/bin/env bash
# Builds the CPython test guest: app.py -> a wasi:cli/command component, with componentize-py
# (pinned) from PyPI in a private virtualenv under tests/guests/target/. Skips the build when the
# component is newer than its inputs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target="$here/../target"
out="$target/wasm32-wasip2/release/python.wasm"
venv="$target/python-venv"
version="0.25.1"

if [ -f "$out" ] && [ -z "$(find "$here/app.py" "$here/build.sh" "$root/wit" -newer "$out" -print -quit)" ]; then
  exit 0
fi
if [ ! -x "$venv/bin/componentize-py" ] || ! "$venv/bin/pip" show componentize-py 2>/dev/null | grep -qx "Version: $version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "componentize-py==$version"
fi
mkdir -p "$(dirname "$out")"
cd "$here"
"$venv/bin/componentize-py" --quiet -d "$root/wit" -w wasi:cli/command@0.2.12 componentize app -o "$out.tmp"
mv "$out.tmp" "$out"
