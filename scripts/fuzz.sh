#!/usr/bin/env bash
# Feeds random and mutated components to compile + run for a bounded time and reports how many
# inputs ran without a crash. Usage: scripts/fuzz.sh [seconds] [seed]   (needs the test guests:
# npm run build:guests)
set -euo pipefail
cd "$(dirname "$0")/.."
host="$(rustc -vV | sed -n 's/^host: //p')"
FUZZ_SECONDS="${1:-60}" FUZZ_SEED="${2:-1}" cargo test --release --no-default-features \
  --target "$host" --test all -- --ignored --nocapture fuzz_for_a_while 2>&1 | grep '^fuzz:'
