"""Reproduce the built-in model ``resources/models/default.keras`` from scratch.

Usage (from the repository root, with ../shared/data beside it)::

    .venv/bin/python scripts/train_default.py --data ../shared/data --epochs 14

It builds noisy/clean pairs from clean speech and music plus real noise
recordings listed in the corpus manifest, holding out whole speakers and whole
noise recordings for validation elsewhere (see ``held_out``), trains the
``crnn`` architecture with ``core.training.train``, and writes the model card.

With ``--stream`` it instead keeps whole recordings in memory and mixes a fresh pair
for every batch (``core.training.train_stream``); ``--init`` continues an earlier
run's model, so a recipe may have stages (the card lists them).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.audio.io import load, save  # noqa: E402
from core.data.mixing import (  # noqa: E402
    PRE_CLEAN_FULL_SHARE,
    MixConfig,
    Mixer,
    MixStream,
    PreCleanedStream,
    excerpts,
)
from core.dsp.filters import highpass  # noqa: E402
from core.model.inference import pre_clean  # noqa: E402
from core.training import (  # noqa: E402
    LR_SCHEDULES,
    EpochReport,
    TrainConfig,
    train,
    train_stream,
)

SR = 16000
SEGMENT_S = 4.0
VAL_SPLIT = 0.1
SPEECH = (
    "speech/librispeech_clean100",
    "speech/vctk",
    "speech/ljspeech",
    "speech/lj_vctk_gt",
    "speech/home_44k_1spk",
    "speech/cmu_arctic",
    "speech/librivox",
)
# 8 kHz digits are kept out: they are the fine-tuning domain the benchmark holds out.
NOISE = (
    "noise/speech_commands",
    "noise/soundscapes",
    "noise/misc_audiomentations",
    "noise/misc_speechbrain",
    "noise/freesound",
    "noise/cafe",
)
MUSIC = ("music/librosa",)
# Orchestral game music from the Debian package wesnoth-1.16-music (GPL-2+), if installed.
DEBIAN_MUSIC = Path("/usr/share/games/wesnoth/1.16/data/core/music")
MUSIC_SEGMENTS_PER_TRACK = 8
SPEECH_SEGMENTS_PER_FILE = 3
# --stream: fresh pairs for every batch, of one training segment each (100 frames + edges).
STREAM_SEGMENT_SAMPLES = 101 * 128
STREAM_MUSIC_SHARE = 0.2  # as in the fixed pairs (about a fifth are music)
STREAM_VAL_PAIRS = 200
# --pre-clean-db: the steady-noise cut learns its profile from this much of each mix.
PRE_CLEAN_CONTEXT_SAMPLES = 4 * SR
# Spelled out so the recipe does not move with MixConfig's defaults. Band-limited pairs
# matter: without them the model meets empty upper bands it never saw and makes matters
# worse (measured on 8 kHz speech: 5.0 -> 4.05 dB SI-SDR).
MIX = MixConfig(
    snr_db_range=(-5.0, 20.0),
    clean_fraction=0.15,
    bandlimit_fraction=0.25,
    bandlimit_hz=(3000.0, 7000.0),
    band_highpass_fraction=0.0,
    band_highpass_hz=(100.0, 400.0),
    hiss_fraction=0.0,
    hiss_slope_db=(-4.0, 2.0),
)


# The MixConfig shares a --stream run may change from the command line.
STREAM_MIX_SHARES = {
    "clean_fraction": "share of streamed pairs left clean",
    "hiss_fraction": "share of streamed noisy pairs whose noise is synthetic coloured hiss",
    "band_highpass_fraction": "share of band-limited pairs also high-passed (telephone, AM)",
}


def held_out(category: str, name: str, index: int) -> bool:
    """Whole speakers / recordings kept for validation, never trained on."""
    if category == "speech/librispeech_clean100":
        return int(name.split("-")[0]) % 10 == 0  # speakers whose id ends in 0
    if category.startswith("noise/"):
        return index % 5 == 0  # every fifth noise recording of each folder
    return category == "speech/vctk" and name.startswith("p228")


def manifest(data: Path) -> list[dict[str, str]]:
    with open(data / "manifest.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def pick(rows: list[dict[str, str]], categories: tuple[str, ...]) -> tuple[list, list]:
    train_rows, held = [], []
    for cat in categories:
        files = sorted(r["file"] for r in rows if r["category"] == cat)
        for i, name in enumerate(files):
            (held if held_out(cat, name, i) else train_rows).append((cat, name))
    return train_rows, held


def debian_music() -> tuple[list[Path], list[Path]]:
    """Wesnoth tracks for training, and every fifth one held out for the benchmark."""
    tracks = sorted(DEBIAN_MUSIC.glob("*.ogg")) if DEBIAN_MUSIC.is_dir() else []
    return [t for i, t in enumerate(tracks) if i % 5], tracks[::5]


def build_pairs(
    data: Path,
    out: Path,
    rng: np.random.Generator,
    max_pairs: int,
    speech_segments: int = SPEECH_SEGMENTS_PER_FILE,
) -> dict:
    rows = manifest(data)
    speech, speech_held = pick(rows, SPEECH)
    noise, noise_held = pick(rows, NOISE)
    music, _ = pick(rows, MUSIC)
    n = int(SEGMENT_S * SR)
    by_folder = load_noises(data, noise)
    (out / "noisy").mkdir(parents=True)
    (out / "clean").mkdir(parents=True)
    clean_segments = []
    for cat, name in speech:
        clean_segments += excerpts(
            load(data / cat / name, sr=SR, mono=True)[0], n, rng, speech_segments
        )
    for cat, name in music:
        clean_segments += excerpts(load(data / cat / name, sr=SR, mono=True)[0], n, rng, 12)
    extra_music, extra_held = debian_music()
    for track in extra_music:
        audio = load(track, sr=SR, mono=True)[0]
        clean_segments += excerpts(audio, n, rng, MUSIC_SEGMENTS_PER_TRACK)
    rng.shuffle(clean_segments)
    mixer = Mixer(by_folder, sr=SR, config=MIX)
    count = 0
    for i, clean in enumerate(clean_segments[:max_pairs]):
        if np.max(np.abs(clean)) < 1e-3:
            continue
        noisy, clean = mixer.mix(clean, rng)
        save(out / "noisy" / f"{i:05d}.wav", noisy, SR, subtype="FLOAT")
        save(out / "clean" / f"{i:05d}.wav", clean, SR, subtype="FLOAT")
        count += 1
    return {
        "pairs": count,
        "segment_s": SEGMENT_S,
        "speech_files": len(speech),
        "music_files": len(music) + len(extra_music),
        "debian_music_files": [t.name for t in extra_music],
        "held_out_debian_music": [t.name for t in extra_held],
        "noise_files": sum(len(v) for v in by_folder.values()),
        "held_out_speech": [f"{c}/{f}" for c, f in speech_held],
        "held_out_noise": [f"{c}/{f}" for c, f in noise_held],
    }


def build_stream(
    data: Path,
    rng: np.random.Generator,
    val_pairs: int,
    *,
    mix: MixConfig = MIX,
    music_share: float = STREAM_MUSIC_SHARE,
    pre_clean_db: float = 0.0,
) -> tuple[MixStream | PreCleanedStream, list[tuple[np.ndarray, np.ndarray]], dict]:
    """Whole clean recordings and noises in memory, to mix fresh pairs for every batch.

    Every tenth clean recording is kept apart for the fixed validation pairs. With
    ``pre_clean_db``, every noisy side (validation too) first goes through the model
    step's pre-clean at that depth: the input a speech-in-noise model meets.
    """
    rows = manifest(data)
    speech, speech_held = pick(rows, SPEECH)
    noise, noise_held = pick(rows, NOISE)
    music, _ = pick(rows, MUSIC)
    extra_music, extra_held = debian_music()
    by_folder = load_noises(data, noise)
    speech_audio = [load(data / c / f, sr=SR, mono=True)[0] for c, f in speech]
    music_audio = [load(data / c / f, sr=SR, mono=True)[0] for c, f in music]
    music_audio += [load(t, sr=SR, mono=True)[0] for t in extra_music]
    mixer = Mixer(by_folder, sr=SR, config=mix)
    train_pools = [
        (1 - music_share, [a for i, a in enumerate(speech_audio) if i % 10]),
        (music_share, [a for i, a in enumerate(music_audio) if i % 10]),
    ]
    val_pools = [(1 - music_share, speech_audio[::10]), (music_share, music_audio[::10])]
    val_stream = MixStream(val_pools, mixer, samples=int(SEGMENT_S * SR))
    val = [val_stream.draw(rng) for _ in range(val_pairs)]
    stream: MixStream | PreCleanedStream
    if pre_clean_db > 0:
        val = [(pre_clean(n, sr=SR, depth_db=pre_clean_db), c) for n, c in val]
        long_pairs = MixStream(train_pools, mixer, samples=PRE_CLEAN_CONTEXT_SAMPLES)
        stream = PreCleanedStream(
            long_pairs, samples=STREAM_SEGMENT_SAMPLES, sr=SR, depth_db=pre_clean_db
        )
    else:
        stream = MixStream(train_pools, mixer, samples=STREAM_SEGMENT_SAMPLES)
    hours = sum(a.shape[1] for a in speech_audio + music_audio) / SR / 3600
    return (
        stream,
        val,
        {
            "pairs": "stream",
            "segment_s": STREAM_SEGMENT_SAMPLES / SR,
            "clean_hours": round(hours, 2),
            "val_pairs": len(val),
            "speech_files": len(speech),
            "music_files": len(music) + len(extra_music),
            "music_share": music_share,
            "clean_fraction": mix.clean_fraction,
            "hiss_fraction": mix.hiss_fraction,
            "band_highpass_fraction": mix.band_highpass_fraction,
            "pre_clean_db": pre_clean_db,
            "snr_db_range": list(mix.snr_db_range),
            "debian_music_files": [t.name for t in extra_music],
            "held_out_debian_music": [t.name for t in extra_held],
            "noise_files": sum(len(v) for v in by_folder.values()),
            "held_out_speech": [f"{c}/{f}" for c, f in speech_held],
            "held_out_noise": [f"{c}/{f}" for c, f in noise_held],
        },
    )


def load_noises(data: Path, noise: list[tuple[str, str]]) -> dict[str, list[np.ndarray]]:
    """Noise recordings at SR grouped by folder.

    Many soundscape recordings are mostly DC offset and sub-50 Hz rumble: without a
    high-pass their "noise" power is fake and the mixes come out nearly clean.
    """
    by_folder: dict[str, list[np.ndarray]] = {}
    for c, f in noise:
        x = highpass(load(data / c / f, sr=SR, mono=True)[0], sr=SR, cutoff_hz=50.0)
        if np.sqrt(np.mean(x**2)) > 1e-4:
            by_folder.setdefault(c, []).append(x)
    return by_folder


def licences(data: Path, categories: tuple[str, ...]) -> list[str]:
    seen: dict[str, set[str]] = {}
    for row in manifest(data):
        if row["category"] in categories:
            seen.setdefault(row["category"], set()).add(row["licence"])
    return [f"`{cat}`: {'; '.join(sorted(lic))}" for cat, lic in sorted(seen.items())]


ROLES = {
    "default": ("The built-in restoration model of SeminarioIA", ""),
    "speech": (
        "The built-in speech-in-noise model of SeminarioIA",
        "The companion of `default.keras`: the model step (`speech_model`, which the `auto` "
        "preset sets) uses it only where its steady-noise pre-clean runs, and the default "
        "model's own mask reserves that for speech in noise (with, since 2026-12-02, "
        "speech's pauses and syllable rhythm where the default model keeps the quietest "
        "frames of a noisy block: `core.model.inference.speech_rhythm`). It is better "
        "there than the "
        "default model and worse on music and clean speech, which that judgement keeps "
        "away from it. Its later stages train on the input it meets: noisy audio after that "
        "pre-clean (`--pre-clean-db`), with steady hiss among the noises.",
    ),
}
"""What each built-in model is for, by file stem (``--out``), for its card."""


def write_model_card(model: Path, data: Path) -> Path:
    """``<model>.md`` from the bundle's JSON and ``<model>.training.json``."""
    summary = json.loads(model.with_name(model.stem + ".training.json").read_text())
    meta = json.loads(model.with_suffix(".json").read_text())
    result, info = summary["result"], summary["data"]
    stages = summary.get("stages") or [stage(summary)]
    config = meta.get("training", {}).get("config", {})
    size_mb = model.stat().st_size / 1e6
    title, role = ROLES.get(model.stem, ("A restoration model of SeminarioIA", ""))
    lines = [
        f"# Model card: `{model.name}`",
        "",
        f"{title}: a time-frequency gain mask "
        f"estimator (architecture `{meta.get('arch', meta.get('architecture', '?'))}`) "
        f"working at {meta.get('sr', meta.get('sample_rate', '?'))} Hz; "
        "`core.model.inference` runs it at any input rate and channel count.",
        *(["", role] if role else []),
        "",
        "## How it was made",
        (
            f"- Script: `scripts/train_default.py` (run: `.venv/bin/python "
            f"{stages[0]['command']}` with `../shared/data` beside the repository)"
            if len(stages) == 1
            else "- Script: `scripts/train_default.py`, run with `../shared/data` beside the "
            "repository in stages, each continuing the model of the one before (`--init`): "
            + "; then ".join(
                f"`.venv/bin/python {st['command']}` ({st['epochs']} epochs, "
                f"{st['seconds'] / 60:.0f} min)"
                for st in stages
            )
        )
        + ".",
        f"- Training time: {sum(st['seconds'] for st in stages) / 60:.0f} min on a 2-core CPU "
        f"(no GPU); {'last stage ' if len(stages) > 1 else ''}{result['epochs_run']} epochs, "
        "best weights from epoch "
        f"{result['best_epoch']}; "
        f"Adam at {config.get('learning_rate', 1e-3):g}"
        + (" with cosine decay to 5 %" if config.get("lr_schedule") == "cosine" else "")
        + f", batches of {config.get('batch_size', '?')} segments of "
        f"{config.get('segment_frames', '?')} frames.",
        (
            f"- Data: noisy/clean pairs of {info['segment_s']:.2f} s mixed afresh for every "
            f"batch ({config.get('batch_size', '?')} x {info.get('steps_per_epoch', '?')} per "
            f"epoch) from {info['clean_hours']:g} h of clean audio, "
            f"{info['speech_files']} speech files and {info['music_files']} music files "
            f"(music in {info['music_share']:.0%} of the pairs), mixed "
            if info["pairs"] == "stream"
            else f"- Data: {info['pairs']} noisy/clean pairs of {info['segment_s']:.0f} s "
            f"built from {info['speech_files']} clean speech files and {info['music_files']} "
            "music files, mixed "
        )
        + f"with {info['noise_files']} real noise recordings (50 Hz high-passed; a noise folder is "
        "drawn first, then a file) at "
        + "{:g}..{:g} dB SNR; ".format(*info.get("snr_db_range", MIX.snr_db_range))
        + f"{info.get('clean_fraction', MIX.clean_fraction):.0%} of the pairs are clean in, "
        "clean out; "
        f"{MIX.bandlimit_fraction:.0%} are band-limited on both sides (low-pass at "
        f"{MIX.bandlimit_hz[0] / 1000:g}..{MIX.bandlimit_hz[1] / 1000:g} kHz, as telephone, old "
        "broadcast and 8 kHz files arrive"
        + (
            f"; {info['band_highpass_fraction']:.0%} of those also high-passed at "
            f"{MIX.band_highpass_hz[0]:g}..{MIX.band_highpass_hz[1]:g} Hz"
            if info.get("band_highpass_fraction")
            else ""
        )
        + ")."
        + (
            f" In {info['hiss_fraction']:.0%} of the noisy pairs the noise is synthetic "
            "stationary hiss instead of a recording (Gaussian, spectral slope "
            f"{MIX.hiss_slope_db[0]:g}..{MIX.hiss_slope_db[1]:g} dB per octave)."
            if info.get("hiss_fraction")
            else ""
        )
        + (
            f" The noisy side went through the model step's pre-clean first (the steady-noise "
            f"cut at {info['pre_clean_db']:g} dB for {PRE_CLEAN_FULL_SHARE:.0%} of the pairs, 1.."
            f"{info['pre_clean_db']:g} dB for the rest, its profile learned from "
            f"{PRE_CLEAN_CONTEXT_SAMPLES / SR:g} s of each mix): the input a speech-in-noise "
            "model meets."
            if info.get("pre_clean_db")
            else ""
        )
        + " Music includes "
        f"{len(info.get('debian_music_files', []))} orchestral tracks of the Debian package "
        "`wesnoth-1.16-music` (GPL-2+; every fifth track held out).",
        "- Held out (never trained on): LibriSpeech speakers whose id ends in 0, VCTK p228, and "
        "every fifth noise recording of each noise folder; the 8 kHz spoken digits.",
        "",
        "## Data licences (from `../shared/data/manifest.tsv`)",
        *[f"- {line}" for line in licences(data, SPEECH + NOISE + MUSIC)],
        "- `wesnoth-1.16-music` (Debian): GPL-2+ (Battle for Wesnoth music)",
        "",
        "## Figures",
        f"- File size: {size_mb:.1f} MB.",
        "- Validation SI-SDR ("
        + (
            f"{info['val_pairs']} fixed pairs of {SEGMENT_S:.0f} s from every tenth clean "
            "recording, kept out of the stream"
            if info["pairs"] == "stream"
            else "10 % of the pairs"
        )
        + ", degraded ones): "
        f"{result['val_si_sdr_before']:.2f} dB noisy"
        + (" after the pre-clean" if info.get("pre_clean_db") else "")
        + f" → {result['val_si_sdr_after']:.2f} dB "
        f"restored ({result['improvement_db']:+.2f} dB); clean inputs come out at "
        f"{result.get('val_clean_si_sdr', float('nan')):.1f} dB SI-SDR against themselves.",
        "- Quality against other systems: see `docs/benchmarks.md`.",
        "",
    ]
    card = model.with_suffix(".md")
    card.write_text("\n".join(lines), encoding="utf-8")
    return card


