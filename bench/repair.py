"""Measure the classic repair modules on real speech and music from ../shared/data.

Usage (from the repository root)::

    .venv/bin/python bench/repair.py [--data DIR] [--files 6] [--write docs/benchmarks.md]

Each module gets material degraded with the problem it repairs (hum with the real
drift of the 50 Hz mains recordings, clicks, 1 % clipping, real noise, wrong level)
and the same material clean. Printed per module: SI-SDR before/after against the
clean reference, PESQ-WB for speech (when the ``pesq`` package of the ``bench`` extra
is installed), the module's own target figure, what it does to clean input, and
the real-time factor. Speech comes from speakers the default model never trains on.
"""

from __future__ import annotations

import argparse
import csv
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import write_section  # noqa: E402
from core.audio.io import load  # noqa: E402
from core.audio.resample import resample  # noqa: E402
from core.metrics import si_sdr  # noqa: E402

SEGMENT_S = 8.0
BEGIN, END = "<!-- repair:begin -->", "<!-- repair:end -->"


@dataclass
class Item:
    name: str
    kind: str  # "speech" or "music"
    audio: np.ndarray  # (channels, samples) float32, clean
    sr: int


@dataclass
class Row:
    module: str
    target: str
    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(float(value))

    def mean(self, key: str) -> float:
        v = [x for x in self.values.get(key, []) if np.isfinite(x)]
        return float(np.mean(v)) if v else float("nan")


def load_material(data: Path, files: int, rng: np.random.Generator) -> list[Item]:
    with open(data / "manifest.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    speech = sorted(
        r["category"] + "/" + r["file"]
        for r in rows
        if (
            r["category"] == "speech/librispeech_clean100"
            and int(r["file"].split("-")[0]) % 10 == 0
        )
        or (r["category"] == "speech/vctk" and r["file"].startswith("p228"))
    )
    music = sorted(
        r["category"] + "/" + r["file"] for r in rows if r["category"] == "music/librosa"
    )
    items: list[Item] = []
    for kind, names in (("speech", speech), ("music", music)):
        for name in names[:files]:
            audio, sr = load(data / name)
            n = int(SEGMENT_S * sr)
            if audio.shape[1] > n:  # an excerpt with programme in it
                start = int(rng.integers(0, audio.shape[1] - n))
                audio = audio[:, start : start + n]
            peak = float(np.max(np.abs(audio)))
            if peak < 1e-3:
                continue
            items.append(Item(Path(name).name, kind, (audio / peak * 0.5).astype(np.float32), sr))
    return items


def pesq_wb(clean: np.ndarray, test: np.ndarray, sr: int) -> float:
    try:
        from pesq import pesq
    except ImportError:
        return float("nan")
    ref = resample(clean.mean(axis=0, keepdims=True), orig_sr=sr, target_sr=16000)[0]
    deg = resample(test.mean(axis=0, keepdims=True), orig_sr=sr, target_sr=16000)[0]
    try:
        return float(pesq(16000, ref.astype(np.float64), deg.astype(np.float64), "wb"))
    except Exception:  # noqa: BLE001 - pesq refuses some inputs (no utterance found)
        return float("nan")


