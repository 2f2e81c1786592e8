"""Overviews of long files built in blocks: the same peaks as from the whole array,
a spectrogram like the in-memory one, and memory bounded by the picture, not the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio.io import load
from core.audio.peaks import PeakPyramid
from core.display import BLOCK_FRAMES, FileFrames, build_overview, compute_spectrogram, render_view
from core.errors import Cancelled
from core.progress import CancelToken

SR = 8000


def write_long(path: Path, seconds: float, channels: int = 2) -> Path:
    rng = np.random.default_rng(3)
    total = int(seconds * SR)
    with sf.SoundFile(str(path), "w", samplerate=SR, channels=channels, subtype="PCM_16") as f:
        for start in range(0, total, 1 << 20):
            n = min(1 << 20, total - start)
            t = (start + np.arange(n)) / SR
            x = 0.3 * np.sin(2 * np.pi * 440.0 * t)[:, None] + 0.01 * rng.standard_normal(
                (n, channels)
            )
            x[:: SR * 7] = -0.9  # sparse clicks the peaks must keep
            f.write(x.astype(np.float32))
    return path


def test_overview_matches_the_in_memory_pictures(tmp_path: Path) -> None:
    path = write_long(tmp_path / "a.wav", 3.3 * BLOCK_FRAMES / SR)  # blocks and a remainder
    audio, _ = load(path)
    reference = PeakPyramid(audio)
    overview = build_overview(path, threads=2)
    assert overview.info.frames == audio.shape[1]
    for (block, lo, hi), (rblock, rlo, rhi) in zip(
        overview.pyramid.levels, reference.levels, strict=True
    ):
        assert block == rblock
        np.testing.assert_allclose(lo, rlo, atol=1e-6)
        np.testing.assert_allclose(hi, rhi, atol=1e-6)
    # Zoomed in past the finest level, samples come from the file.
    x, y = overview.pyramid.query(10_000, 10_050, 1000)
    np.testing.assert_allclose(y, audio[:, 10_000:10_050].mean(axis=0), atol=1e-6)
    spec = overview.spectrogram
    ref = compute_spectrogram(audio, sr=SR)
    assert spec.db.shape == ref.db.shape and spec.duration == pytest.approx(ref.duration)
    assert (
        np.median(np.abs(spec.db - ref.db)) < 0.5
    )  # the same frames (periodic vs symmetric window)
    assert spec.levels == pytest.approx(ref.levels, abs=1.0)


def _peak_bytes(path: Path) -> tuple[int, object]:
    tracemalloc.start()
    try:
        overview = build_overview(path, threads=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, overview


def test_overview_memory_is_bounded_by_the_picture(tmp_path: Path) -> None:
    short, _ = _peak_bytes(write_long(tmp_path / "short.wav", 5 * 60))
    long, overview = _peak_bytes(write_long(tmp_path / "long.wav", 20 * 60))
    added_float_bytes = 2 * 15 * 60 * SR * 4  # what 15 more minutes take as float32
    # Fifteen more minutes cost their peaks (1/16 of a float copy), not their samples
    # (the margin: blocks in flight differ, as a short file has more frames per block).
    assert long - short < added_float_bytes / 8, f"{short / 1e6:.1f} -> {long / 1e6:.1f} MB"
    assert long < 0.5 * 2 * 20 * 60 * SR * 4
    # A view render reads only what it shows, from the file.
    tile = render_view(overview.pyramid.audio, sr=SR, start=600.0, stop=601.0, columns=400, rows=50)  # type: ignore[attr-defined]
    assert tile.image.shape == (50, 400)


def test_file_frames_slice_like_an_array(tmp_path: Path) -> None:
    path = write_long(tmp_path / "b.wav", 3.0, channels=2)
    audio, _ = load(path)
    frames = FileFrames(path)
    assert frames.shape == audio.shape
    np.testing.assert_array_equal(frames[:, 100:900], audio[:, 100:900])
    np.testing.assert_array_equal(frames[1, 5:10], audio[1, 5:10])
    assert frames.read(-4, 8)[:, :4].tolist() == [[0.0] * 4] * 2  # zeros before the start
    with pytest.raises(TypeError):
        frames[:, ::2]
    frames.close()


def test_overview_cancels(tmp_path: Path) -> None:
    path = write_long(tmp_path / "c.wav", 5.0)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        build_overview(path, cancel=token)


def test_overview_of_an_empty_file_says_so(tmp_path: Path) -> None:
    from core.errors import AudioFormatError

    path = tmp_path / "empty.wav"
    sf.write(str(path), np.zeros((0, 2), np.float32), SR)
    with pytest.raises(AudioFormatError, match="contains no audio"):
        build_overview(path)


def test_file_frames_channel_views_and_whole_reads(tmp_path: Path) -> None:
    path = write_long(tmp_path / "d.wav", 2.0, channels=2)
    audio, _ = load(path)
    frames = FileFrames(path)
    right = frames.channel(1)
    assert right.shape == (1, audio.shape[1])
    np.testing.assert_array_equal(right[:, 10:20], audio[1:2, 10:20])
    np.testing.assert_array_equal(np.asarray(frames), audio)
    with pytest.raises(IndexError):
        frames.channel(2)
