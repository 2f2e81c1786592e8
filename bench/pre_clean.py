"""Does the model step's steady-noise pre-clean (and the speech model) leave music alone?

Usage (from the repository root, with ../shared/data beside it)::

    .venv/bin/python bench/pre_clean.py [--starts 30 90] [--seed 0] [--speech 40]

The pre-clean (``Enhancer(pre_clean_db=...)``, which the ``auto`` preset sets to
:data:`core.assistant.MODEL_PRE_CLEAN_DB`) runs the Wiener filter before the model only
where the model removes most of the quietest frames, and there the built-in speech model
gives the mask (``speech_model``, also set by ``auto``). Its thresholds were set on the
quality benchmark's files, so this checks them on other music: 10-s excerpts (mono,
16 kHz, peak -6 dBFS) of every Wesnoth track (Debian ``wesnoth-1.16-music``) and of
``music/librosa``, clean and in held-out real noise at 10 and 20 dB SNR. For each it
reports whether the pre-clean triggered, at what depth, and the SI-SDR against the clean
excerpt of the model step alone and as ``auto`` runs it (both at a -30 dB floor).

Where the model keeps the quietest frames of a noisy block that has speech's pauses and
syllable rhythm (:func:`core.model.inference.speech_rhythm`), the pre-clean runs in full
as well. So the run also counts the music excerpts that trigger it without those cues
(``hear_speech=False``), and measures the other side on training-side speech (``--speech``
clips of the speakers the default model trains on, 10 s): clean and in training-side real
noise at 0, 5, 10 and 15 dB SNR, how often the pre-clean ran with and without the cues
and the PESQ-WB of both against the clean clip.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import held_out_files, manifest, training_script  # noqa: E402
from bench.assistant import clip  # noqa: E402
from bench.quality import NoiseBank, Scorer, only  # noqa: E402
from core.assistant import MODEL_FLOOR_DB, MODEL_PRE_CLEAN_DB  # noqa: E402
from core.audio.io import audio_files, load  # noqa: E402
from core.data.degrade import degrade  # noqa: E402
from core.metrics import si_sdr  # noqa: E402
from core.model.bundle import SPEECH_MODEL, load_bundle, resolve_model_path  # noqa: E402
from core.model.inference import Enhancer  # noqa: E402

SR = 16000
SECONDS = 10
SNRS = (None, 10.0, 20.0)
SPEECH_SNRS = (None, 0.0, 5.0, 10.0, 15.0)


def music_paths(data: Path) -> list[Path]:
    debian = sorted(training_script().DEBIAN_MUSIC.glob("*.ogg"))
    librosa = audio_files(data / "music" / "librosa", recursive=True)
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
    parser.add_argument("--speech", type=int, default=40, help="training-side speech clips")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    bundle = load_bundle(resolve_model_path("default"))
    plain = Enhancer(bundle, floor_db=MODEL_FLOOR_DB)
    speech = load_bundle(resolve_model_path(SPEECH_MODEL))
    pre, model_alone = (
        Enhancer(
            bundle,
            floor_db=MODEL_FLOOR_DB,
            pre_clean_db=MODEL_PRE_CLEAN_DB,
            speech_bundle=speech,
            hear_speech=hear,
        )
        for hear in (True, False)
    )
    music_section(args, rng, plain, pre, model_alone)
    if args.speech:
        speech_section(args, pre, model_alone)
    return 0


def music_section(
    args: argparse.Namespace,
    rng: np.random.Generator,
    plain: Enhancer,
    pre: Enhancer,
    model_alone: Enhancer,
) -> None:
    noises = held_out_noises(args.data)
    rows, triggered, excerpts = [], {snr: 0 for snr in SNRS}, 0
    without_cues = {snr: 0 for snr in SNRS}
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
                    # The cues only add pre-cleans: where none ran, none runs without them.
                    model_alone.residual(x, sr=SR)
                    without_cues[snr] += model_alone.last_pre_clean_db > 0
                    alone = x - plain.residual(x, sr=SR)
                    rows.append(
                        (path.name, start, snr, pre.last_pre_clean_db,
                         si_sdr(alone[0], clean[0]), si_sdr(with_pre[0], clean[0]))
                    )  # fmt: skip
    print(f"{len(music_paths(args.data))} music files, {excerpts} excerpts at {args.starts} s")
    for snr in SNRS:
        label = "clean" if snr is None else f"in noise at {snr:g} dB"
        print(
            f"  {label}: the pre-clean ran on {triggered[snr]} of {excerpts} "
            f"({without_cues[snr]} without the speech cues)"
        )
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


def speech_section(args: argparse.Namespace, pre: Enhancer, model_alone: Enhancer) -> None:
    """The pre-clean with and without the speech cues on training-side speech, clean and
    in training-side noise; PESQ-WB against the clean clip."""
    script = training_script()
    rows = manifest(args.data)
    speech = script.pick(rows, script.SPEECH)[0]
    chosen = np.random.default_rng([args.seed, 1]).choice(len(speech), args.speech, replace=False)
    bank = NoiseBank(args.data, script.pick(rows, script.NOISE)[0])
    noises = bank.source(SR)
    scorer = Scorer()
    scorer._dnsmos = None  # PESQ is the measure here
    tally: dict[float | None, list[tuple[bool, bool, float, float]]] = {s: [] for s in SPEECH_SNRS}
    for i, k in enumerate(chosen):
        clean = clip(args.data / speech[k][0] / speech[k][1])
        if clean is None:
            continue
        for snr in SPEECH_SNRS:
            x, reference = clean, clean
            if snr is not None:
                x, params = degrade(
                    clean,
                    sr=SR,
                    config=only(p_noise=1.0, snr_db_range=(snr, snr)),
                    rng=np.random.default_rng([args.seed, i, int(snr)]),
                    noises=noises,
                )
                reference = clean * np.float32(params.target_gain)
            outputs = []
            for enhancer in (pre, model_alone):
                y = x - enhancer.residual(x, sr=SR)
                outputs.append((enhancer.last_pre_clean_db > 0, scorer(reference, y, SR)["pesq"]))
            (ran, with_cues), (ran_alone, alone) = outputs
            tally[snr].append((ran, ran_alone, with_cues, alone))
    print(f"\n{args.speech} training-side speech clips of 10 s (seed {args.seed})")
    print("\n| input | clips | pre-clean ran | without the cues | PESQ-WB | without the cues "
          "| PESQ where they differ |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|")
    for snr, got in tally.items():
        label = "clean" if snr is None else f"in noise at {snr:g} dB"
        ran = sum(r for r, *_ in got)
        alone = sum(a for _, a, *_ in got)
        differ = [(w, a) for r, ra, w, a in got if r != ra]
        where = (
            f"{len(differ)}: {np.mean([a for _, a in differ]):.2f} → "
            f"{np.mean([w for w, _ in differ]):.2f}"
            if differ
            else "none"
        )
        print(
            f"| {label} | {len(got)} | {ran} | {alone} | {np.mean([w for *_, w, _ in got]):.2f} "
            f"| {np.mean([a for *_, a in got]):.2f} | {where} |"
        )


if __name__ == "__main__":
    sys.exit(main())
