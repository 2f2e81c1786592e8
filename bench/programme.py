"""Speech or music: the figures the assistant's judgement (``core.assistant.hear_programme``)
rests on, measured on training-side material only.

Usage (from the repository root, with ../shared/data beside it)::

    .venv/bin/python bench/programme.py [--write docs/benchmarks.md]

Speech: 24 utterances (first 20 s) of the speakers ``scripts/train_default.py`` trains on,
clean and mixed with its training-side noise recordings at -5, 0, 5, 10 and 20 dB SNR.
Music: 16 training-side Wesnoth tracks (``wesnoth-1.16-music``, every fifth held out) and
the ``music/librosa`` pieces (robin and whale song excepted), 20-s excerpts, clean and in
noise at 0, 10 and 20 dB. All at 16 kHz mono. For each: the share of energy DeepFilterNet3
keeps, the pause and rhythm cues (``core.model.inference.speech_rhythm``) of the input
and of what DeepFilterNet3 keeps, and what the judgement says.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, manifest, training_script, write_section  # noqa: E402
from core.assistant import _CUE_RATE, _CUE_STFT, hear_programme, speech_model_output  # noqa: E402
from core.audio.io import load  # noqa: E402
from core.audio.resample import resample  # noqa: E402
from core.dsp.stft import stft  # noqa: E402
from core.model.inference import speech_rhythm  # noqa: E402
from core.signals import mix_at_snr  # noqa: E402
from core.steps import BuildContext  # noqa: E402

SR = _CUE_RATE
SECONDS = 20.0
BEGIN, END = "<!-- programme:begin -->", "<!-- programme:end -->"


def mono(path: Path) -> np.ndarray:
    audio, sr = load(path)
    return resample(audio.mean(axis=0, keepdims=True), orig_sr=sr, target_sr=SR)


def measure(x: np.ndarray, context: BuildContext) -> dict[str, float | str]:
    kept = speech_model_output(x, sr=SR, context=context)
    assert kept is not None, "resources/models/dfn3.keras is missing"
    ratio = float(np.sum(kept.astype(np.float64) ** 2) / np.sum(x.astype(np.float64) ** 2))
    cues_in = speech_rhythm(stft(x, config=_CUE_STFT), sr=SR, hop=_CUE_STFT.hop)
    cues_out = speech_rhythm(stft(kept, config=_CUE_STFT), sr=SR, hop=_CUE_STFT.hop)
    return {
        "kept_db": 10 * np.log10(max(ratio, 1e-12)),
        "pauses": cues_in[0],
        "rhythm": cues_in[1],
        "pauses_kept": cues_out[0],
        "heard": hear_programme(x, sr=SR, context=context),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    started, t0 = datetime.now(UTC), time.perf_counter()
    rows, script = manifest(args.data), training_script()
    speech_files = [f for f in script.pick(rows, script.SPEECH)[0] if "fsdd" not in f[0]]
    noises = script.pick(rows, script.NOISE)[0]
    tracks = script.debian_music()[0][:16]
    if not tracks:
        raise SystemExit("music needs the Debian package wesnoth-1.16-music")
    rng = np.random.default_rng(args.seed)
    context = BuildContext()

    def noise() -> np.ndarray:
        category, name = noises[rng.integers(len(noises))]
        return mono(args.data / category / name)

    results: list[tuple[str, str, dict]] = []
    rng.shuffle(speech_files)
    for category, name in speech_files[:24]:
        x = mono(args.data / category / name)[:, : int(SECONDS * SR)]
        if x.shape[1] < 3 * SR:
            continue
        for snr in (-5, 0, 5, 10, 20, None):
            mixed = x if snr is None else mix_at_snr(x, noise(), snr_db=snr)
            results.append(
                ("speech", "clean" if snr is None else f"{snr} dB", measure(mixed, context))
            )
    pieces = [*tracks] + [
        args.data / "music/librosa" / r["file"]
        for r in rows
        if r["category"] == "music/librosa"
        and not any(k in r["file"] for k in ("bird", "humpback"))
    ]
    for path in pieces:
        audio = mono(path)
        start = int(rng.uniform(0, max(audio.shape[1] / SR - SECONDS, 1)) * SR)
        x = audio[:, start : start + int(SECONDS * SR)]
        for snr in (0, 10, 20, None):
            mixed = x if snr is None else mix_at_snr(x, noise(), snr_db=snr)
            results.append(
                ("music", "clean" if snr is None else f"{snr} dB", measure(mixed, context))
            )

    lines = [
        "## Speech or music (`bench/programme.py`)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, in "
        f"{(time.perf_counter() - t0) / 60:.0f} min. "
        "Reproduce: `.venv/bin/python bench/programme.py"
        + (f" --write {args.write}" if args.write else "")
        + "`. Training-side material only (see the script's docstring); ranges over the files.",
        "",
        "| material | condition | files | DeepFilterNet3 keeps (dB) | pauses in | rhythm in "
        "| pauses of what it keeps | heard as speech |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("speech", "music"):
        conditions = dict.fromkeys(c for k, c, _ in results if k == kind)
        for condition in conditions:
            rows_ = [m for k, c, m in results if k == kind and c == condition]

            def span(key: str, digits: int = 2, rows_: list = rows_) -> str:
                values = [float(m[key]) for m in rows_]
                return f"{min(values):.{digits}f}..{max(values):.{digits}f}"

            speech = sum(m["heard"] == "speech" for m in rows_)
            lines.append(
                f"| {kind} | {condition} | {len(rows_)} | {span('kept_db', 1)} | {span('pauses')} "
                f"| {span('rhythm')} | {span('pauses_kept')} | {speech} of {len(rows_)} |"
            )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
