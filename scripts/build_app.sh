#!/usr/bin/env bash
# Build the desktop app as one folder with PyInstaller (build.spec) and check it.
#
#   scripts/build_app.sh          # -> dist/seminario-gui/seminario-gui
#
# Needs the environment that scripts/bootstrap.sh (or scripts/run.sh) makes; installs
# the `build` extra (PyInstaller, pinned in pyproject.toml) into it. Takes 5-15 minutes
# and about 1-2 GB of disk for build/ and dist/ (neither is committed). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [[ ! -x "$PY" ]]; then
    echo "no .venv: run scripts/bootstrap.sh (or scripts/run.sh) first" >&2
    exit 1
fi
"$PY" -m pip install --quiet -e ".[build]"
scripts/translations.sh --release   # the .qm files match the .ts sources
"$PY" -m PyInstaller --noconfirm --clean build.spec
APP=dist/seminario-gui/seminario-gui
echo "built $APP ($(cat dist/seminario-gui.version 2>/dev/null || echo '?'))"
du -sh dist/seminario-gui
QT_QPA_PLATFORM=offscreen "$APP" --self-test
