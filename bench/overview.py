"""Time to picture and memory of a long recording on the timeline; prints figures only.

Usage (from the repository root; no display needed)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/overview.py [--minutes 60] [--runs 2]

A 48 kHz stereo PCM_16 WAV of ``--minutes`` (tone, noise and clicks; written in /tmp and
deleted afterwards) is shown on a :class:`app.views.timeline.TimelineView` two ways, each
in a fresh process so neither warms up or bloats the other:

- ``blocks``: :func:`core.display.build_overview` (peaks and spectrogram read in
  blocks; samples stay in the file) then ``TimelineView.show_overview``;
- ``array``: what the window did before: decode the whole file into float32
  (``core.audio.io.load`` feeding a ``PeakPyramid``), then ``compute_spectrogram`` on it.

Measured from the call until the timeline has painted both the waveform and the
spectrogram; peak RSS of the process (Qt and numpy included); and the longest gap of a
5 ms GUI timer while the view is then zoomed to 1 s and panned (the view-resolution
spectrogram renders in a thread).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import machine  # noqa: E402


def make_file(path: Path, minutes: float, sr: int = 48000) -> None:
    import soundfile as sf

    rng = np.random.default_rng(0)
    total = int(minutes * 60 * sr)
    block = 60 * sr
    with sf.SoundFile(str(path), "w", samplerate=sr, channels=2, subtype="PCM_16") as f:
        for start in range(0, total, block):
            n = min(block, total - start)
            t = (start + np.arange(n)) / sr
            x = 0.2 * np.sin(2 * np.pi * 440.0 * t)[:, None] + 0.02 * rng.standard_normal((n, 2))
            x[:: 3 * sr] += 0.5
            f.write(x.astype(np.float32))


def measure(path: str, mode: str) -> dict[str, float]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from app.views.timeline import TimelineView

    view = TimelineView()
    view.resize(1280, 700)
    view.show()
    app.processEvents()
    t0 = time.perf_counter()
    if mode == "blocks":
        from core.display import build_overview

        view.show_overview(build_overview(path))
    else:
        from core.audio.io import info, load
        from core.audio.peaks import PeakPyramid
        from core.display import compute_spectrogram

        header = info(path)
        pyramid = PeakPyramid.collect(header.channels, header.frames)
        audio, sr = load(path, threads=2, on_chunk=pyramid.add)
        view.set_original(audio, sr, pyramid.finish(audio))
        view.set_original_spectrogram(compute_spectrogram(audio, sr=sr))
    view.viewport().repaint()
    app.processEvents()
    picture_s = time.perf_counter() - t0

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    rendered = [0]
    view.spec_original.tile_ready.connect(lambda _t: rendered.__setitem__(0, rendered[0] + 1))
    for k in range(6):  # zoom to a second at a few places, panning between them
        centre = (k + 1) * view.duration / 8
        view.set_view_range(centre - 0.5, centre + 0.5)
        end = time.perf_counter() + 0.6
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
    timer.stop()
    return {
        "picture_s": picture_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "longest_stall_ms": max(0.0, (max(gaps[1:], default=0.005) - 0.005) * 1000),
        "view_renders": float(rendered[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.wav"
        make_file(path, args.minutes)
        size_mb = path.stat().st_size / 1e6
        print(f"{args.minutes:g} min 48 kHz stereo PCM_16 WAV ({size_mb:.0f} MB); {machine()}")
        for mode in ("blocks", "array"):
            for run in range(args.runs):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), mode],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"{mode:6s} run {run + 1}: picture {r['picture_s']:.2f} s, peak RSS "
                    f"{r['peak_rss_mb']:.0f} MB, longest GUI stall while zooming "
                    f"{r['longest_stall_ms']:.0f} ms ({r['view_renders']:.0f} view renders)"
                )


if __name__ == "__main__":
    main()
