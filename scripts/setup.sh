#!/usr/bin/env bash
# Set up a fresh machine for the kiosk: system libraries, a Python virtualenv, front-end assets.
# Idempotent: a second run only checks. Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

# System libraries: zbar for pyzbar, a CJK font for label previews, chromium for the browser tests.
need=()
dpkg -s libzbar0 >/dev/null 2>&1 || need+=(libzbar0)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ "$DEV" = 1 ]; then
  dpkg -s chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Python packages: every one pinned with its hashes in requirements.lock (requirements-dev.lock with the
# test tools), made from pyproject.toml by pip-compile --generate-hashes (see README). pip refuses any file
# whose hash is not in the lock; the project itself is then installed editable, with nothing more fetched.
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
LOCK=requirements.lock
[ "$DEV" = 1 ] && LOCK=requirements-dev.lock
stamp=".venv/.installed-$( (cat pyproject.toml "$LOCK"; echo "dev=$DEV") | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages from $LOCK (hashes checked)"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  .venv/bin/pip install -q --require-hashes --no-deps -r "$LOCK"
  .venv/bin/pip install -q --no-deps --no-build-isolation -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Front-end assets at pinned versions (package-lock.json), copied to where the app serves them.
if [ ! -d node_modules/htmx.org ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing front-end assets"
  npm ci --no-audit --no-fund --loglevel=error
fi
.venv/bin/python -m kiosk.assets
echo "setup: done"
