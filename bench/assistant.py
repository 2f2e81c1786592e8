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
   (:data:`~core.assistant.EDGE_STEADY_DB`), and takes light hiss out with the hiss step
   (from :data:`~core.assistant.HISS_STEP_MIN_SNR_DB`). The clips go in clean, in
   training-side noise at 0, 10 and 20 dB SNR, and band-limited (300 Hz-3.4 kHz and
   300 Hz-5 kHz) with hiss at 25-30 and 15-25 dB SNR; 10-s excerpts of the training-side
   music (44.1 kHz) clean and in noise at 10 and 20 dB. For the band-limited clips whose
   edge is found: PESQ-WB after the chain without the edge, with the low-pass, and with
   the hiss step too.
3. Clicks: the de-click step is proposed when the clicks that stand out clearly
   (:data:`~core.assistant.CLEAR_CLICK_STRENGTH` times the detector's threshold) reach
   :data:`~core.assistant.CLICKS_MIN_PER_MIN`; speech's own transients seldom do. The
   clips go in clean and with clicks inserted at 60-240 and 40-60 per minute.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field, replace
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
    EDGE_INSIDE_DB,
    EDGE_OUTSIDE_DB,
    EDGE_STEADY_DB,
    HISS_STEP_MIN_SNR_DB,
    NOISY_BELOW_SNR_DB,
    UNSTEADY_NOISE_DB,
    Diagnosis,
    band_cliff,
    diagnose,
    model_removal_db,
    programme_edge_hz,
    propose_chain,
)
from core.audio.io import load  # noqa: E402
from core.chain import ChainConfig  # noqa: E402
from core.data.degrade import degrade  # noqa: E402
from core.dsp.declick import DeclickConfig, detect_clicks  # noqa: E402
from core.features import estimate_snr_db  # noqa: E402
from core.pipeline import restore_array  # noqa: E402
from core.steps import BuildContext  # noqa: E402

SR = 16000
BEGIN, END = "<!-- assistant:begin -->", "<!-- assistant:end -->"
SNRS = (0.0, 10.0, 20.0)
BANDS = (3400.0, 5000.0)  # low-pass of the band-limited versions (high-pass 300 Hz)
HISS_SNRS = ((25.0, 30.0), (15.0, 25.0))  # hiss above the band-limited versions, dB SNR
MUSIC_SR = 44100
MUSIC_STARTS = (30, 90)  # seconds: where the 10-s music excerpts begin
SNR_BANDS = (14.0, 18.0, 22.0, 24.0, 26.0, 28.0, 31.0)  # blind SNR estimate, dB
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


@dataclass
class EdgeChains:
    """PESQ-WB of one band-limited clip whose edge was found, after three chains."""

    snr_db: float  # the assistant's blind estimate
    no_low_pass: float  # the chain for the same diagnosis without the edge
    model_low_pass: float  # the model with its pre-clean, then the low-pass
    hiss_low_pass: float  # the hiss step, the model, then the low-pass


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
            restored = restore_array(x, sr=SR, chain=chain, context=context).restored
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


def music_clips(data: Path) -> list[tuple[str, np.ndarray]]:
    """10-s excerpts (mono, peak -6 dBFS, at :data:`MUSIC_SR`) of the training-side music:
    the Wesnoth tracks ``scripts/train_default.py`` trains on and ``music/librosa``."""
    script = training_script()
    librosa = script.pick(manifest(data), script.MUSIC)[0]
    paths = script.debian_music()[0] + [data / c / f for c, f in librosa]
    out = []
    for path in paths:
        audio = load(path, sr=MUSIC_SR, mono=True)[0]
        for start in MUSIC_STARTS:
            x = audio[:, start * MUSIC_SR : (start + 10) * MUSIC_SR]
            if x.shape[1] >= 5 * MUSIC_SR and np.max(np.abs(x)) > 1e-3:
                out.append((f"{path.name} at {start} s", x * (0.5 / np.max(np.abs(x)))))
    return out


