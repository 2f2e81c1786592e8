#!/usr/bin/env bash
# Prepare a fresh Debian 12 machine: system packages, then .venv with the project.
# Usage: scripts/bootstrap.sh [runtime|dev]    (sourced by run.sh and test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-runtime}"

# Libraries the Python wheels need at run time: PortAudio (sound output), and
# what Qt needs to draw, offscreen or on an X11 display.
SYSTEM_PACKAGES=(
  python3-venv libportaudio2
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1
)
# Tests only: a JACK server with its dummy backend gives PortAudio a real output
# device on machines without a sound card (tests/app/test_playback.py).
if [ "$extras" = "dev" ]; then
  SYSTEM_PACKAGES+=(jackd2)
fi

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "These system packages are needed; install them and run again:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=""
for candidate in python3.11 python3.12 python3.13 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PYTHON="$candidate"; break
  fi
done
if [ -z "$PYTHON" ]; then
  echo "Python 3.11 or newer is needed (Debian 12: apt-get install python3)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
# pip runs only when the project's requirements changed since the last install (a
# stamp in .venv holds a hash of pyproject.toml and the extras): a launch otherwise
# starts at once, and offline, without pip's network round trips.
stamp=".venv/.installed-$extras"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
if [ "$extras" = "runtime" ] && [ -f .venv/.installed-dev ] &&
   [ "$(cat .venv/.installed-dev)" = "$(sha256sum pyproject.toml | cut -d' ' -f1) dev" ]; then
  exit 0  # the dev install includes the runtime one
fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "$extras" = "dev" ]; then
  # cluster: the tests run a batch on a local Ray runtime too (tests/core/test_batch.py)
  .venv/bin/python -m pip install -q -e ".[dev,cluster]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "$wanted" > "$stamp"