def evaluate(args: argparse.Namespace) -> None:
    """Re-measure the validation split of a finished run (same seed, same pairs)."""
    from core.data.pairs import match_pairs, require_usable, split_pairs
    from core.model.bundle import load_bundle
    from core.training import mean_si_sdr, mean_si_sdr_audio

    summary_path = args.out.with_name(args.out.stem + ".training.json")
    summary = json.loads(summary_path.read_text())
    bundle = load_bundle(args.out)
    if summary["data"]["pairs"] == "stream":  # the validation pairs are drawn first
        _, val_audio, _ = build_stream(
            args.data, np.random.default_rng(args.seed), summary["data"]["val_pairs"]
        )
        before, after, clean = mean_si_sdr_audio(val_audio, bundle)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            build_pairs(
                args.data,
                Path(tmp),
                np.random.default_rng(args.seed),
                args.max_pairs,
                args.speech_segments,
            )
            pairs = require_usable(match_pairs(Path(tmp) / "noisy", Path(tmp) / "clean"))
            _, val = split_pairs(pairs, val_fraction=VAL_SPLIT, seed=args.seed)
            before, after, clean = mean_si_sdr(val, bundle)
    summary["result"].update(
        {
            "val_si_sdr_before": before,
            "val_si_sdr_after": after,
            "val_clean_si_sdr": clean,
            "improvement_db": after - before,
        }
    )
    summary_path.write_text(json.dumps(summary, indent=1))
    print(f"validation SI-SDR {before:.2f} -> {after:.2f} dB; clean input -> {clean:.2f} dB")


