"""Where the steady-noise estimate reads a recording clean, does the model hear noise?

Usage (from the repository root, with ../shared/data beside it; PESQ and STOI need the
``bench`` extra)::

    .venv/bin/python bench/noise_judge.py [--files 60] [--seed 123] [--write docs/benchmarks.md]

The repair assistant proposes the model step when its blind SNR estimate
(:func:`core.features.estimate_snr_db`) is below :data:`core.assistant.NOISY_BELOW_SNR_DB`.
That estimate measures steady noise, so noise that comes and goes over a clean floor
(handling, taps, clatter) reads as clean. There the assistant asks the built-in model how
much of the energy it would take out (:func:`core.assistant.model_removal_db`) and calls
the recording noisy from :data:`core.assistant.UNSTEADY_NOISE_DB` up. This sets that
threshold apart from the quality benchmark: training-side material only — ``--files``
10-s clips (16 kHz, peak -6 dBFS) of the speakers ``scripts/train_default.py`` trains
on, plus clean Debian speech (``klettres-data``, ``asterisk-core-sounds-en-wav``) when
installed, each clean and in training-side noise recordings at 0, 10 and 20 dB SNR
(``core.data.degrade``, as ``bench/quality.py`` mixes). For the clips whose steady
estimate reads clean it prints the model's removal and PESQ-WB / STOI of the clip left
alone and after ``dc → model`` as ``auto`` proposes it.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, manifest, training_script, write_section  # noqa: E402
from bench.quality import NoiseBank, Scorer, only  # noqa: E402
from core.assistant import (  # noqa: E402
    NOISY_BELOW_SNR_DB,
    UNSTEADY_NOISE_DB,
    Diagnosis,
    model_removal_db,
    propose_chain,
)
from core.audio.io import load  # noqa: E402
from core.data.degrade import degrade  # noqa: E402
from core.features import estimate_snr_db  # noqa: E402
from core.pipeline import ChainConfig, restore_array  # noqa: E402
from core.steps import BuildContext  # noqa: E402

SR = 16000
BEGIN, END = "<!-- noise-judge:begin -->", "<!-- noise-judge:end -->"
SNRS = (0.0, 10.0, 20.0)
DEBIAN_SPEECH = (
    ("/usr/share/klettres", "*/*/*.ogg", 40),  # every 40th file, at most 15
    ("/usr/share/asterisk/sounds/en", "*.wav", 25),
)


def clip(path: Path) -> np.ndarray | None:
    x = load(path, sr=SR, mono=True)[0][:, : 10 * SR]
    if x.shape[1] < 2 * SR or np.sqrt(np.mean(x**2)) < 1e-3 * np.max(np.abs(x)):
        return None
    return (x * (0.5 / np.max(np.abs(x)))).astype(np.float32)


def model_chain() -> ChainConfig:
    """``dc → model`` with the model step exactly as the assistant proposes it for noise."""
    noisy = Diagnosis(
        sr=SR,
        channels=1,
        duration_s=10.0,
        hum_hz=None,
        hum_level_db=float("-inf"),
        clicks_per_min=0.0,
        clipped_fraction=0.0,
        snr_db=10.0,
        bandwidth_hz=SR / 2,
        analysed_seconds=10.0,
    )
    return propose_chain(noisy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--files", type=int, default=60, help="training-side speech clips")
    parser.add_argument("--seed", type=int, default=123)
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    args = parser.parse_args()
    started, t0 = datetime.now(UTC), time.perf_counter()
    script = training_script()
    rows = manifest(args.data)
    rng = np.random.default_rng(args.seed)
    speech = script.pick(rows, script.SPEECH)[0]
    chosen = rng.choice(len(speech), args.files, replace=False)
    picked = [args.data / speech[i][0] / speech[i][1] for i in chosen]
    for folder, pattern, step in DEBIAN_SPEECH:
        picked += sorted(Path(folder).glob(pattern))[::step][:15]
    clips = [(p, x) for p in picked if (x := clip(p)) is not None]
    bank = NoiseBank(args.data, script.pick(rows, script.NOISE)[0])
    noises = bank.source(SR)
    context, chain, scorer = BuildContext(), model_chain(), Scorer()
    scorer._dnsmos = None  # PESQ and STOI are enough here
    table: list[tuple[str, str, str | None, float, dict[str, Any], dict[str, Any]]] = []
    removal: dict[str, list[float]] = {"clean": [], "noisy": []}
    for i, (path, clean) in enumerate(clips):
        versions: list[tuple[str, np.ndarray, np.ndarray, str | None]] = [
            ("clean", clean, clean, None)
        ]
        if i < args.files:  # the training speakers' clips, in noise too
            for snr in SNRS:
                noisy, params = degrade(
                    clean,
                    sr=SR,
                    config=only(p_noise=1.0, snr_db_range=(snr, snr)),
                    rng=np.random.default_rng([7, i, int(snr)]),
                    noises=noises,
                )
                reference = clean * np.float32(params.target_gain)
                versions.append((f"{snr:g} dB", noisy, reference, bank.last))
        for label, x, reference, noise in versions:
            if estimate_snr_db(x, sr=SR) < NOISY_BELOW_SNR_DB:
                continue  # the steady estimate already calls it noisy
            removed = model_removal_db(x, sr=SR, context=context)
            removal["clean" if noise is None else "noisy"].append(removed)
            left = scorer(reference, x, SR)
            restored = scorer(
                reference, restore_array(x, sr=SR, chain=chain, context=context)[0], SR
            )
            table.append((path.name, label, noise, removed, left, restored))
            print(f"{path.name} {label} {noise or ''}: removal {removed:.1f} dB", flush=True)

    def stoi(score: dict[str, Any]) -> str:  # pystoi gives 1e-5 where a clip is too short
        return f"{score['stoi']:.3f}" if score["stoi"] > 1e-3 else "—"

    lines = [
        "## Noise the steady estimate misses (`bench/noise_judge.py`)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, "
        f"in {(time.perf_counter() - t0) / 60:.1f} min.",
        f"Reproduce: `.venv/bin/python bench/noise_judge.py --files {args.files} "
        f"--seed {args.seed}`.",
        f"Training-side material only, none of it in the quality benchmark: {len(clips)} "
        f"clips, {args.files} from training speakers (clean and in training-side noise "
        "recordings at 0, 10 and 20 dB SNR), the rest clean Debian speech. Listed: those "
        f"whose steady-noise estimate reads clean (≥ {NOISY_BELOW_SNR_DB:g} dB), with the "
        f"built-in model's removal; from {UNSTEADY_NOISE_DB:g} dB up the assistant proposes "
        "the model step (**noisy**). PESQ-WB and STOI against the clean clip, left alone "
        "and after `dc → model` as `auto` proposes it.",
        "",
        "| clip | input | noise | model removal dB | PESQ left alone | PESQ dc → model "
        "| STOI left alone | STOI dc → model |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, label, noise, removed, left, restored in sorted(table, key=lambda r: r[3]):
        flag = " **noisy**" if removed >= UNSTEADY_NOISE_DB else ""
        lines.append(
            f"| {name} | {label} | {noise or '—'} | {removed:.1f}{flag} | {left['pesq']:.2f} | "
            f"{restored['pesq']:.2f} | {stoi(left)} | {stoi(restored)} |"
        )
    lines.append("")
    for kind, values in removal.items():
        if values:
            above = sum(v >= UNSTEADY_NOISE_DB for v in values)
            lines.append(
                f"- {kind}: {len(values)} clips, removal {min(values):.1f}..{max(values):.1f} "
                f"dB, {above} at or above {UNSTEADY_NOISE_DB:g} dB"
            )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
