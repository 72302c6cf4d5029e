#!/usr/bin/env bash
# Set up this machine and run the kiosk on SQLite with the demo plant (about 30 orders).
# Usage: scripts/demo.sh            (serves on 0.0.0.0:8000; KIOSK_BIND=host:port to change)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export KIOSK_INSTANCE="${KIOSK_INSTANCE:-$PWD/instance}"
.venv/bin/kiosk init-db --demo
bind="${KIOSK_BIND:-0.0.0.0:8000}"; port="${bind##*:}"; host="${bind%:*}"
if [ "$host" = "0.0.0.0" ] || [ -z "$host" ]; then host="$(hostname -I 2>/dev/null | awk '{print $1}')"; fi
base="http://${host:-127.0.0.1}:${port}"
echo
echo "Station pages (open each on its kiosk, e.g. chromium --kiosk URL):"
.venv/bin/kiosk urls --base "$base"
echo
echo "A kiosk records scans once an admin pairs it: the station page shows a pairing code;"
echo "sign in at $base/login as admin (password above) and approve it at $base/admin/devices."
echo "Boards: $base/board   Pick lists: $base/shipping/   Printers: $base/printers"
echo
exec .venv/bin/gunicorn -c gunicorn.conf.py kiosk.wsgi:app