def stage(summary: dict) -> dict:
    """One training run of a recipe, as the model card lists it."""
    result = summary["result"]
    return {
        "command": summary.get(
            "command", f"scripts/train_default.py --epochs {result['epochs_run']}"
        ),
        "seconds": summary["total_seconds"],
        "epochs": result["epochs_run"],
        "best_epoch": result["best_epoch"],
    }


def earlier_stages(init: Path | None) -> list[dict]:
    """The runs that made the model ``init`` (a run may continue another's model)."""
    if init is None:
        return []
    path = init.with_name(init.stem + ".training.json")
    if not path.exists():
        return [{"command": f"(a model not made by this script: {init.name})"}]
    summary = json.loads(path.read_text())
    return summary.get("stages") or [stage(summary)]


def recipe_arguments(argv: list[str]) -> list[str]:
    """The command-line arguments that shape the model (where it was written does not)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--out":
            skip = True
        elif not arg.startswith("--out="):
            kept.append(arg)
    return kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("resources/models/default.keras"))
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--max-pairs", type=int, default=900)
    parser.add_argument(
        "--speech-segments",
        type=int,
        default=SPEECH_SEGMENTS_PER_FILE,
        help="4-s segments drawn from each clean speech file",
    )
    parser.add_argument("--lr-schedule", choices=LR_SCHEDULES, default="constant")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--stream",
        action="store_true",
        help="mix fresh pairs for every batch instead of a fixed set of --max-pairs",
    )
    parser.add_argument(
        "--steps-per-epoch", type=int, default=300, help="batches per epoch with --stream"
    )
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--init", type=Path, help="continue training this model (.keras)")
    parser.add_argument(
        "--music-share", type=float, default=STREAM_MUSIC_SHARE, help="share of streamed music"
    )
    for name, text in STREAM_MIX_SHARES.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=float, default=getattr(MIX, name), help=text)
    parser.add_argument(
        "--pre-clean-db",
        type=float,
        default=0.0,
        help="with --stream: train on noisy audio after the model step's pre-clean at this "
        "depth (for a speech-in-noise model)",
    )
    parser.add_argument(
        "--snr-db",
        type=float,
        nargs=2,
        default=MIX.snr_db_range,
        metavar=("LOW", "HIGH"),
        help="with --stream: range of the mixes' signal-to-noise ratio",
    )
    parser.add_argument("--card-only", action="store_true", help="only rewrite the model card")
    parser.add_argument(
        "--evaluate-only",
        action="store_true",
        help="rebuild the same pairs and re-measure the saved model's validation SI-SDR",
    )
    args = parser.parse_args()
    if args.card_only:
        print(write_model_card(args.out, args.data))
        return 0
    if args.evaluate_only:
        evaluate(args)
        print(write_model_card(args.out, args.data))
        return 0
    rng = np.random.default_rng(args.seed)
    started = time.time()
    config = TrainConfig(
        arch="crnn",
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        init=None if args.init is None else str(args.init),
        lr_schedule=args.lr_schedule,
        val_split=VAL_SPLIT,
        patience=4,
        seed=args.seed,
    )

    def report(r: EpochReport) -> None:
        print(f"epoch {r.epoch}: loss {r.loss:.4f} val {r.val_loss:.4f}", flush=True)

    if args.stream:
        mix = dataclasses.replace(
            MIX,
            snr_db_range=tuple(args.snr_db),
            **{name: getattr(args, name) for name in STREAM_MIX_SHARES},
        )
        stream, val, data_info = build_stream(
            args.data,
            rng,
            STREAM_VAL_PAIRS,
            mix=mix,
            music_share=args.music_share,
            pre_clean_db=args.pre_clean_db,
        )
        print(f"loaded {data_info['clean_hours']} h of clean audio", flush=True)
        result = train_stream(
            stream.draw,
            val,
            args.out,
            config=config,
            steps_per_epoch=args.steps_per_epoch,
            source="scripts/train_default.py --stream",
            on_epoch=report,
            overwrite=True,  # --out is the model this script reproduces
        )
    else:
        with tempfile.TemporaryDirectory() as tmp:
            data_info = build_pairs(args.data, Path(tmp), rng, args.max_pairs, args.speech_segments)
            print(f"built {data_info['pairs']} pairs in {time.time() - started:.0f} s", flush=True)
            result = train(
                Path(tmp) / "noisy",
                Path(tmp) / "clean",
                args.out,
                config=config,
                on_epoch=report,
                overwrite=True,  # --out is the model this script reproduces
            )
    command = " ".join(["scripts/train_default.py", *recipe_arguments(sys.argv[1:])])
    summary = {
        "command": command,
        "data": {**data_info, "steps_per_epoch": args.steps_per_epoch}
        if args.stream
        else data_info,
        "result": result.to_dict(),
        "total_seconds": time.time() - started,
    }
    summary["stages"] = earlier_stages(args.init) + [stage(summary)]
    args.out.with_name(args.out.stem + ".training.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(result.to_dict(), indent=1))
    print(write_model_card(args.out, args.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
