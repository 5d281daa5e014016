#!/usr/bin/env bash
# Installs qemu-user 8 or later (for scripts/determinism.sh) on Debian, as root. Debian 12's own
# qemu-user (7.2) crashes on the signals wasmtime uses to report traps, so on Debian 12 it comes
# from Debian's backports, added from the mirror the machine already uses. Does nothing when a
# recent enough qemu-x86_64 is installed.
set -euo pipefail

recent() {
  qemu-x86_64 --version 2>/dev/null | grep -qE 'version ([89]|[1-9][0-9])\.'
}
recent && exit 0

export DEBIAN_FRONTEND=noninteractive
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
if [ "$codename" = bookworm ]; then
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
    [ -n "$uri" ] || uri="$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
    if [ -z "$uri" ]; then
      echo "no Debian bookworm mirror found in /etc/apt/sources.list(.d) to add bookworm-backports from" >&2
      exit 1
    fi
    echo "deb $uri bookworm-backports main" >/etc/apt/sources.list.d/bookworm-backports.list
  fi
  apt-get update -qq
  apt-get install -y -qq -t bookworm-backports qemu-user >/dev/null
else
  apt-get update -qq
  apt-get install -y -qq qemu-user >/dev/null
fi
recent || { echo "qemu-user 8 or later could not be installed" >&2; exit 1; }
qemu-x86_64 --version | head -1
