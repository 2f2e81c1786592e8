#!/usr/bin/env bash
# The main job: set up, then open the app with the demo recording loaded.
# Without a display (a server, CI) it restores the demo from the command line instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh runtime
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
    exec .venv/bin/seminario-gui --demo "$@"
fi
echo "No display found: restoring the demo recording from the command line instead."
exec .venv/bin/seminario demo -o demo-output "$@"
