"""Tests for core.audio.peaks: the waveform overview of long recordings."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core.audio.peaks import FACTOR, PeakPyramid


def test_peaks_bound_every_sample_and_stay_small() -> None:
    rng = np.random.default_rng(0)
    audio = rng.uniform(-1, 1, (2, 1_000_003)).astype(np.float32)
    audio[1, 500_000] = 1.5  # a peak in one channel only must show
    pyramid = PeakPyramid(audio)
    x, y = pyramid.query(0, audio.shape[1], 800)
    assert x.size <= 2 * 800 * 2 and x.size == y.size
    assert y.max() == pytest.approx(1.5) and y.min() >= -1.0
    # Zoomed in: the samples themselves (channel mean).
    x, y = pyramid.query(1000, 1100, 800)
    np.testing.assert_array_equal(x, np.arange(1000, 1100))
    np.testing.assert_allclose(y, audio[:, 1000:1100].mean(axis=0))
    # Out of range and empty queries are harmless.
    assert pyramid.query(2_000_000, 3_000_000, 100)[0].size == 0


def test_levels_are_the_min_and_max_of_their_blocks() -> None:
    rng = np.random.default_rng(1)
    audio = rng.standard_normal((3, 300_007)).astype(np.float32)
    pyramid = PeakPyramid(audio)
    assert [block for block, _, _ in pyramid.levels] == [16, 256, 4096, 65536]
    for block, lo, hi in pyramid.levels:
        n = lo.size * block
        blocks = audio[:, :n].reshape(3, -1, block)
        np.testing.assert_array_equal(lo, blocks.min(axis=(0, 2)))
        np.testing.assert_array_equal(hi, blocks.max(axis=(0, 2)))


def test_chunks_fed_out_of_order_from_threads_give_the_same_pyramid() -> None:
    rng = np.random.default_rng(2)
    audio = rng.standard_normal((2, 100_000)).astype(np.float32)
    whole = PeakPyramid(audio)
    collected = PeakPyramid.collect(2, audio.shape[1])
    starts = list(range(0, audio.shape[1], 4096))[::-1]
    threads = [
        threading.Thread(target=collected.add, args=(s, audio[:, s : s + 4096])) for s in starts
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    collected.finish(audio)
    for (b1, lo1, hi1), (b2, lo2, hi2) in zip(whole.levels, collected.levels, strict=True):
        assert b1 == b2
        np.testing.assert_array_equal(lo1, lo2)
        np.testing.assert_array_equal(hi1, hi2)


def test_misaligned_chunks_and_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError):
        PeakPyramid.collect(1, 1000).add(FACTOR + 1, np.zeros((1, 64), np.float32))
    with pytest.raises(ValueError):
        PeakPyramid(np.zeros(100, np.float32))


def test_a_recording_shorter_than_one_block_draws_its_samples() -> None:
    audio = np.linspace(-1, 1, 10, dtype=np.float32)[None]
    pyramid = PeakPyramid(audio)
    assert pyramid.levels == []
    x, y = pyramid.query(0, 10, 500)
    np.testing.assert_array_equal(y, audio[0])


def test_a_file_loads_with_its_overview(tmp_path: Path) -> None:
    from core.audio.io import save
    from core.audio.peaks import load_with_peaks

    rng = np.random.default_rng(4)
    x = (0.5 * rng.standard_normal((2, 50_000))).clip(-1, 1).astype(np.float32)
    path = save(tmp_path / "x.wav", x, 8000, subtype="FLOAT")
    seen: list[float] = []
    audio, sr, pyramid = load_with_peaks(path, threads=2, progress=lambda f, m="": seen.append(f))
    np.testing.assert_array_equal(audio, x)
    assert sr == 8000 and pyramid.audio is audio and seen and seen[-1] == 1.0
    whole = PeakPyramid(x)
    for (b1, lo1, hi1), (b2, lo2, hi2) in zip(whole.levels, pyramid.levels, strict=True):
        assert b1 == b2
        np.testing.assert_array_equal(lo1, lo2)
        np.testing.assert_array_equal(hi1, hi2)