def hum_signal(n: int, sr: int, drift: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Eight harmonics of the real 50 Hz mains (400 Hz-rate frequency track)."""
    start = int(rng.integers(0, max(drift.size - int(n / sr * 400) - 1, 1)))
    track = drift[start : start + int(np.ceil(n / sr * 400)) + 2]
    freq = np.interp(np.arange(n) / sr * 400, np.arange(track.size), track)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    return sum(0.8 ** (k - 1) * np.sin(k * phase + k) for k in range(1, 9)).astype(np.float32)


def band_power_at_harmonics(x: np.ndarray, sr: int, f0: float = 50.0, width: float = 1.5) -> float:
    spectrum = np.abs(np.fft.rfft(x.mean(axis=0))) ** 2
    freqs = np.fft.rfftfreq(x.shape[1], 1 / sr)
    mask = np.zeros(freqs.size, bool)
    for k in range(1, 9):
        mask |= np.abs(freqs - k * f0) <= width
    return float(spectrum[mask].sum())


def insert_clicks(
    x: np.ndarray, sr: int, rng: np.random.Generator, per_min: float = 60.0
) -> tuple[np.ndarray, np.ndarray]:
    y = x.copy()
    count = max(1, int(per_min * x.shape[1] / sr / 60))
    pos = np.sort(rng.choice(np.arange(sr // 10, x.shape[1] - sr // 10), count, replace=False))
    peak = float(np.max(np.abs(x)))
    for p in pos:
        length = int(rng.integers(1, max(2, int(0.0008 * sr))))
        shape = rng.uniform(0.3, 1.0) * peak * rng.choice([-1.0, 1.0])
        y[:, p : p + length] += shape * np.hanning(length + 2)[1:-1]
    return np.clip(y, -1, 1).astype(np.float32), pos


def clip_to_fraction(x: np.ndarray, fraction: float) -> np.ndarray:
    level = float(np.quantile(np.abs(x), 1 - fraction))
    return np.clip(x, -level, level).astype(np.float32)


def noise_at_snr(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    reps = int(np.ceil(x.shape[1] / noise.shape[1]))
    n = np.tile(noise, (x.shape[0], reps))[: x.shape[0], : x.shape[1]]
    gain = np.sqrt(np.mean(x**2) / max(np.mean(n**2), 1e-12) / 10 ** (snr_db / 10))
    return (x + gain * n).astype(np.float32)


def timed(row: Row, seconds: float, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    row.add("rtf", (time.perf_counter() - started) / seconds)
    return out


def score(
    row: Row, item: Item, degraded: np.ndarray, out: np.ndarray, clean_out: np.ndarray
) -> None:
    c = item.audio
    row.add(f"sisdr_before_{item.kind}", si_sdr(degraded, c))
    row.add(f"sisdr_after_{item.kind}", si_sdr(out, c))
    row.add("clean_sisdr", si_sdr(clean_out, c))
    if item.kind == "speech":
        row.add("pesq_before", pesq_wb(c, degraded, item.sr))
        row.add("pesq_after", pesq_wb(c, out, item.sr))


def run(items: list[Item], data: Path, rng: np.random.Generator) -> list[Row]:
    from core.chain import load_preset
    from core.data.degrade import mains_frequency_track
    from core.dsp.declick import declick, detect_clicks
    from core.dsp.declip import declip
    from core.dsp.dehum import dehum
    from core.dsp.gate import spectral_gate
    from core.dsp.limiter import true_peak_dbtp
    from core.dsp.loudness import integrated_loudness
    from core.pipeline import restore_array

    enf, enf_sr = load(next(iter(sorted((data / "hum/enf_50hz_400Hz_rate").glob("*.flac")))))
    drift = mains_frequency_track(enf, sr=enf_sr)
    noise_files = (
        sorted((data / "noise/freesound").glob("*.flac"))[:1]
        or sorted((data / "noise").rglob("*.flac"))[:1]
    )
    noise, noise_sr = load(noise_files[0], mono=True)

    rows = {
        "dehum": Row("De-hum", "hum down >= 30 dB at f0 and harmonics"),
        "declick": Row("De-click", ">= 95 % clicks found, < 1 false per min on clean"),
        "declip": Row("De-clip", ">= +5 dB SI-SDR at 1 % clipped"),
        "gate": Row("Spectral gate", "SI-SDR up on real noise at 10 dB"),
        "loudness": Row("Loudness (podcast)", "within +-0.5 LU of -16 LUFS, TP <= -1 dBTP"),
    }
    podcast = load_preset("loudness-podcast")
    for item in items:
        x, sr = item.audio, item.sr
        secs = x.shape[1] / sr
        print(f"  {item.kind:6} {item.name}", flush=True)

        r = rows["dehum"]
        hum = hum_signal(x.shape[1], sr, drift, rng)
        hum *= np.sqrt(np.mean(x**2) / np.mean(hum**2)) * 10 ** (-20 / 20)  # -20 dB re programme
        noisy = (x + hum).astype(np.float32)
        out = timed(r, secs, dehum, noisy, sr=sr)
        hum_before = band_power_at_harmonics(noisy - x, sr)
        hum_after = max(band_power_at_harmonics(out - x, sr), 1e-20)
        r.add("hum_reduction_db", 10 * np.log10(hum_before / hum_after))
        score(r, item, noisy, out, dehum(x, sr=sr))

        r = rows["declick"]
        clicked, positions = insert_clicks(x, sr, rng)
        found = detect_clicks(clicked, sr=sr).positions
        tol = int(0.002 * sr)
        hits = sum(bool(np.any(np.abs(found - p) <= tol)) for p in positions)
        r.add("detected_pct", 100 * hits / len(positions))
        r.add("false_per_min", detect_clicks(x, sr=sr).clicks_per_min)
        out = timed(r, secs, declick, clicked, sr=sr)
        score(r, item, clicked, out, declick(x, sr=sr))

        r = rows["declip"]
        clipped = clip_to_fraction(x, 0.01)
        out = timed(r, secs, declip, clipped, sr=sr)
        r.add("sisdr_gain_db", si_sdr(out, x) - si_sdr(clipped, x))
        score(r, item, clipped, out, declip(x, sr=sr))

        r = rows["gate"]
        n = resample(noise, orig_sr=noise_sr, target_sr=sr)
        noisy = noise_at_snr(x, n, 10.0)
        out = timed(r, secs, spectral_gate, noisy, sr=sr)
        score(r, item, noisy, out, spectral_gate(x, sr=sr))

        r = rows["loudness"]
        quiet = (x * 0.1).astype(np.float32)
        out = timed(r, secs, restore_array, quiet, sr=sr, chain=podcast).restored
        r.add("lufs_error", integrated_loudness(out, sr=sr) + 16.0)
        r.add("true_peak", true_peak_dbtp(out, sr=sr))
        r.add("clean_sisdr", si_sdr(out, x))
    return list(rows.values())


def fmt(v: float, digits: int = 1) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.{digits}f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| module | target | own figure | SI-SDR speech before → after | SI-SDR music before → "
        "after | PESQ-WB speech before → after | clean input SI-SDR | RTF |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.module.startswith("De-hum"):
            own = f"{fmt(r.mean('hum_reduction_db'))} dB less hum"
        elif r.module.startswith("De-click"):
            own = (
                f"{fmt(r.mean('detected_pct'))} % found, "
                f"{fmt(r.mean('false_per_min'), 2)} false/min on clean"
            )
        elif r.module.startswith("De-clip"):
            own = f"{fmt(r.mean('sisdr_gain_db'))} dB SI-SDR gain"
        elif r.module.startswith("Loudness"):
            own = (
                f"error {fmt(r.mean('lufs_error'), 2)} LU "
                f"(worst {fmt(max(r.values['lufs_error'], key=abs), 2)}), "
                f"TP max {fmt(max(r.values['true_peak']), 2)} dBTP"
            )
        else:
            own = ""
        sp = f"{fmt(r.mean('sisdr_before_speech'))} → {fmt(r.mean('sisdr_after_speech'))}"
        mu = f"{fmt(r.mean('sisdr_before_music'))} → {fmt(r.mean('sisdr_after_music'))}"
        pq = f"{fmt(r.mean('pesq_before'), 2)} → {fmt(r.mean('pesq_after'), 2)}"
        clean = fmt(min(r.values.get("clean_sisdr", [np.nan])))
        if r.module.startswith("Loudness"):
            sp = mu = pq = "—"
            clean = f"{fmt(min(r.values['clean_sisdr']))} (gain only)"
        lines.append(
            f"| {r.module} | {r.target} | {own} | {sp} | {mu} | {pq} | {clean} | "
            f"{fmt(r.mean('rtf'), 3)} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--files", type=int, default=6, help="files per kind (speech, music)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", type=Path, help="update this markdown file's repair section")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.time()
    items = load_material(args.data, args.files, rng)
    print(f"{len(items)} recordings ({SEGMENT_S:.0f} s excerpts)", flush=True)
    rows = run(items, args.data, rng)
    text = table(rows)
    print(text)
    if args.write:
        kinds = {k: sum(i.kind == k for i in items) for k in ("speech", "music")}
        rates = sorted({i.sr for i in items})
        note = (
            "## Repair modules (`bench/repair.py`)\n\n"
            f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} "
            f"({platform.processor() or 'CPU'}), 2 cores, in {time.time() - started:.0f} s: "
            f"{kinds['speech']} speech and {kinds['music']} music excerpts of "
            f"{SEGMENT_S:.0f} s (rates {', '.join(map(str, rates))} Hz) from `../shared/data`, "
            f"seed {args.seed}. Reproduce with "
            f"`.venv/bin/python bench/repair.py --files {args.files} --write docs/benchmarks.md` "
            "(PESQ needs `pip install -e .[bench]`). Clean-input SI-SDR is the worst file; "
            "RTF is processing time over audio duration.\n\n" + text
        )
        write_section(args.write, BEGIN, END, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
