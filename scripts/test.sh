#!/usr/bin/env bash
# Set up this machine (Python packages, assets, zbar, chromium) and run the whole test suite:
# every database test on SQLite and on PostgreSQL (127.0.0.1:5432, database `test`), the browser
# tests in Debian's chromium, ruff, and the import structure check. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/python scripts/check_imports.py  # no import circle, nothing imported upward (docs/architecture.md)
exec .venv/bin/pytest "$@"