def edge_tallies(
    clips: list[tuple[Path, np.ndarray]],
    music: list[tuple[str, np.ndarray]],
    bank: NoiseBank,
) -> tuple[dict[str, EdgeTally], list[EdgeChains]]:
    """Band cliffs and low-passes per kind of clip; and for each band-limited clip whose
    edge was found, PESQ after the chain with and without the low-pass and hiss step."""
    tallies: dict[str, EdgeTally] = {}
    chains: list[EdgeChains] = []
    context, scorer = BuildContext(), Scorer()
    scorer._dnsmos = None
    speech_noise = bank.source(SR)
    for i, (path, clean) in enumerate(clips):
        versions = [("clean speech", clean, False)]
        for snr in SNRS:
            config = only(p_noise=1.0, snr_db_range=(snr, snr))
            rng = np.random.default_rng([9, i, int(snr)])
            noisy, _ = degrade(clean, sr=SR, config=config, rng=rng, noises=speech_noise)
            versions.append(("speech in real noise at 0-20 dB", noisy, False))
        for top in BANDS:
            for low, high in HISS_SNRS:
                config = only(
                    p_bandlimit=1.0,
                    lowpass_hz_range=(top, top),
                    p_highpass=1.0,
                    highpass_hz_range=(300.0, 300.0),
                    p_noise=1.0,
                    snr_db_range=(low, high),
                )
                limited, _ = degrade(
                    clean, sr=SR, config=config, rng=np.random.default_rng([5, i]), noises=_hiss
                )
                label = f"300 Hz-{top / 1000:g} kHz + hiss at {low:g}-{high:g} dB"
                versions.append((label, limited, True))
        for label, x, limited in versions:
            if _tally(tallies.setdefault(label, EdgeTally()), path.name, x, SR) and limited:
                chains.append(_edge_chains(x, clean, context, scorer))
        print(f"{path.name}: band edges", flush=True)
    music_noise = bank.source(MUSIC_SR)
    for i, (name, x) in enumerate(music):
        versions = [("music", x)]
        for snr in (10.0, 20.0):
            config = only(p_noise=1.0, snr_db_range=(snr, snr))
            rng = np.random.default_rng([11, i, int(snr)])
            noisy, _ = degrade(x, sr=MUSIC_SR, config=config, rng=rng, noises=music_noise)
            versions.append(("music in real noise at 10-20 dB", noisy))
        for label, y in versions:
            _tally(tallies.setdefault(label, EdgeTally()), name, y, MUSIC_SR)
    return tallies, chains


def _tally(tally: EdgeTally, name: str, x: np.ndarray, sr: int) -> bool:
    """Count ``x`` into ``tally``; whether the assistant low-passes it."""
    tally.clips += 1
    cliff = band_cliff(x, sr=sr)
    if cliff is not None:
        tally.cliffs.append((name, *cliff))
    low_passed = programme_edge_hz(x, sr=sr) is not None
    tally.low_passed += low_passed
    return low_passed


def _edge_chains(
    x: np.ndarray, clean: np.ndarray, context: BuildContext, scorer: Scorer
) -> EdgeChains:
    diagnosis = diagnose(x, sr=SR, context=context)
    without = propose_chain(replace(diagnosis, noise_above_hz=None)).to_dict()
    low_pass = [s for s in propose_chain(diagnosis).to_dict()["steps"] if s["type"] == "lowpass"]
    # The hiss step is proposed from HISS_STEP_MIN_SNR_DB up: as if the estimate read that.
    light = max(diagnosis.snr_db, HISS_STEP_MIN_SNR_DB)
    hiss_first = propose_chain(replace(diagnosis, snr_db=light)).to_dict()

    def pesq(chain: dict[str, Any]) -> float:
        restored = restore_array(x, sr=SR, chain=ChainConfig.from_dict(chain), context=context)
        return float(scorer(clean, restored.restored[0], SR)["pesq"])

    return EdgeChains(
        diagnosis.snr_db,
        pesq(without),
        pesq({**without, "steps": without["steps"] + low_pass}),
        pesq(hiss_first),
    )


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
    chains: list[EdgeChains],
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
        "A band cliff is where the loudest 30 % of frames' mean spectrum falls onto that of "
        f"the quietest 20 %: they stand at least {EDGE_INSIDE_DB:g} dB apart just inside it "
        f"and at most {EDGE_OUTSIDE_DB:g} dB a third of an octave above. The spread is how "
        "far the loudest 1 % of frames stand above the median frame in the octave above. "
        f"The assistant low-passes where the spread is at most {EDGE_STEADY_DB:g} dB "
        "(steady noise above the band). Speech as above (the real noise drawn from the "
        "training-side recordings), band-limited with synthetic hiss as `bench/quality.py`'s "
        f"old broadcast; music: 10-s excerpts at {MUSIC_SR / 1000:g} kHz of the training-side "
        "music (Wesnoth tracks, `music/librosa`), clean and in training-side noise.",
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
    lines += [
        "",
        "Band-limited clips whose edge was found, PESQ-WB against the clean clip after the "
        "chain without the edge (the model with its pre-clean), with the low-pass after it, "
        "and with the hiss step before the model instead of its pre-clean, by the blind SNR "
        f"estimate. The assistant proposes the hiss step from {HISS_STEP_MIN_SNR_DB:g} dB up.",
        "",
        "| SNR estimate dB | clips | no low-pass | model, low-pass | hiss step, model, low-pass |",
        "|---|---:|---:|---:|---:|",
    ]
    for low, high in zip(SNR_BANDS[:-1], SNR_BANDS[1:], strict=True):
        rows_in = [c for c in chains if low <= c.snr_db < high]
        if rows_in:
            means = [
                np.mean([getattr(c, f) for c in rows_in])
                for f in ("no_low_pass", "model_low_pass", "hiss_low_pass")
            ]
            lines.append(
                f"| {low:g}-{high:g} | {len(rows_in)} | "
                + " | ".join(f"{m:.2f}" for m in means)
                + " |"
            )
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
    edges, chains = edge_tallies(clips, music_clips(args.data), bank)
    clicks = click_rates(clips)
    took = time.perf_counter() - t0
    text = report(noise, edges, chains, clicks, len(clips), args, started, took)
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
