"""Spectrogram pictures for the views, headless: bounded size, scales, view renders."""

from __future__ import annotations

import numpy as np
import pytest

from core.display import (
    SCALES,
    compute_spectrogram,
    freq_to_unit,
    render_view,
    to_scale_rows,
    unit_to_freq,
    view_fft_size,
)
from core.errors import Cancelled
from core.progress import CancelToken


def test_spectrogram_columns_are_bounded() -> None:
    audio = np.zeros((1, 16000 * 600), np.float32)
    audio[0, ::100] = 0.5
    spec = compute_spectrogram(audio, sr=16000, max_columns=2000)
    assert spec.db.shape[0] <= 2000 and spec.db.shape[1] == 513
    assert spec.duration == pytest.approx(600, rel=0.01) and spec.nyquist == 8000
    assert np.isfinite(spec.db).all()


def test_a_sine_lands_in_its_bin_near_full_scale() -> None:
    sr = 16000
    t = np.arange(sr) / sr
    sine = np.sin(2 * np.pi * 1000.0 * t).astype(np.float32)[None]
    spec = compute_spectrogram(sine, sr=sr, n_fft=1024)
    peak_bin = int(np.argmax(spec.db[spec.db.shape[0] // 2]))
    assert peak_bin * sr / 1024 == pytest.approx(1000.0, abs=sr / 1024)
    assert -6.0 < spec.db.max() < 1.0


@pytest.mark.parametrize("scale", SCALES)
def test_scales_round_trip_and_are_monotonic(scale: str) -> None:
    freqs = np.array([20.0, 100.0, 1000.0, 8000.0, 24000.0])
    units = freq_to_unit(freqs, scale=scale, nyquist=24000.0)
    assert np.all(np.diff(units) > 0) and units[-1] == pytest.approx(1.0)
    assert unit_to_freq(units, scale=scale, nyquist=24000.0) == pytest.approx(freqs, rel=1e-9)


def test_log_scale_gives_low_frequencies_room() -> None:
    assert freq_to_unit(1000.0, scale="log", nyquist=24000.0) > 0.5
    assert freq_to_unit(1000.0, scale="mel", nyquist=24000.0) > 0.2
    assert freq_to_unit(1000.0, scale="linear", nyquist=24000.0) < 0.05


def test_scale_rows_keep_a_narrow_tone_and_cover_the_units() -> None:
    db = np.full((3, 513), -100.0, np.float32)
    db[:, 400] = 0.0  # one loud bin high up
    rows = to_scale_rows(db, nyquist=8000.0, scale="linear", rows=40)
    assert rows.shape == (40, 3)
    assert rows.max() == 0.0 and int(np.argmax(rows[:, 0])) == int(400 / 512 * 40)
    low = to_scale_rows(db, nyquist=8000.0, scale="linear", rows=40, units=(0.0, 0.5))
    assert low.max() == -100.0  # the tone is above the zoomed band


def test_a_click_is_a_bright_column_at_a_one_second_view() -> None:
    sr = 48000
    rng = np.random.default_rng(1)
    audio = (0.01 * rng.standard_normal((2, 20 * sr))).astype(np.float32)
    click = 12 * sr + 12345
    audio[:, click] = 0.8
    columns = 1000
    tile = render_view(audio, sr=sr, start=12.0, stop=13.0, columns=columns, rows=120)
    assert tile.image.shape == (120, columns) and tile.n_fft == view_fft_size(sr / columns)
    energy = tile.image.mean(axis=0)
    column = int((click / sr - 12.0) * columns)
    peak = int(np.argmax(energy))
    assert abs(peak - column) <= 1
    # The click stands out from the columns a few frames away on either side.
    others = np.r_[energy[: peak - 10], energy[peak + 10 :]]
    assert energy[peak] > np.percentile(others, 99) + 10.0
    # The whole-file picture (one frame per 0.6 s) cannot show it: that is what the
    # view render is for.
    assert tile.n_fft <= 256


def test_render_view_reads_only_its_range_and_cancels() -> None:
    sr = 8000
    audio = np.zeros((1, 60 * sr), np.float32)
    audio[0, 30 * sr : 31 * sr] = np.sin(np.arange(sr) * 0.5)
    quiet = render_view(audio, sr=sr, start=0.0, stop=10.0, columns=50, rows=20)
    loud = render_view(audio, sr=sr, start=29.0, stop=32.0, columns=50, rows=20)
    assert quiet.image.max() < -100 and loud.image.max() > -20
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        render_view(audio, sr=sr, start=0.0, stop=10.0, columns=50, rows=20, cancel=token)
    with pytest.raises(ValueError):
        render_view(audio, sr=sr, start=5.0, stop=5.0, columns=50, rows=20)


def test_view_renders_keep_the_noise_floor_of_the_overview() -> None:
    sr = 16000
    noise = (0.05 * np.random.default_rng(5).standard_normal((1, 30 * sr))).astype(np.float32)
    overview = compute_spectrogram(noise, sr=sr)
    floor = float(np.median(overview.db))
    for seconds in (1.0, 10.0):  # frames of 256 and 2048 samples
        # More rows than bins: each cell is one bin, as in the overview.
        tile = render_view(noise, sr=sr, start=5.0, stop=5.0 + seconds, columns=800, rows=1100)
        assert float(np.median(tile.image)) == pytest.approx(floor, abs=1.0), tile.n_fft


class CountingFrames:
    """An array-like over ``audio`` that counts the frames read through it."""

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio
        self.shape = audio.shape
        self.read = 0

    def __getitem__(self, key: tuple[slice, slice]) -> np.ndarray:
        block = self.audio[key]
        self.read += block.shape[-1]
        return block


@pytest.mark.parametrize("seconds", [2.0, 600.0, 3600.0])
def test_render_view_reads_about_what_it_shows(seconds: float) -> None:
    sr = 8000
    frames = CountingFrames(np.zeros((2, 3600 * sr), np.float32))
    tile = render_view(frames, sr=sr, start=0.0, stop=seconds, columns=1000, rows=50)  # type: ignore[arg-type]
    # Dense views read their range once; wide ones one frame per column, not the range.
    assert frames.read <= min(seconds * sr, 1000 * tile.n_fft) + 2 * tile.n_fft * 20
