#!/usr/bin/env bash
# Refresh the translation sources from app/ and compile them for the app.
#
#   scripts/translations.sh            # lupdate (keeps existing translations) + lrelease
#   scripts/translations.sh --release  # only compile the .ts files into .qm
#
# Translate new or changed strings in resources/translations/seminario_<lang>.ts (by hand
# or with pyside6-linguist), run this again, and commit both the .ts and the .qm.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LANGS=(es)
if [[ "${1:-}" != "--release" ]]; then
    mapfile -t SOURCES < <(find app -name '*.py' | sort)
    for lang in "${LANGS[@]}"; do
        "$BIN/pyside6-lupdate" "${SOURCES[@]}" -no-obsolete -locations relative \
            -source-language en -target-language "$lang" \
            -ts "resources/translations/seminario_${lang}.ts"
    done
fi
for lang in "${LANGS[@]}"; do
    "$BIN/pyside6-lrelease" "resources/translations/seminario_${lang}.ts" \
        -qm "resources/translations/seminario_${lang}.qm"
done
