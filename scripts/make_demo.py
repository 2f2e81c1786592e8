"""Make the shipped demo recording ``resources/demo/demo.flac`` and its provenance note.

Source: the five LibriVox clips of *Sense and Sensibility* (public domain reading)
installed by the Debian package ``pocketsphinx-testdata``. They are joined and
degraded by ``core.data.degrade`` with a fixed seed: band-limited like an old
broadcast, 50 Hz mains hum with drift, hiss and rumble made by ``core.signals``,
and clicks. Run from the repository root::

    apt-get install pocketsphinx-testdata
    .venv/bin/python scripts/make_demo.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.audio.io import load, save  # noqa: E402
from core.data.degrade import DegradeConfig, degrade  # noqa: E402
from core.output import write_text  # noqa: E402
from core.signals import pink_noise, white_noise  # noqa: E402

SOURCE = Path("/usr/share/pocketsphinx/test/data/librivox")
OUT = Path(__file__).resolve().parent.parent / "resources" / "demo"
SEED = 2026


def main() -> int:
    clips = sorted(SOURCE.glob("*.wav"))
    if not clips:
        print(f"no clips in {SOURCE}: apt-get install pocketsphinx-testdata", file=sys.stderr)
        return 1
    pieces, sr = [], 0
    for clip in clips:
        audio, sr = load(clip, mono=True)
        pieces += [audio, np.zeros((1, int(0.5 * sr)), np.float32)]
    clean = np.concatenate(pieces, axis=1)
    clean = (clean / np.max(np.abs(clean)) * 0.7).astype(np.float32)

    def hiss(rng: np.random.Generator, samples: int) -> np.ndarray:
        seconds = samples / sr
        seed = int(rng.integers(1 << 30))
        return pink_noise(sr=sr, seconds=seconds, seed=seed) + white_noise(
            sr=sr, seconds=seconds, seed=seed + 1, amplitude=0.05
        )

    config = DegradeConfig(
        p_clean=0.0,
        p_reverb=0.0,
        p_bandlimit=1.0,
        lowpass_hz_range=(5000.0, 5000.0),
        p_highpass=0.0,
        p_hum=1.0,
        hum_base_hz=(50.0,),
        hum_level_db_range=(-16.0, -16.0),
        p_noise=1.0,
        snr_db_range=(10.0, 10.0),
        p_clicks=1.0,
        click_rate_range=(120.0, 120.0),
        click_level_db_range=(-8.0, -2.0),
        p_crackle=0.0,
        p_clip=0.0,
        p_gain=0.0,
    )
    noisy, params = degrade(
        clean, sr=sr, config=config, rng=np.random.default_rng(SEED), noises=hiss
    )
    OUT.mkdir(parents=True, exist_ok=True)
    # Regenerating the shipped demo replaces it.
    path = save(OUT / "demo.flac", noisy, sr, subtype="PCM_16", overwrite=True)
    names = "\n".join(f"- `{c.name}`" for c in clips)
    note = f"""# Demo recording: `demo.flac`

{noisy.shape[1] / sr:.1f} s, {sr} Hz mono, 16-bit FLAC.
Made by `scripts/make_demo.py` (seed {SEED}).

## Source
A LibriVox reading of Jane Austen's *Sense and Sensibility* (chapter 1), public domain,
as shipped in the Debian package `pocketsphinx-testdata` (0.8+5prealpha+1-15), folder
`/usr/share/pocketsphinx/test/data/librivox/`:
{names}

The built-in model's training set (`speech/librivox` of the development corpus) contains
these same clips, so the demo shows the restoration at its best, not a fair test; the
benchmarks in `docs/benchmarks.md` use held-out speakers.

## Degradation (by `core.data.degrade`, all synthetic)
Band-limited to 5 kHz like an old broadcast, 50 Hz mains hum with drift, hiss (pink and
white noise from `core.signals`) at 10 dB SNR, and clicks. Exact parameters:

```json
{json.dumps(params.to_dict(), indent=1)}
```
"""
    write_text(OUT / "demo.md", note, overwrite=True)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
