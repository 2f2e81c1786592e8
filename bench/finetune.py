"""Fine-tuning benchmark: ``seminario train --init default`` (or ``--init dfn3``, with
``--base dfn3``: DeepFilterNet3 with its own loss) on a few minutes of one domain.

Usage (from the repository root, after ``.venv/bin/pip install -e ".[bench]"``)::

    .venv/bin/python bench/finetune.py [--base dfn3] [--data ../shared/data] \
        [--write docs/benchmarks.md]

It plays a user who holds a few minutes of their own noisy/clean pairs in a domain the
built-in model never trained on: the 8 kHz Free Spoken Digit Dataset
(``speech/fsdd_8k``, excluded from ``scripts/train_default.py``) in a kitchen noise that
script holds out (``noise/speech_commands/doing_the_dishes.flac``, every fifth noise
recording is held out). Digits of one speaker are joined into utterances of a few
seconds and mixed with the noise at 0..10 dB SNR (seeded).

* Fine-tuning pairs: ``--train-minutes`` of utterances by the training speakers, noise
  excerpts from the first ``--noise-split`` of the noise recording, written as 8 kHz
  WAV files into ``noisy/`` and ``clean/`` with matching names.
* Training: the real user path, ``python -m core.cli train --init default ...`` (the
  ``seminario`` command) as a subprocess, timed.
* Test pairs: other speakers (whole speakers held out), noise excerpts from the rest of
  the recording. Both models run through the same chain (the ``denoise`` preset with
  only its model swapped, ``core.pipeline.restore_array``), and are scored against the
  clean reference at 8 kHz: SI-SDR, PESQ narrow-band and STOI (``pesq`` and ``pystoi``
  of the ``bench`` extra; "n/a" without them).
* A small check of what fine-tuning costs elsewhere (``--general``): held-out 16 kHz
  speech (LibriSpeech speakers whose id ends in 0, VCTK p228) in another held-out noise.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    ROOT,
    fmt,
    held_out_files,
    machine,
    manifest,
    training_script,
    write_section,
)
from core.audio.io import load, save  # noqa: E402
from core.dsp.filters import highpass  # noqa: E402
from core.metrics import si_sdr  # noqa: E402

BEGIN, END = "<!-- finetune:begin -->", "<!-- finetune:end -->"
DFN3_MARKERS = "<!-- finetune-dfn3:begin -->", "<!-- finetune-dfn3:end -->"
DOMAIN = "speech/fsdd_8k"
SR = 8000
NOISE = "noise/speech_commands/doing_the_dishes.flac"
GENERAL_NOISE = "noise/misc_speechbrain/noise1.flac"
GENERAL_SR = 16000
GENERAL_SECONDS = 8.0
GENERAL_SNR_DB = 5.0
DIGITS_PER_UTTERANCE = (6, 9)  # inclusive range
GAP_S = (0.1, 0.35)
EDGE_S = 0.25  # silence before the first and after the last digit
SNR_DB = (0.0, 10.0)
PEAK_DB = (-15.0, -3.0)  # clean peak before mixing


# --- material ---------------------------------------------------------------


def digits_by_speaker(data: Path, rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """FSDD file names (``digit_speaker_index.flac``) per speaker, sorted."""
    speakers: dict[str, list[str]] = {}
    for r in rows:
        if r["category"] == DOMAIN:
            speakers.setdefault(r["file"].split("_")[1], []).append(r["file"])
    if not speakers:
        raise SystemExit(f"no {DOMAIN} files in {data / 'manifest.tsv'}")
    return {s: sorted(f) for s, f in sorted(speakers.items())}


def load_noise(data: Path, rel: str, sr: int) -> np.ndarray:
    """Mono noise at ``sr``, 50 Hz high-passed like the default model's training noise."""
    x, _ = load(data / rel, sr=sr, mono=True)
    return highpass(x, sr=sr, cutoff_hz=50.0).astype(np.float32)[0]


def check_unseen(rows: list[dict[str, str]], noise: str) -> None:
    script = training_script()
    if DOMAIN in script.SPEECH:
        raise SystemExit(f"{DOMAIN} is in the default model's training speech")
    category, name = noise.rsplit("/", 1)
    if (category, name) not in held_out_files(rows, script.NOISE):
        raise SystemExit(f"{noise} is not a noise recording the default model holds out")


