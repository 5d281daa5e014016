#!/usr/bin/env bash
# The determinism suite: runs the corpus of tests/determinism/ (scripts/determinism.js) on every
# path a result could take, and checks every digest against tests/determinism/expected.json:
#   - two processes: one with runWasi, one with runWasiAsync, Program#run and Program#runAsync;
#   - 80 runs of each case in flight at once, more than the pool has slots for;
#   - the fuel-metering engine;
#   - the on-demand engine, in a process whose address space is too small for the pool, one run
#     at a time and 80 runs in flight;
#   - other CPUs under qemu-user (on the on-demand engine: the pool cannot be reserved there
#     either): Nehalem (no AVX, FMA or BMI), plainly and metered, and Haswell (all of them).
# Usage: scripts/determinism.sh [--no-qemu]. Needs the addon and the guests built (npm test
# builds both) and, for the qemu legs, qemu-user 8 or later (.ci/run installs it; qemu 7.2
# crashes on the signals wasmtime uses to report traps).
set -euo pipefail
cd "$(dirname "$0")/.."

qemu=1
[ "${1:-}" = "--no-qemu" ] && qemu=0

# Compiled code is shared by the legs through a disk cache, which the first legs fill. Under
# qemu every cached file is accepted only because the emulated CPU's engine has the same
# settings as this one (cpu.rs's fixed feature set); otherwise it would compile again, slowly.
cache="tests/guests/target/determinism-cache"
rm -rf "$cache"
# An address space too small for the pool (about 4 TiB) but roomy for everything else: the
# on-demand engine reserves 4 GiB for each memory, so 80 runs in flight of the corpus's program
# with six memories may need 1.9 TiB. (With much less, runs fail to reserve memory: README.)
small_address_space=$((3 * 1024 * 1024 * 1024)) # KiB: 3 TiB

leg() {
  local name="$1"
  shift
  local started=$SECONDS
  echo "== $name"
  "$@"
  echo "== $name: $((SECONDS - started)) s"
}

js=(scripts/determinism.js --cache-dir "$cache")
leg "sync (process 1)" node "${js[@]}" --mode sync
leg "async, Program, Program async (process 2)" node "${js[@]}" --mode async,program,program-async
leg "80 runs in flight" env UV_THREADPOOL_SIZE=80 node "${js[@]}" --mode inflight
leg "fuel-metering engine" node "${js[@]}" --mode fuel
leg "on-demand engine (no pool)" bash -c "ulimit -v $small_address_space && exec node ${js[*]} --mode sync"
leg "on-demand engine, 80 runs in flight" bash -c \
  "ulimit -v $small_address_space && UV_THREADPOOL_SIZE=80 exec node ${js[*]} --mode inflight"

if [ "$qemu" = 1 ]; then
  if ! command -v qemu-x86_64 >/dev/null; then
    echo "qemu-x86_64 is not installed (apt-get install qemu-user); run with --no-qemu to skip" >&2
    exit 1
  fi
  [ "$(uname -m)" = x86_64 ] || { echo "the qemu legs emulate x86-64 CPUs on an x86-64 host" >&2; exit 1; }
  for run in "Nehalem sync,fuel" "Haswell sync"; do
    read -r cpu modes <<<"$run"
    leg "qemu -cpu $cpu, $modes" bash -c \
      "ulimit -v $small_address_space && exec qemu-x86_64 -cpu $cpu $(command -v node) ${js[*]} --mode $modes 2> >(grep -v 'TCG doesn.t support' >&2)"
  done
fi
