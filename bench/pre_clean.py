"""Does the model step's steady-noise pre-clean (and the speech model) leave music alone?

Usage (from the repository root, with ../shared/data beside it)::

    .venv/bin/python bench/pre_clean.py [--starts 30 90] [--seed 0]

The pre-clean (``Enhancer(pre_clean_db=...)``, which the ``auto`` preset sets to
:data:`core.assistant.MODEL_PRE_CLEAN_DB`) runs the Wiener filter before the model only
where the model removes most of the quietest frames, and there the built-in speech model
gives the mask (``speech_model``, also set by ``auto``). Its thresholds were set on the
quality benchmark's files, so this checks them on other music: 10-s excerpts (mono,
16 kHz, peak -6 dBFS) of every Wesnoth track (Debian ``wesnoth-1.16-music``) and of
``music/librosa``, clean and in held-out real noise at 10 and 20 dB SNR. For each it
reports whether the pre-clean triggered, at what depth, and the SI-SDR against the clean
excerpt of the model step alone and as ``auto`` runs it (both at a -30 dB floor).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import held_out_files, manifest, training_script  # noqa: E402
from bench.quality import NoiseBank  # noqa: E402
from core.assistant import MODEL_FLOOR_DB, MODEL_PRE_CLEAN_DB  # noqa: E402
from core.audio.io import READ_EXTENSIONS, load  # noqa: E402
from core.metrics import si_sdr  # noqa: E402
from core.model.bundle import SPEECH_MODEL, load_bundle, resolve_model_path  # noqa: E402
from core.model.inference import Enhancer  # noqa: E402

SR = 16000
SECONDS = 10
SNRS = (None, 10.0, 20.0)


def music_paths(data: Path) -> list[Path]:
    debian = sorted(training_script().DEBIAN_MUSIC.glob("*.ogg"))
    librosa = sorted(
        p for p in (data / "music" / "librosa").rglob("*") if p.suffix in READ_EXTENSIONS
    )
    return debian + librosa


def held_out_noises(data: Path) -> list[np.ndarray]:
    """The quality benchmark's held-out noise recordings (high-passed at 50 Hz) at SR."""
    bank = NoiseBank(data, held_out_files(manifest(data), training_script().NOISE))
    return [audio for files in bank.at(SR).values() for _, audio in files]


def noise_excerpt(noises: list[np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    noise = noises[int(rng.integers(len(noises)))]
    noise = np.tile(noise, (1, -(-n // noise.shape[1]) + 1))
    start = int(rng.integers(0, noise.shape[1] - n + 1))
    return noise[:, start : start + n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--starts", type=int, nargs="+", default=[30, 90], help="excerpt starts, s")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    bundle = load_bundle(resolve_model_path("default"))
    plain = Enhancer(bundle, floor_db=MODEL_FLOOR_DB)
    speech = load_bundle(resolve_model_path(SPEECH_MODEL))
    pre = Enhancer(
        bundle, floor_db=MODEL_FLOOR_DB, pre_clean_db=MODEL_PRE_CLEAN_DB, speech_bundle=speech
    )
    noises = held_out_noises(args.data)
    rows, triggered, excerpts = [], {snr: 0 for snr in SNRS}, 0
    for path in music_paths(args.data):
        music = load(path, sr=SR, mono=True)[0]
        for start in args.starts:
            clean = music[:, start * SR : (start + SECONDS) * SR]
            if clean.shape[1] < SECONDS * SR // 2 or np.max(np.abs(clean)) < 1e-3:
                continue
            clean = (clean / np.max(np.abs(clean)) * 0.5).astype(np.float32)
            excerpts += 1
            for snr in SNRS:
                x = clean
                if snr is not None:
                    n = noise_excerpt(noises, clean.shape[1], rng)
                    x = clean + n * np.sqrt(np.mean(clean**2) / np.mean(n**2) / 10 ** (snr / 10))
                x = x.astype(np.float32)
                with_pre = x - pre.residual(x, sr=SR)
                if pre.last_pre_clean_db > 0:
                    triggered[snr] += 1
                    alone = x - plain.residual(x, sr=SR)
                    rows.append(
                        (path.name, start, snr, pre.last_pre_clean_db,
                         si_sdr(alone[0], clean[0]), si_sdr(with_pre[0], clean[0]))
                    )  # fmt: skip
    print(f"{len(music_paths(args.data))} music files, {excerpts} excerpts at {args.starts} s")
    for snr in SNRS:
        label = "clean" if snr is None else f"in noise at {snr:g} dB"
        print(f"  {label}: the pre-clean ran on {triggered[snr]} of {excerpts}")
    if rows:
        print("\n| excerpt | start s | SNR | depth dB | model alone SI-SDR | as `auto` runs it |")
        print("|---|---:|---|---:|---:|---:|")
        for name, start, snr, depth, a, b in rows:
            snr_text = "clean" if snr is None else f"{snr:g} dB"
            print(f"| {name} | {start} | {snr_text} | {depth:.1f} | {a:.1f} | {b:.1f} |")
        change = np.array([b - a for *_, a, b in rows])
        print(
            f"\nas auto runs it minus the model alone: mean {change.mean():+.2f} dB, "
            f"worst {change.min():+.2f} dB, best {change.max():+.2f} dB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
