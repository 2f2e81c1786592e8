#!/usr/bin/env bash
# Set up with the development tools, then run every check CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2
echo "== core stays headless (import-linter)"
.venv/bin/lint-imports
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy (core)"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest "$@"
