#!/usr/bin/env bash
# Screenshots of the real window under a virtual X server, with the demo recording:
#   docs/screenshots/main-original.png   the demo as opened
#   docs/screenshots/main-restored.png   after Apply with the built-in model (else a tiny one)
#   docs/screenshots/main-removed.png    the removed noise shown below, at 70 % strength
#   docs/screenshots/main-analysis.png   the Analysis panel, before and after
#   docs/screenshots/zoom-clicks.png     the demo with clicks added, zoomed to one second:
#                                        each click a column of the spectrogram
#   docs/screenshots/stereo_channels.png a stereo recording, each channel's waveform and
#                                        spectrogram apart (View > Spectrogram per channel)
#   docs/screenshots/preferences-es.png  the Preferences dialog in Spanish
# Needs xvfb-run (apt-get install xvfb). Uses throw-away settings and data folders.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=docs/screenshots
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

MODEL=auto
if [ ! -f resources/models/default.keras ]; then
    echo "built-in model missing: building a tiny untrained one for the pictures" >&2
    "$PY" - "$TMP/tiny.keras" <<'PYEOF'
import sys
import numpy as np
from core.dsp.stft import StftConfig
from core.model.architectures import build_model
from core.model.bundle import BundleMeta, ModelBundle, save_bundle
from core.model.spectral import FeatureNorm, SpectralSettings
s = SpectralSettings(16000, StftConfig(256, 64))
m = build_model("dense", bins=s.bins, hidden=32, context=3, layers=2)
n = FeatureNorm(np.full(s.bins, -4.0, np.float32), np.full(s.bins, 2.0, np.float32))
meta = BundleMeta(architecture="dense", spectral=s, norm=n,
                  arch_params={"hidden": 32, "context": 3, "layers": 2})
save_bundle(ModelBundle(m, meta), sys.argv[1])
PYEOF
    MODEL="$TMP/tiny.keras"
fi

shot() {
    local name=$1
    shift
    xvfb-run -a -s "-screen 0 1280x800x24" "$PY" -m app --demo --no-sound \
        --settings "$TMP/settings.ini" --data-dir "$TMP/data" --model "$MODEL" \
        --screenshot "$OUT/$name.png" "$@"
}

shot main-original
shot main-restored --preset auto --apply
shot main-removed --preset auto --apply --residual --strength 0.7
shot main-analysis --preset auto --apply --show analysis

# The demo with 120 clicks (about four a second), opened zoomed to one second.
"$PY" - "$TMP/clicks.wav" "$TMP/data/demo" <<'PYEOF'
import sys
import numpy as np
from core.audio.io import load, save
from core.demo import demo_recording
audio, sr = load(demo_recording(sys.argv[2]))
rng = np.random.default_rng(7)
for t in rng.uniform(0.5, audio.shape[1] / sr - 0.5, 120):
    i = int(t * sr)
    audio[:, i : i + 3] += rng.choice([-1, 1]) * np.array([0.6, -0.4, 0.2], np.float32)
save(sys.argv[1], np.clip(audio, -1, 1), sr)
PYEOF
xvfb-run -a -s "-screen 0 1280x800x24" "$PY" -m app "$TMP/clicks.wav" --no-sound \
    --settings "$TMP/settings.ini" --data-dir "$TMP/data" --view 12:13 --select 12.3:12.6 \
    --screenshot "$OUT/zoom-clicks.png"
# A stereo recording whose channels differ (the demo on the left, a chord with hum and
# clicks on the right), each channel's waveform and spectrogram shown apart.
"$PY" - "$TMP/stereo.wav" "$TMP/data/demo" <<'PYEOF'
import sys
import numpy as np
from core.audio.io import load, save
from core.demo import demo_recording
audio, sr = load(demo_recording(sys.argv[2]))
left = audio.mean(axis=0)
t = np.arange(left.size) / sr
right = sum(0.08 * np.sin(2 * np.pi * f * t) for f in (440.0, 1320.0, 2200.0, 3080.0))
right += 0.05 * np.sin(2 * np.pi * 50.0 * t)
right[:: 2 * sr] += 0.8
save(sys.argv[1], np.clip(np.stack([left, right]), -1, 1).astype(np.float32), sr)
PYEOF
xvfb-run -a -s "-screen 0 1280x800x24" "$PY" -m app "$TMP/stereo.wav" --no-sound \
    --settings "$TMP/settings.ini" --data-dir "$TMP/data" --channels \
    --screenshot "$OUT/stereo_channels.png"
# Preferences in Spanish, after choosing another language (its restart note appears).
xvfb-run -a -s "-screen 0 1280x800x24" "$PY" - "$OUT/preferences-es.png" <<'PYEOF'
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.i18n import install_translators
install_translators("es")
from app.dialogs.preferences import PreferencesDialog
dialog = PreferencesDialog(None, devices=[(0, "Built-in Audio Analog Stereo")], device="",
                           matched_loudness=True, language="system")
dialog.show()
app.processEvents()
dialog.language_box.setCurrentIndex(dialog.language_box.findData("en"))
for _ in range(5):
    app.processEvents()
sys.exit(0 if dialog.grab().save(sys.argv[1]) else 1)
PYEOF
ls -l "$OUT"
