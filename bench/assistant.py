"""The repair assistant's judgements on material the quality benchmark never uses.

Usage (from the repository root, with ../shared/data beside it; PESQ and STOI need the
``bench`` extra)::

    .venv/bin/python bench/assistant.py [--files 60] [--seed 123] [--write docs/benchmarks.md]

Three judgements of :mod:`core.assistant` are set here, on training-side material only:
``--files`` 10-s clips (16 kHz, peak -6 dBFS) of the speakers ``scripts/train_default.py``
trains on, plus clean Debian speech (``klettres-data``, ``asterisk-core-sounds-en-wav``)
when installed, degraded with ``core.data.degrade`` as ``bench/quality.py`` does.

1. Noise the steady estimate misses. The assistant proposes the model step when its
   blind SNR estimate (:func:`core.features.estimate_snr_db`), which measures steady
   noise, is below :data:`~core.assistant.NOISY_BELOW_SNR_DB`; noise that comes and goes
   over a clean floor (handling, taps, clatter) reads as clean. There it asks the
   built-in model how much of the energy it would take out
   (:func:`~core.assistant.model_removal_db`) and calls the recording noisy from
   :data:`~core.assistant.UNSTEADY_NOISE_DB` up. The clips go in clean and in
   training-side noise recordings at 0, 10 and 20 dB SNR; for those whose steady
   estimate reads clean: the model's removal, and PESQ-WB / STOI left alone and after
   ``dc → model`` as ``auto`` proposes it.
2. Band edges with only noise above (old broadcast, telephone): the assistant low-passes
   above a :func:`~core.assistant.band_cliff` whose noise above is steady
   (:data:`~core.assistant.EDGE_STEADY_DB`). The clips go in clean and band-limited
   (300 Hz-3.4 kHz and 300 Hz-5 kHz) with hiss at 25-30 dB SNR.
3. Clicks: the de-click step is proposed when the clicks that stand out clearly
   (:data:`~core.assistant.CLEAR_CLICK_STRENGTH` times the detector's threshold) reach
   :data:`~core.assistant.CLICKS_MIN_PER_MIN`; speech's own transients seldom do. The
   clips go in clean and with clicks inserted at 60-240 and 40-60 per minute.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, manifest, training_script, write_section  # noqa: E402
from bench.quality import NoiseBank, Scorer, _hiss, only  # noqa: E402
from core.assistant import (  # noqa: E402
    CLEAR_CLICK_STRENGTH,
    CLICKS_MIN_PER_MIN,
    EDGE_STEADY_DB,
    NOISY_BELOW_SNR_DB,
    UNSTEADY_NOISE_DB,
    Diagnosis,
    band_cliff,
    model_removal_db,
    programme_edge_hz,
    propose_chain,
)
from core.audio.io import load  # noqa: E402
from core.data.degrade import degrade  # noqa: E402
from core.dsp.declick import DeclickConfig, detect_clicks  # noqa: E402
from core.features import estimate_snr_db  # noqa: E402
from core.pipeline import ChainConfig, restore_array  # noqa: E402
from core.steps import BuildContext  # noqa: E402

SR = 16000
BEGIN, END = "<!-- assistant:begin -->", "<!-- assistant:end -->"
SNRS = (0.0, 10.0, 20.0)
BANDS = (3400.0, 5000.0)  # low-pass of the band-limited versions (high-pass 300 Hz)
CLICK_RATES = ((60.0, 240.0), (40.0, 60.0))  # inserted clicks per minute
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


@dataclass
class NoiseRow:
    name: str
    label: str
    noise: str | None
    removal_db: float
    left: dict[str, Any]
    restored: dict[str, Any]


@dataclass
class EdgeTally:
    clips: int = 0
    cliffs: list[tuple[str, float, float]] = field(default_factory=list)  # name, edge, spread
    low_passed: int = 0


def noise_rows(clips: list[tuple[Path, np.ndarray]], files: int, bank: NoiseBank) -> list[NoiseRow]:
    noises = bank.source(SR)
    context, chain, scorer = BuildContext(), model_chain(), Scorer()
    scorer._dnsmos = None  # PESQ and STOI are enough here
    rows = []
    for i, (path, clean) in enumerate(clips):
        versions: list[tuple[str, np.ndarray, np.ndarray, str | None]] = [
            ("clean", clean, clean, None)
        ]
        if i < files:  # the training speakers' clips, in noise too
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
            restored = restore_array(x, sr=SR, chain=chain, context=context)[0]
            rows.append(
                NoiseRow(
                    path.name,
                    label,
                    noise,
                    removed,
                    scorer(reference, x, SR),
                    scorer(reference, restored, SR),
                )
            )
            print(f"{path.name} {label} {noise or ''}: removal {removed:.1f} dB", flush=True)
    return rows


def edge_tallies(clips: list[tuple[Path, np.ndarray]]) -> dict[str, EdgeTally]:
    tallies: dict[str, EdgeTally] = {}
    for i, (path, clean) in enumerate(clips):
        versions = [("clean", clean)]
        for top in BANDS:
            config = only(
                p_bandlimit=1.0,
                lowpass_hz_range=(top, top),
                p_highpass=1.0,
                highpass_hz_range=(300.0, 300.0),
                p_noise=1.0,
                snr_db_range=(25.0, 30.0),
            )
            limited, _ = degrade(
                clean, sr=SR, config=config, rng=np.random.default_rng([5, i]), noises=_hiss
            )
            versions.append((f"300 Hz-{top / 1000:g} kHz + hiss", limited))
        for label, x in versions:
            tally = tallies.setdefault(label, EdgeTally())
            tally.clips += 1
            cliff = band_cliff(x, sr=SR)
            if cliff is not None:
                tally.cliffs.append((path.name, *cliff))
            tally.low_passed += programme_edge_hz(x, sr=SR) is not None
    return tallies


def click_rates(clips: list[tuple[Path, np.ndarray]]) -> dict[str, list[tuple[float, float]]]:
    """Per kind of clip: each clip's clicks per minute, all and those standing out clearly."""
    clear = CLEAR_CLICK_STRENGTH * DeclickConfig().threshold
    rates: dict[str, list[tuple[float, float]]] = {}
    for i, (_, clean) in enumerate(clips):
        versions = [("clean", clean)]
        for k, (low, high) in enumerate(CLICK_RATES):
            config = only(p_clicks=1.0, click_rate_range=(low, high))
            clicked, _ = degrade(clean, sr=SR, config=config, rng=np.random.default_rng([3, k, i]))
            versions.append((f"clicks at {low:g}-{high:g} per minute", clicked))
        for label, x in versions:
            found = detect_clicks(x, sr=SR)
            minutes = x.shape[1] / SR / 60
            strong = np.count_nonzero(found.strengths >= clear)
            rates.setdefault(label, []).append((found.count / minutes, strong / minutes))
    return rates


