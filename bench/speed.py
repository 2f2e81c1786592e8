"""Real-time factor of the ``auto`` chain on 48 kHz stereo, and where the time goes.

Usage (from the repository root, with ../shared/data beside it)::

    .venv/bin/python bench/speed.py [--minutes 1 10] [--write docs/benchmarks.md]

Three programmes are built from material the default model never trains on (held-out
LibriSpeech speakers, a held-out noise recording, a held-out Wesnoth track): noisy
speech at 5 dB SNR, music with light noise at 20 dB, resampled to 48 kHz stereo (the
right channel a delayed, quieter copy with its own noise), and the noisy speech with
clicks at 120 per minute (the middle of the quality benchmark's 60-240), which calls
in the de-click step. For each length the model is loaded and warmed first, as in the
app; then ``restore_array`` runs the ``auto`` preset five times in a row, each time
with the previous result still held, as the app holds its last result for A/B
listening while it restores again, and the parts are timed: the assistant's
measurements and each step of the chain it proposes. The real-time factor is seconds
of work per second of audio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    fmt,
    held_out_files,
    machine,
    manifest,
    training_script,
    write_section,
)
from bench.quality import only  # noqa: E402
from core.assistant import diagnose, propose_chain  # noqa: E402
from core.audio.io import load  # noqa: E402
from core.chain import ChainConfig, load_preset  # noqa: E402
from core.data.degrade import degrade  # noqa: E402
from core.dsp.filters import highpass  # noqa: E402
from core.pipeline import restore_array  # noqa: E402
from core.runtime import tune_memory_allocator  # noqa: E402
from core.steps import BuildContext  # noqa: E402

SR = 48000
NOISE = "noise/misc_speechbrain/noise1.flac"
SPEECH = "speech/librispeech_clean100"
CLICKS_PER_MIN = 120.0
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"
KINDS = {"speech": "noisy speech", "music": "noisy music", "clicks": "noisy speech, clicks"}


def programme(kind: str, data: Path, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """``(2, seconds * SR)`` float32 noisy programme of ``kind`` (``speech``, ``music`` or
    ``clicks``: the speech with :data:`CLICKS_PER_MIN` clicks)."""
    if kind == "clicks":
        # A generator of its own: the other programmes stay as they were before this one.
        own = np.random.default_rng([1, int(seconds)])
        speech = programme("speech", data, seconds, own)
        config = only(p_clicks=1.0, click_rate_range=(CLICKS_PER_MIN, CLICKS_PER_MIN))
        return degrade(speech, sr=SR, config=config, rng=own)[0].astype(np.float32)
    n = int(seconds * SR)
    rows = manifest(data)
    if kind == "speech":
        files = [f for c, f in held_out_files(rows, (SPEECH,))][:40]
        clean = np.concatenate([load(data / SPEECH / f, sr=SR, mono=True)[0][0] for f in files])
        snr_db = 5.0
    else:
        tracks = training_script().debian_music()[1]
        if not tracks:
            raise SystemExit("music needs the Debian package wesnoth-1.16-music")
        clean = load(tracks[1], sr=SR, mono=True)[0][0]
        snr_db = 20.0
    clean = np.tile(clean, n // clean.size + 1)[:n]
    category, name = NOISE.rsplit("/", 1)
    if (category, name) not in held_out_files(rows, (category,)):
        raise SystemExit(f"{NOISE} is not held out from the default model's training")
    noise = highpass(load(data / NOISE, sr=SR, mono=True)[0], sr=SR, cutoff_hz=50.0)[0]
    channels = []
    for gain, delay in ((1.0, 0), (0.7, 240)):
        start = int(rng.integers(0, noise.size))
        excerpt = np.roll(np.tile(noise, n // noise.size + 1), -start)[:n]
        signal = gain * np.roll(clean, delay)
        scale = np.sqrt(np.mean(signal**2) / (np.mean(excerpt**2) * 10 ** (snr_db / 10)))
        channels.append(signal + scale * excerpt)
    x = np.stack(channels)
    return (x * (0.5 / np.max(np.abs(x)))).astype(np.float32)


def timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


RUNS = 5  # restores of each programme, each with the previous result held


def measure(x: np.ndarray, context: BuildContext) -> dict:
    """Seconds for the whole ``auto`` run (wall) :data:`RUNS` times in a row, each with
    the previous result held, processor time (user and system) over them, then the
    assistant and each proposed step alone."""
    seconds = x.shape[1] / SR
    auto = load_preset("auto")
    walls = []
    held = None
    before = os.times()
    for _ in range(RUNS):
        held, took = timed(lambda: restore_array(x, sr=SR, chain=auto, context=context))
        walls.append(took)
    after = os.times()
    del held
    diagnosis, assistant = timed(lambda: diagnose(x, sr=SR, context=context))
    chain = propose_chain(diagnosis)
    steps = []
    for step in chain.steps:
        alone = ChainConfig([step])
        _, took = timed(lambda: restore_array(x, sr=SR, chain=alone, context=context))  # noqa: B023
        steps.append((step.type, took))
    return {
        "seconds": seconds,
        "walls": walls,
        "user": (after.user - before.user) / RUNS,
        "system": (after.system - before.system) / RUNS,
        "assistant": assistant,
        "steps": steps,
    }


def report(results: list[tuple[str, dict]], started: datetime, took: float, command: str) -> str:
    lines = [
        "## Speed of the `auto` chain on 48 kHz stereo (`bench/speed.py`)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, in {took / 60:.0f} min, "
        "model loaded and warmed first (as the app keeps it).",
        f"Reproduce: `{command}`.",
        "Real-time factor = seconds of work per second of audio (target ≤ 0.02), of the "
        f"whole run, {RUNS} runs in a row on the same programme, each with the previous "
        "result still held, as the app holds its last result for A/B listening when it "
        "restores again: the first, the second, and the median of all. Steps are timed "
        "alone, so their sum differs slightly from the whole run. CPU = processor seconds "
        "per second of audio of one run (mean of all), all threads, in user code and in "
        "the kernel: on 2 cores the RTF cannot go below half of their sum.",
        "",
        "| programme | length | RTF first | second | median | CPU user | CPU kernel "
        "| assistant | steps proposed (RTF each) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results:
        s = r["seconds"]
        walls = r["walls"]
        steps = ", ".join(f"{t} {fmt(v / s, 3)}" for t, v in r["steps"])
        lines.append(
            f"| {name} | {s / 60:g} min | {fmt(walls[0] / s, 3)} | {fmt(walls[1] / s, 3)} | "
            f"**{fmt(float(np.median(walls)) / s, 3)}** | {fmt(r['user'] / s, 3)} | "
            f"{fmt(r['system'] / s, 3)} | {fmt(r['assistant'] / s, 3)} | {steps} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--write", type=Path, help="update this markdown file's speed section")
    args = parser.parse_args()
    tune_memory_allocator()  # as the app and the command line do
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    context = BuildContext()  # the warm-up run below loads the model into it
    rng = np.random.default_rng(0)
    warm = programme("speech", args.data, 5.0, rng)
    restore_array(warm, sr=SR, chain=load_preset("auto"), context=context)
    results = []
    for minutes in args.minutes:
        for kind in KINDS:
            x = programme(kind, args.data, minutes * 60.0, rng)
            r = measure(x, context)
            print(
                f"{kind} {minutes:g} min: RTF "
                + " ".join(f"{w / r['seconds']:.3f}" for w in r["walls"])
                + f" (CPU user {r['user'] / r['seconds']:.3f}, "
                f"kernel {r['system'] / r['seconds']:.3f}; "
                f"assistant {r['assistant'] / r['seconds']:.3f}; "
                + ", ".join(f"{t} {v / r['seconds']:.3f}" for t, v in r["steps"])
                + ")",
                flush=True,
            )
            results.append((KINDS[kind], r))
    minutes = " ".join(f"{m:g}" for m in args.minutes)
    command = ".venv/bin/python bench/speed.py" + (
        f" --minutes {minutes}" if args.minutes != [1.0, 10.0] else ""
    )
    text = report(results, started, time.perf_counter() - t0, command)
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
