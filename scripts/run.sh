#!/usr/bin/env bash
# The main job: set up, generate the demo recording and restore it with the built-in model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh runtime
.venv/bin/seminario demo -o demo-output "$@"