def report(
    rows: list[NoiseRow],
    tallies: dict[str, EdgeTally],
    clicks: dict[str, list[tuple[float, float]]],
    clips: int,
    args: argparse.Namespace,
    started: datetime,
    took: float,
) -> str:
    def stoi(score: dict[str, Any]) -> str:  # pystoi gives 1e-5 where a clip is too short
        return f"{score['stoi']:.3f}" if score["stoi"] > 1e-3 else "—"

    lines = [
        "## The repair assistant's judgements (`bench/assistant.py`)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, in {took / 60:.1f} min.",
        f"Reproduce: `.venv/bin/python bench/assistant.py --files {args.files} "
        f"--seed {args.seed}`.",
        f"Training-side material only, none of it in the quality benchmark: {clips} clips, "
        f"{args.files} of training speakers, the rest clean Debian speech (10 s at 16 kHz).",
        "",
        "### Noise the steady estimate misses",
        "",
        f"The clips clean and (the {args.files} of training speakers) in training-side noise "
        "recordings at 0, 10 and 20 dB SNR. Listed: those whose steady-noise estimate reads "
        f"clean (≥ {NOISY_BELOW_SNR_DB:g} dB), with the built-in model's removal; from "
        f"{UNSTEADY_NOISE_DB:g} dB up the assistant proposes the model step (**noisy**). "
        "PESQ-WB and STOI against the clean clip, left alone and after `dc → model` as "
        "`auto` proposes it.",
        "",
        "| clip | input | noise | model removal dB | PESQ left alone | PESQ dc → model "
        "| STOI left alone | STOI dc → model |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: r.removal_db):
        flag = " **noisy**" if r.removal_db >= UNSTEADY_NOISE_DB else ""
        lines.append(
            f"| {r.name} | {r.label} | {r.noise or '—'} | {r.removal_db:.1f}{flag} | "
            f"{r.left['pesq']:.2f} | {r.restored['pesq']:.2f} | {stoi(r.left)} | "
            f"{stoi(r.restored)} |"
        )
    lines.append("")
    for kind, clean in (("clean", True), ("noisy", False)):
        values = [r.removal_db for r in rows if (r.noise is None) == clean]
        if values:
            above = sum(v >= UNSTEADY_NOISE_DB for v in values)
            lines.append(
                f"- {kind}: {len(values)} clips, removal {min(values):.1f}..{max(values):.1f} "
                f"dB, {above} at or above {UNSTEADY_NOISE_DB:g} dB"
            )
    lines += [
        "",
        "### Band edges with only noise above",
        "",
        "A band cliff is where the loudest frames' mean spectrum falls onto the floor's; the "
        "spread is how far the loudest 1 % of frames stand above the median frame in the "
        f"octave above it. The assistant low-passes where the spread is at most "
        f"{EDGE_STEADY_DB:g} dB (steady noise above the band).",
        "",
        "| clips | count | a band cliff | spread dB | low-pass proposed |",
        "|---|---:|---:|---|---:|",
    ]
    for label, tally in tallies.items():
        spreads = [s for *_, s in tally.cliffs]
        spread = f"{min(spreads):.1f}..{max(spreads):.1f}" if spreads else "—"
        lines.append(
            f"| {label} | {tally.clips} | {len(tally.cliffs)} | {spread} | {tally.low_passed} |"
        )
    if tallies.get("clean") and tallies["clean"].cliffs:
        lines += ["", "Clean clips with a band cliff (edge, spread):"]
        lines += [f"- {n}: {e:.0f} Hz, {s:.1f} dB" for n, e, s in tallies["clean"].cliffs]
    strength = CLEAR_CLICK_STRENGTH * DeclickConfig().threshold
    lines += [
        "",
        "### Clicks that call for the de-click step",
        "",
        f"Clips at or above {CLICKS_MIN_PER_MIN:g} clicks per minute, counting every click "
        f"the detector finds and counting only those whose residual reaches {strength:g} "
        f"times the local scale ({CLEAR_CLICK_STRENGTH:g} times its threshold), which the "
        "assistant counts. Clicks inserted by `core.data.degrade`.",
        "",
        "| clips | count | every click: at or above | median per minute "
        "| clear clicks: at or above | median per minute |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, pairs in clicks.items():
        every, clear = np.array(pairs).T
        lines.append(
            f"| {label} | {len(pairs)} | {np.sum(every >= CLICKS_MIN_PER_MIN)} | "
            f"{np.median(every):.0f} | {np.sum(clear >= CLICKS_MIN_PER_MIN)} | "
            f"{np.median(clear):.0f} |"
        )
    return "\n".join(lines) + "\n"


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
    noise = noise_rows(clips, args.files, bank)
    edges = edge_tallies(clips)
    clicks = click_rates(clips)
    took = time.perf_counter() - t0
    text = report(noise, edges, clicks, len(clips), args, started, took)
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
