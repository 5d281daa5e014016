#!/usr/bin/env bash
# Copies the standard WASI 0.2 interface definitions, unmodified, out of the wasmtime-wasi crate of
# the wasmtime version this project pins, into wit/deps/. hermetic-wasi does not depend on
# wasmtime-wasi; cargo only downloads it here so that its vendored WIT can be copied.
set -euo pipefail
version="${1:-48.0.8}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/src"
: > "$tmp/src/lib.rs"
cat > "$tmp/Cargo.toml" <<TOML
[package]
name = "wit-refresh"
version = "0.0.0"
edition = "2021"
[dependencies]
wasmtime-wasi = { version = "=$version", default-features = false }
TOML
cargo fetch --quiet --manifest-path "$tmp/Cargo.toml"
src="$(cargo metadata --format-version 1 --manifest-path "$tmp/Cargo.toml" \
  | python3 -c 'import json,sys; m=json.load(sys.stdin); print([p["manifest_path"] for p in m["packages"] if p["name"]=="wasmtime-wasi"][0])')"
src="$(dirname "$src")"

rm -rf "$root/wit/deps"
mkdir -p "$root/wit/deps"
cp "$src"/src/p2/wit/deps/*.wit "$root/wit/deps/"
cp "$src/LICENSE" "$root/wit/LICENSE"
(cd "$root/wit" && sha256sum LICENSE deps/*.wit > SHA256SUMS)
echo "copied WASI WIT from wasmtime-wasi $version ($src)"
