"""Speech or music: the figures the assistant's judgement (``core.assistant.hear_programme``)
rests on, measured on training-side material only.

Usage (from the repository root, with ../shared/data beside it)::

    .venv/bin/python bench/programme.py [--write docs/benchmarks.md]

Speech: 30 utterances (first 15 s) of the speakers ``scripts/train_default.py`` trains on,
clean, and in white noise and in its training-side noise recordings (a folder drawn first,
then a recording of it, as ``bench/quality.py`` draws) at -5, 0 and 10 dB SNR. Music: 18
training-side Wesnoth tracks (``wesnoth-1.16-music``, every fifth held out; the
``music/librosa`` pieces are left out, as ``bench/quality.py`` and ``bench/music.py`` test
on them), 15-s excerpts, clean and in the same noises at 0, 10 and 20 dB. All at 16 kHz
mono. For each: the share of the energy DeepFilterNet3 and the mask model (at the
assistant's floor) keep, the gap between them (``core.assistant.programme_gap_db``),
speech's pauses and syllable rhythm (``core.model.inference.speech_rhythm``) in the audio
and in what DeepFilterNet3 kept, and what the judgement says.
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
from core.assistant import (  # noqa: E402
    _CUE_RATE,
    _CUE_STFT,
    PROGRAMME_GAP_DB,
    PROGRAMME_GAP_SURE_DB,
    PROGRAMME_PAUSE_SHARE,
    PROGRAMME_RHYTHM_SHARE,
    _listen,
    hear_programme,
)
from core.audio.io import load  # noqa: E402
from core.audio.resample import resample  # noqa: E402
from core.dsp.stft import stft  # noqa: E402
from core.model.inference import speech_rhythm  # noqa: E402
from core.signals import mix_at_snr, white_noise  # noqa: E402
from core.steps import BuildContext  # noqa: E402

SR = _CUE_RATE
SECONDS = 15.0
BEGIN, END = "<!-- programme:begin -->", "<!-- programme:end -->"


def mono(path: Path) -> np.ndarray:
    audio, sr = load(path)
    return resample(audio.mean(axis=0, keepdims=True), orig_sr=sr, target_sr=SR)


def measure(x: np.ndarray, context: BuildContext) -> dict[str, float | str]:
    listened = _listen(x, sr=SR, context=context)  # the assistant's own listening
    assert listened is not None, "the built-in models are missing"
    total = float(np.sum(x.astype(np.float64) ** 2))
    speech = listened.speech_kept
    dfn3 = 10 * np.log10(max(float(np.sum(speech.astype(np.float64) ** 2)) / total, 1e-12))

    def rhythm(y: np.ndarray) -> tuple[float, float]:
        return speech_rhythm(stft(y, config=_CUE_STFT), sr=SR, hop=_CUE_STFT.hop)

    (pauses, syllables), (pauses_kept, syllables_kept) = rhythm(x), rhythm(speech)
    return {
        "dfn3": dfn3,
        "mask": dfn3 + listened.gap_db,
        "pauses": pauses,
        "syllables": syllables,
        "pauses_kept": pauses_kept,
        "syllables_kept": syllables_kept,
        "gap": listened.gap_db,
        "heard": hear_programme(x, sr=SR, context=context),
        "heard_before": _heard_before(listened.gap_db, pauses, syllables),
    }


def _heard_before(gap: float, pauses: float, syllables: float) -> str:
    """The judgement before 2026-12-07: between the two gaps, speech's pauses and rhythm
    heard in the audio alone (not in what DeepFilterNet3 kept)."""
    if gap < PROGRAMME_GAP_SURE_DB:
        return "speech"
    rhythm = pauses >= PROGRAMME_PAUSE_SHARE and syllables >= PROGRAMME_RHYTHM_SHARE
    return "speech" if gap < PROGRAMME_GAP_DB and rhythm else "music"


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
    tracks = script.debian_music()[0][:18]
    if not tracks:
        raise SystemExit("music needs the Debian package wesnoth-1.16-music")
    rng = np.random.default_rng(args.seed)
    context = BuildContext()

    folders = sorted({category for category, _ in noises})

    def noise(kind: str) -> np.ndarray:
        if kind == "white":
            return white_noise(sr=SR, seconds=SECONDS, seed=int(rng.integers(1 << 30)))
        folder = folders[rng.integers(len(folders))]
        recordings = [n for n in noises if n[0] == folder]
        category, name = recordings[rng.integers(len(recordings))]
        return mono(args.data / category / name)

    def conditions(snrs: tuple[int, ...]) -> list[tuple[str, int | None, str]]:
        both = [(f"{snr} dB, {kind}", snr, kind) for snr in snrs for kind in ("white", "recorded")]
        return [*both, ("clean", None, "")]

    results: list[tuple[str, str, dict]] = []
    rng.shuffle(speech_files)
    for category, name in speech_files[:30]:
        x = mono(args.data / category / name)[:, : int(SECONDS * SR)]
        if x.shape[1] < 3 * SR:
            continue
        for label, snr, kind in conditions((-5, 0, 10)):
            mixed = x if snr is None else mix_at_snr(x, noise(kind), snr_db=snr)
            results.append(("speech", label, measure(mixed, context)))
    for path in tracks:
        audio = mono(path)
        start = int(rng.uniform(0, max(audio.shape[1] / SR - SECONDS, 1)) * SR)
        x = audio[:, start : start + int(SECONDS * SR)]
        for label, snr, kind in conditions((0, 10, 20)):
            mixed = x if snr is None else mix_at_snr(x, noise(kind), snr_db=snr)
            results.append(("music", label, measure(mixed, context)))

    lines = [
        "## Speech or music (`bench/programme.py`)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, in "
        f"{(time.perf_counter() - t0) / 60:.0f} min. "
        "Reproduce: `.venv/bin/python bench/programme.py"
        + (f" --write {args.write}" if args.write else "")
        + "`. Training-side material only (see the script's docstring); ranges over the files.",
        "",
        "| material | condition | files | DeepFilterNet3 keeps (dB) | the mask model keeps (dB) "
        "| gap (dB) | pauses, syllables | the same in what DeepFilterNet3 kept "
        "| heard as speech (before) |",
        "|---|---|---:|---:|---:|---:|---|---|---:|",
    ]
    for kind in ("speech", "music"):
        labels = dict.fromkeys(c for k, c, _ in results if k == kind)
        for condition in labels:
            rows_ = [m for k, c, m in results if k == kind and c == condition]

            def span(key: str, digits: int = 2, rows_: list = rows_) -> str:
                values = [float(m[key]) for m in rows_]
                return f"{min(values):.{digits}f}..{max(values):.{digits}f}"

            speech = sum(m["heard"] == "speech" for m in rows_)
            before = sum(m["heard_before"] == "speech" for m in rows_)
            lines.append(
                f"| {kind} | {condition} | {len(rows_)} | {span('dfn3', 1)} | {span('mask', 1)} "
                f"| {span('gap', 1)} | {span('pauses')}, {span('syllables')} "
                f"| {span('pauses_kept')}, {span('syllables_kept')} "
                f"| {speech} of {len(rows_)} ({before}) |"
            )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