def utterance(data: Path, files: list[str], rng: np.random.Generator) -> np.ndarray:
    """Digits joined with short pauses, each digit at the same peak; 1-D float32."""
    parts = [np.zeros(int(EDGE_S * SR), np.float32)]
    for i, name in enumerate(files):
        x = load(data / DOMAIN / name, sr=SR, mono=True)[0][0].astype(np.float64)
        x -= x.mean()
        x /= max(float(np.max(np.abs(x))), 1e-9)
        if i:
            parts.append(np.zeros(int(rng.uniform(*GAP_S) * SR), np.float32))
        parts.append(x.astype(np.float32))
    parts.append(np.zeros(int(EDGE_S * SR), np.float32))
    return np.concatenate(parts)


def mix(
    clean: np.ndarray, noise: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float]:
    """``clean`` at a random peak plus a random excerpt of ``noise`` at a random SNR."""
    clean = clean * np.float32(10 ** (rng.uniform(*PEAK_DB) / 20))
    n = clean.size
    if noise.size <= n:
        excerpt = np.tile(noise, n // noise.size + 1)[:n]
    else:
        start = int(rng.integers(0, noise.size - n))
        excerpt = noise[start : start + n]
    snr = float(rng.uniform(*SNR_DB))
    p_c = float(np.mean(clean.astype(np.float64) ** 2))
    p_n = max(float(np.mean(excerpt.astype(np.float64) ** 2)), 1e-12)
    noisy = clean + excerpt * np.float32(np.sqrt(p_c / (p_n * 10 ** (snr / 10))))
    peak = float(np.max(np.abs(noisy)))
    if peak > 0.99:
        noisy, clean = noisy * (0.99 / peak), clean * (0.99 / peak)
    return noisy.astype(np.float32), clean.astype(np.float32), snr


@dataclass
class PairSet:
    speakers: list[str]
    names: list[str] = field(default_factory=list)
    seconds: float = 0.0
    digits: int = 0
    snrs: list[float] = field(default_factory=list)


def build_pairs(
    data: Path,
    folder: Path,
    digits: dict[str, list[str]],
    speakers: list[str],
    noise: np.ndarray,
    rng: np.random.Generator,
    *,
    seconds: float | None = None,
    count: int | None = None,
) -> PairSet:
    """Write ``noisy/`` and ``clean/`` under ``folder``: utterances of ``speakers`` in
    turn until ``seconds`` of audio or ``count`` pairs; each digit file is used once."""
    (folder / "noisy").mkdir(parents=True)
    (folder / "clean").mkdir(parents=True)
    pools = {s: list(rng.permutation(digits[s])) for s in speakers}
    out = PairSet(speakers)
    k = 0
    while (seconds is not None and out.seconds < seconds) or (
        count is not None and len(out.names) < count
    ):
        speaker = speakers[k % len(speakers)]
        take = int(rng.integers(DIGITS_PER_UTTERANCE[0], DIGITS_PER_UTTERANCE[1] + 1))
        if len(pools[speaker]) < take:
            raise SystemExit(f"not enough recordings of {speaker} for the requested amount")
        files, pools[speaker] = pools[speaker][:take], pools[speaker][take:]
        noisy, clean, snr = mix(utterance(data, files, rng), noise, rng)
        name = f"{speaker}_{k // len(speakers):03d}.wav"
        save(folder / "noisy" / name, noisy[np.newaxis], SR, subtype="FLOAT")
        save(folder / "clean" / name, clean[np.newaxis], SR, subtype="FLOAT")
        out.names.append(name)
        out.seconds += clean.size / SR
        out.digits += take
        out.snrs.append(snr)
        k += 1
    return out


# --- training ---------------------------------------------------------------


def train_command(args: argparse.Namespace, work: Path) -> list[str]:
    return [
        "train",
        "--noisy",
        str(work / "train" / "noisy"),
        "--clean",
        str(work / "train" / "clean"),
        "-o",
        str(work / "finetuned.keras"),
        "--init",
        args.base,
        "--epochs",
        str(args.epochs),
        "--learning-rate",
        f"{args.learning_rate:g}",
        "--batch-size",
        str(args.batch_size),
        "--patience",
        str(args.patience),
        "--seed",
        str(args.seed),
        "--json",
    ]


def run_training(command: list[str]) -> tuple[dict[str, Any], float]:
    """Run ``python -m core.cli <command>``; progress goes to our stderr."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli", *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"training failed (exit {proc.returncode}):\n{proc.stdout}")
    return json.loads(proc.stdout), seconds


# --- scoring ----------------------------------------------------------------


METRICS = ("si_sdr", "pesq", "stoi")
HEADERS = ("SI-SDR dB", "PESQ", "STOI")
DIGITS = {"si_sdr": 2, "pesq": 2, "stoi": 3}


class Scorer:
    def __init__(self, sr: int, mode: str) -> None:
        self.sr, self.mode = sr, mode
        self.missing: set[str] = set()
        try:
            from pesq import pesq

            self._pesq: Any = pesq
        except ImportError:
            self._pesq = None
            self.missing.add("pesq")
        try:
            from pystoi import stoi

            self._stoi: Any = stoi
        except ImportError:
            self._stoi = None
            self.missing.add("stoi")

    def __call__(self, out: np.ndarray, clean: np.ndarray) -> dict[str, float]:
        ref = clean.ravel().astype(np.float64)
        deg = out.ravel().astype(np.float64)
        scores = {"si_sdr": si_sdr(deg, ref), "pesq": np.nan, "stoi": np.nan}
        if self._pesq is not None:
            try:
                scores["pesq"] = float(self._pesq(self.sr, ref, deg, self.mode))
            except Exception:  # noqa: BLE001 - pesq refuses some inputs (no utterance)
                pass
        if self._stoi is not None:
            scores["stoi"] = float(self._stoi(ref, deg, self.sr, extended=False))
        return scores


def evaluate(
    cases: list[tuple[np.ndarray, np.ndarray]],
    sr: int,
    models: dict[str, str],
    scorer: Scorer,
) -> dict[str, list[dict[str, float]]]:
    """Per-file scores of the input and of each model (``{label: model path}``), the
    ``denoise`` preset with only its model replaced, so only the weights differ."""
    from core.chain import load_preset
    from core.pipeline import restore_array
    from core.steps import BuildContext

    context = BuildContext()
    chains = {label: load_preset("denoise").with_model(spec) for label, spec in models.items()}
    per: dict[str, list[dict[str, float]]] = {"input": [], **{k: [] for k in models}}
    for noisy, clean in cases:
        per["input"].append(scorer(noisy, clean))
        for label, chain in chains.items():
            out = restore_array(noisy[np.newaxis], sr=sr, chain=chain, context=context).restored
            per[label].append(scorer(out, clean))
    return per


def means(
    per: dict[str, list[dict[str, float]]], keep: list[bool] | None = None
) -> dict[str, dict[str, float]]:
    """Mean of each metric per system over the files (those where ``keep``); NaN when
    a file has no score."""
    out: dict[str, dict[str, float]] = {}
    for label, rows in per.items():
        rows = [r for i, r in enumerate(rows) if keep is None or keep[i]]
        out[label] = {}
        for m in METRICS:
            values = [r[m] for r in rows if np.isfinite(r[m])]
            out[label][m] = float(np.mean(values)) if len(values) == len(rows) else np.nan
    return out


def by_speaker(
    per: dict[str, list[dict[str, float]]], names: list[str], speakers: list[str]
) -> str:
    """One line per test speaker: SI-SDR and STOI of input, default, fine-tuned."""
    parts = []
    for speaker in speakers:
        m = means(per, [n.startswith(speaker + "_") for n in names])
        parts.append(
            f"{speaker}: SI-SDR {fmt(m['input']['si_sdr'])} / {fmt(m['default']['si_sdr'])} / "
            f"{fmt(m['finetuned']['si_sdr'])} dB, STOI {fmt(m['input']['stoi'], 3)} / "
            f"{fmt(m['default']['stoi'], 3)} / {fmt(m['finetuned']['stoi'], 3)}"
        )
    return "; ".join(parts)


def load_cases(folder: Path, names: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (load(folder / "noisy" / n, mono=True)[0][0], load(folder / "clean" / n, mono=True)[0][0])
        for n in names
    ]


def general_cases(
    data: Path, rows: list[dict[str, str]], count: int, rng: np.random.Generator
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[str]]:
    """Held-out 16 kHz speech in another held-out noise at GENERAL_SNR_DB."""
    script = training_script()
    held = held_out_files(rows, script.SPEECH)
    picked = [held[i] for i in rng.permutation(len(held))[:count]]
    noise = load_noise(data, GENERAL_NOISE, GENERAL_SR)
    cases, names = [], []
    n = int(GENERAL_SECONDS * GENERAL_SR)
    for category, name in sorted(picked):
        clean = load(data / category / name, sr=GENERAL_SR, mono=True)[0][0][:n]
        clean = clean / max(float(np.max(np.abs(clean))), 1e-9) * np.float32(0.3)
        start = int(rng.integers(0, max(noise.size - clean.size, 1)))
        excerpt = np.resize(noise[start:], clean.size)
        gain = np.sqrt(np.mean(clean**2) / max(np.mean(excerpt**2), 1e-12))
        noisy = clean + excerpt * np.float32(gain * 10 ** (-GENERAL_SNR_DB / 20))
        cases.append((noisy.astype(np.float32), clean.astype(np.float32)))
        names.append(f"{category.split('/')[-1]}/{name}")
    return cases, names


# --- report -----------------------------------------------------------------


def table(means: dict[str, dict[str, float]], labels: dict[str, str], pesq: str) -> str:
    headers = [h if h != "PESQ" else pesq for h in HEADERS]
    lines = ["| | " + " | ".join(headers) + " |", "|---|" + "---:|" * len(headers)]
    for key, label in labels.items():
        cells = [fmt(means[key][m], DIGITS[m]) for m in METRICS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def reproduce_command(args: argparse.Namespace, defaults: argparse.Namespace) -> str:
    parts = [".venv/bin/python bench/finetune.py"]
    if args.base != defaults.base:
        parts.append(f"--base {args.base}")
    for opt in (
        "train_minutes",
        "test_files",
        "epochs",
        "learning_rate",
        "batch_size",
        "patience",
        "seed",
        "general",
    ):
        value = getattr(args, opt)
        if value != getattr(defaults, opt):
            parts.append(f"--{opt.replace('_', '-')} {value:g}")
    if ",".join(args.test_speakers) != ",".join(defaults.test_speakers):
        parts.append(f"--test-speakers {','.join(args.test_speakers)}")
    if args.write:
        parts.append(f"--write {args.write}")
    return " ".join(parts)


def cli_defaults(args: argparse.Namespace) -> bool:
    """Whether the training settings are ``seminario train``'s own defaults."""
    from core.cli import build_parser

    d = build_parser().parse_args(["train", "--noisy", "n", "--clean", "c", "-o", "m.keras"])
    return (d.epochs, d.learning_rate, d.batch_size, d.patience, d.val_split) == (
        args.epochs,
        args.learning_rate,
        args.batch_size,
        args.patience,
        args.val_split,
    )


def report(info: dict[str, Any]) -> str:
    a = info["args"]
    result = info["train_result"]
    train, test = info["train"], info["test"]
    user_cmd = "seminario " + " ".join(shlex.quote(c) for c in info["command"]).replace(
        str(info["work"]), "WORK"
    )
    title = "## Fine-tuning on a user's own pairs (`bench/finetune.py`)"
    if a.base == "dfn3":
        title += ": DeepFilterNet3 (`--base dfn3`)"
    lines = [
        title,
        "",
        f"Measured {info['date']} on {machine()}, in {info['minutes']:.1f} min "
        f"(fine-tuning itself {info['train_seconds']:.0f} s of it).",
        f'Reproduce: `.venv/bin/pip install -e ".[bench]"`, then `{info["reproduce"]}` '
        "(`--data ../shared/data` by default).",
        "",
        "A user with a few minutes of their own noisy/clean pairs, in a domain the built-in "
        "model never trained on, runs "
        f"`{user_cmd}` (run here as `python -m core.cli train ...`, the same entry point).",
        "",
        f"- **Domain**: `{DOMAIN}` (Free Spoken Digit Dataset, 8 kHz; not in "
        "`scripts/train_default.py`'s speech), digits of one speaker joined into "
        f"utterances of {DIGITS_PER_UTTERANCE[0]}-{DIGITS_PER_UTTERANCE[1]} digits with "
        f"{GAP_S[0]:.2f}-{GAP_S[1]:.2f} s pauses, in `{info['noise']}` "
        f"({info['noise_seconds']:.0f} s, a kitchen recording the default model holds out: "
        "every fifth noise recording of each folder) at "
        f"{SNR_DB[0]:.0f}..{SNR_DB[1]:.0f} dB SNR, clean peak {PEAK_DB[0]:.0f}..{PEAK_DB[1]:.0f} "
        f"dBFS; seed {a.seed}.",
        f"- **Fine-tuning pairs**: {len(train.names)} files, {train.seconds / 60:.1f} min "
        f"({train.digits} digit recordings) of speakers {', '.join(train.speakers)}; noise "
        f"excerpts from the first {info['split_s']:.0f} s of the recording. `train` keeps "
        f"{result['val_files']} of them ({a.val_split:.0%}) for validation and early stopping "
        f"and fits on {result['train_files']}.",
        f"- **Fine-tuning**: {result['epochs_run']} epochs run (best {result['best_epoch']}), "
        f"learning rate {a.learning_rate:g}, batch {a.batch_size}, patience {a.patience}"
        + (" (all `seminario train`'s defaults)" if info["cli_defaults"] else "")
        + ": "
        f"{info['train_seconds']:.0f} s wall time for the whole command (TensorFlow start, "
        "reading pairs, training, validation, saving). Its own report, on the "
        f"{result['val_files']} validation pairs (fine-tuning speakers and noise excerpts): SI-SDR "
        f"{fmt(result['val_si_sdr_before'])} dB noisy → {fmt(result['val_si_sdr_after'])} dB.",
        f"- **Test pairs**: {len(test.names)} files, {test.seconds / 60:.1f} min of the "
        f"held-out speakers {', '.join(test.speakers)} (never in the fine-tuning pairs), "
        f"noise excerpts from the last {info['noise_seconds'] - info['split_s']:.0f} s of the "
        f"recording (disjoint from the fine-tuning excerpts), SNR mean "
        f"{np.mean(test.snrs):.1f} dB.",
        "- **Scoring**: each model through the same chain, the `denoise` preset (DC, 30 Hz "
        "high-pass, the model) with only its model swapped, via "
        "`core.pipeline.restore_array` at 8 kHz; against the clean reference at 8 kHz: "
        "SI-SDR, PESQ narrow-band (`pesq` package, P.862 `nb`) and STOI; mean over files.",
        "",
        "### Held-out speakers, 8 kHz digits in kitchen noise",
        "",
        info["table"],
        "",
        f"Per test speaker (input / as shipped / fine-tuned): {info['by_speaker']}.",
    ]
    if info.get("general_table"):
        lines += [
            "",
            "### What it costs elsewhere",
            "",
            f"The same two models on {info['general_count']} held-out 16 kHz speech clips "
            f"(first {GENERAL_SECONDS:.0f} s; LibriSpeech speakers whose id ends in 0 and VCTK "
            f"p228) in `{GENERAL_NOISE}` (held out) at {GENERAL_SNR_DB:.0f} dB SNR, scored at "
            "16 kHz with PESQ wide-band. A model fine-tuned on one domain is meant for that "
            "domain; keep the built-in one for everything else.",
            "",
            info["general_table"],
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--train-minutes", type=float, default=4.0, help="fine-tuning pairs, in minutes"
    )
    parser.add_argument("--test-files", type=int, default=20, help="test pairs")
    parser.add_argument(
        "--test-speakers",
        type=lambda s: s.split(","),
        default=["theo", "yweweler"],
        help="held-out FSDD speakers, comma-separated (the others fine-tune)",
    )
    parser.add_argument("--noise-split", type=float, default=0.6, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--base",
        choices=("default", "dfn3"),
        default="default",
        help="the built-in model to fine-tune: default (mask model) or dfn3 (DeepFilterNet3)",
    )
    parser.add_argument(
        "--general", type=int, default=8, help="held-out 16 kHz clips to check (0: skip)"
    )
    parser.add_argument("--keep", type=Path, help="keep the pairs and the model in this folder")
    parser.add_argument("--write", type=Path, help="update this markdown file's finetune section")
    defaults = parser.parse_args([])
    args = parser.parse_args()
    args.val_split = 0.2  # `seminario train`'s default, left as a user would
    started = time.perf_counter()
    rows = manifest(args.data)
    check_unseen(rows, NOISE)
    digits = digits_by_speaker(args.data, rows)
    unknown = set(args.test_speakers) - set(digits)
    if unknown:
        raise SystemExit(f"unknown speakers {sorted(unknown)}; FSDD has {sorted(digits)}")
    train_speakers = [s for s in digits if s not in args.test_speakers]
    noise = load_noise(args.data, NOISE, SR)
    split = int(args.noise_split * noise.size)
    rng = np.random.default_rng(args.seed)

    with tempfile.TemporaryDirectory(prefix="seminario-finetune-") as tmp:
        work = args.keep or Path(tmp)
        if args.keep is not None:
            if args.keep.exists() and any(args.keep.iterdir()):
                raise SystemExit(f"--keep folder {args.keep} is not empty")
            args.keep.mkdir(parents=True, exist_ok=True)
        work = work.resolve()
        train = build_pairs(
            args.data,
            work / "train",
            digits,
            train_speakers,
            noise[:split],
            rng,
            seconds=60 * args.train_minutes,
        )
        test = build_pairs(
            args.data,
            work / "test",
            digits,
            list(args.test_speakers),
            noise[split:],
            rng,
            count=args.test_files,
        )
        print(
            f"fine-tuning pairs: {len(train.names)} files, {train.seconds / 60:.1f} min "
            f"({', '.join(train.speakers)}); test pairs: {len(test.names)} files "
            f"({', '.join(test.speakers)})",
            flush=True,
        )
        command = train_command(args, work)
        print("running: python -m core.cli " + " ".join(command), flush=True)
        result, train_seconds = run_training(command)
        print(f"fine-tuning took {train_seconds:.0f} s", flush=True)

        models = {"default": args.base, "finetuned": str(work / "finetuned.keras")}
        stock = (
            "DeepFilterNet3 as shipped (`resources/models/dfn3.keras`)"
            if args.base == "dfn3"
            else "default model (`resources/models/default.keras`)"
        )
        labels = {
            "input": "input (unprocessed)",
            "default": stock,
            "finetuned": (
                f"fine-tuned (`--init {args.base}`, {train.seconds / 60:.1f} min of pairs)"
            ),
        }
        per = evaluate(load_cases(work / "test", test.names), SR, models, Scorer(SR, "nb"))
        main_table = table(means(per), labels, "PESQ-NB")
        speakers_line = by_speaker(per, test.names, test.speakers)
        print(main_table + "\n" + speakers_line, flush=True)
        general_table, general_count = "", 0
        if args.general > 0:
            cases, names = general_cases(
                args.data, rows, args.general, np.random.default_rng([args.seed, 1])
            )
            general = evaluate(cases, GENERAL_SR, models, Scorer(GENERAL_SR, "wb"))
            general_table, general_count = table(means(general), labels, "PESQ-WB"), len(names)
            print(general_table, flush=True)

    minutes = (time.perf_counter() - started) / 60
    info = {
        "args": args,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "minutes": minutes,
        "train_seconds": train_seconds,
        "train_result": result,
        "train": train,
        "test": test,
        "noise": NOISE,
        "noise_seconds": noise.size / SR,
        "split_s": split / SR,
        "command": command,
        "work": work,
        "reproduce": reproduce_command(args, defaults),
        "table": main_table,
        "by_speaker": speakers_line,
        "cli_defaults": cli_defaults(args),
        "general_table": general_table,
        "general_count": general_count,
    }
    text = report(info)
    if args.write:
        begin, end = (BEGIN, END) if args.base == "default" else DFN3_MARKERS
        write_section(args.write, begin, end, text)
        print(f"\nwrote the finetune section of {args.write} ({minutes:.1f} min)")
    else:
        print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
