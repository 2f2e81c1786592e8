"""Noise reduction from a noise profile: full band, one profile per recording, no seams."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import core.pipeline
from core.chain import ChainConfig, StepSpec
from core.dsp.noise_profile import (
    NoiseProfile,
    estimate_noise_profile,
    grid_hz,
    learn_noise_profile,
    stft_config,
)
from core.errors import ConfigError
from core.pipeline import restore_array

SR = 44100


def _music(seconds: float, *, seed: int = 0, top_hz: float = 5000.0) -> np.ndarray:
    """Stereo notes that change every 0.4-0.9 s in pitch and loudness (harmonics up to
    ``top_hz``), with rests between phrases: a programme whose floor moves."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    out = np.zeros((2, n), dtype=np.float64)
    t0 = 0
    while t0 < n:
        length = int(rng.uniform(0.4, 0.9) * SR)
        t = np.arange(min(length, n - t0)) / SR
        envelope = np.minimum(1.0, t / 0.02) * np.exp(-t * rng.uniform(1.0, 4.0))
        level = 10 ** (rng.uniform(-30, 0) / 20) * (rng.random() > 0.15)
        for f0 in rng.choice([110, 147, 196, 262, 330, 392, 523], size=2):
            for k in range(1, int(top_hz / f0) + 1):
                tone = np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 2 * np.pi)) / k**1.2
                out[:, t0 : t0 + t.size] += level * envelope * tone * rng.uniform(0.6, 1.0, (2, 1))
        t0 += length
    return (0.3 * out / np.max(np.abs(out))).astype(np.float32)


def _hiss(seconds: float, dbfs: float, *, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (10 ** (dbfs / 20) * rng.standard_normal((2, int(seconds * SR)))).astype(np.float32)


def test_the_profile_reads_steady_noise_and_round_trips_as_text() -> None:
    hiss = _hiss(12.0, -45.0)
    density = 10 * math.log10(10 ** (-45 / 10) / (SR / 2))  # white noise, per Hz
    learned = learn_noise_profile(hiss[:, :SR], sr=SR)
    assert np.allclose(learned.levels_db, density, atol=1.0)
    assert learned.level_db(sr=SR) == pytest.approx(-45.0, abs=0.3)
    found = estimate_noise_profile(_music(12.0) + hiss, sr=SR)
    assert found.profile is not None and found.snr_db < 40
    assert found.profile.level_db(sr=SR) == pytest.approx(-45.0, abs=1.0)
    # From 4 kHz up (above the notes' strongest harmonics) each value within 1.5 dB.
    levels = np.asarray(found.profile.levels_db)
    levels = levels[grid_hz()[: levels.size] >= 4000]
    assert np.all(np.abs(levels - density) < 1.5)
    again = NoiseProfile.from_text(found.profile.to_text())
    assert np.allclose(again.levels_db, found.profile.levels_db, atol=0.05)
    with pytest.raises(ConfigError):
        NoiseProfile.from_text("loud,quiet")


def test_music_without_noise_keeps_no_steady_floor_and_passes_untouched() -> None:
    music = _music(12.0, seed=3)
    assert estimate_noise_profile(music, sr=SR).profile is None
    chain = ChainConfig([StepSpec("profile")])  # "file": learned from the recording
    restoration = restore_array(music, sr=SR, chain=chain)
    out, residual = restoration.restored, restoration.residual
    assert restoration.chain.steps[0].bypass  # nothing steady: the step stood aside
    np.testing.assert_array_equal(out, music)
    assert not residual.any()


def test_hiss_under_music_comes_out_full_band() -> None:
    music = _music(10.0, seed=4, top_hz=14000.0)
    noisy = music + _hiss(10.0, -45.0)
    out = restore_array(noisy, sr=SR, chain=ChainConfig([StepSpec("profile")])).restored

    def error_db(x: np.ndarray, lo: float, hi: float) -> float:
        spectrum = np.abs(np.fft.rfft((x - music).astype(np.float64), axis=1)) ** 2
        freqs = np.fft.rfftfreq(x.shape[1], 1 / SR)
        return 10 * math.log10(float(spectrum[:, (freqs >= lo) & (freqs < hi)].sum()))

    # Nearer the clean music below 8 kHz, where the notes cover most of the hiss, and far
    # nearer above it: one treatment for the whole band, no edge where a model's ends.
    assert error_db(out, 200.0, 8000.0) < error_db(noisy, 200.0, 8000.0) - 3.0
    assert error_db(out, 8000.0, 20000.0) < error_db(noisy, 8000.0, 20000.0) - 10.0


def _band_reduction_by_second(
    noisy: np.ndarray, out: np.ndarray, music: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per second and third-octave band: output over input power (dB), and whether the
    music stands 20 dB under the hiss there (a band that holds hiss alone)."""
    from core.dsp.stft import StftConfig, stft

    config = StftConfig(n_fft=4410 // 2 * 2, hop=441)
    power = [np.mean(np.abs(stft(x, config=config)) ** 2, axis=0) for x in (noisy, out, music)]
    freqs = np.fft.rfftfreq(config.n_fft, 1 / SR)
    centres = 1000 * 2.0 ** (np.arange(-10, 14) / 3)
    seconds = noisy.shape[1] // SR
    ratio = np.zeros((seconds, centres.size))
    hiss_only = np.zeros((seconds, centres.size), dtype=bool)
    for i in range(seconds):
        frames = slice(i * 100 + 5, (i + 1) * 100 - 5)
        for j, c in enumerate(centres):
            band = (freqs >= c * 2 ** (-1 / 6)) & (freqs < c * 2 ** (1 / 6))
            p_in, p_out, p_music = (p[frames][:, band].sum() for p in power)
            ratio[i, j] = 10 * np.log10(p_out / p_in)
            hiss_only[i, j] = p_music < 0.01 * (p_in - p_music)
    return ratio, hiss_only


def test_blocks_change_nothing_whole_recording_equals_blocks_and_hiss_reduction_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stationary hiss under changing music: processed in 2-s blocks, the hiss reduction
    in every band that holds hiss moves by under 2 dB from one second to the next, and
    the output equals the whole recording's, processed in one block, within 60 dB."""
    music = _music(14.0, seed=5)
    noisy = music + _hiss(14.0, -45.0)
    profile = estimate_noise_profile(noisy, sr=SR).profile
    assert profile is not None
    chain = ChainConfig([StepSpec("profile", {"profile": profile.to_text()})])
    whole = restore_array(noisy, sr=SR, chain=chain).restored
    monkeypatch.setattr(core.pipeline, "BLOCK_SECONDS", 2.0)
    blocks = restore_array(noisy, sr=SR, chain=chain).restored
    difference = np.sum((whole - blocks).astype(np.float64) ** 2)
    assert 10 * np.log10(difference / np.sum(whole.astype(np.float64) ** 2)) < -60.0
    ratio, hiss_only = _band_reduction_by_second(noisy, blocks, music)
    steady = hiss_only[1:] & hiss_only[:-1]
    assert steady.sum() > 50  # the check has bands to look at
    assert np.max(np.abs(np.diff(ratio, axis=0))[steady]) < 2.0
    assert np.median(ratio[hiss_only]) < -10.0  # and the hiss does come down


def test_frames_fall_on_whole_hundredths_where_the_rate_allows() -> None:
    for sr in (44100, 48000, 96000, 32000, 16000):
        assert sr % stft_config(sr).hop == 0 and stft_config(sr).hop == sr // 100
    assert 22050 % stft_config(22050).hop == 0


def test_a_marked_noise_selection_sets_the_profile(tmp_path: object) -> None:
    from core.noise import parse_range, with_noise_profile

    profile = learn_noise_profile(_hiss(1.0, -50.0), sr=SR)
    chain = ChainConfig.from_dict(
        {"steps": [{"type": "dc"}, {"type": "model", "params": {"model": "dfn3"}}]}
    )
    marked = with_noise_profile(chain, profile)
    assert [s.type for s in marked.steps] == ["dc", "profile"]
    assert marked.steps[1].params["profile"] == profile.to_text()
    plain = with_noise_profile(ChainConfig([StepSpec("declick"), StepSpec("lowpass")]), profile)
    assert [s.type for s in plain.steps] == ["declick", "profile", "lowpass"]
    assert parse_range("0.5:2") == (0.5, 2.0)
    for bad in ("2:1", "a:b", "1"):
        with pytest.raises(ConfigError):
            parse_range(bad)
    with pytest.raises(ConfigError):
        learn_noise_profile(np.zeros((2, SR), np.float32), sr=SR)


def test_stereo_hiss_under_music_that_hides_it_is_heard_between_the_channels() -> None:
    """A dense programme shared by both channels, its level jumping every 0.3 s, moves
    each channel's floor; hiss runs apart in the two, and their difference holds it."""
    from core.signals import pink_noise

    rng = np.random.default_rng(3)
    n = int(12.0 * SR)
    steps = np.repeat(10 ** (rng.uniform(-25, 0, 41) / 20), int(0.3 * SR))[:n]
    shared = 0.2 * pink_noise(sr=SR, seconds=12.0, seed=2)[0] * steps
    music = np.stack([shared, shared]).astype(np.float32)
    noisy = music + _hiss(12.0, -60.0)
    found = estimate_noise_profile(noisy, sr=SR)
    assert found.profile is not None and found.profile.level_db(sr=SR) == pytest.approx(-60, abs=1)
    # one channel alone, or no hiss, keeps no steady floor
    assert estimate_noise_profile(noisy.mean(axis=0, keepdims=True), sr=SR).profile is None
    assert estimate_noise_profile(music, sr=SR).profile is None


def test_the_assistant_hears_music_and_takes_its_hiss_out_by_one_profile() -> None:
    from core.assistant import diagnose, propose_chain
    from core.steps import BuildContext

    context = BuildContext()
    music = _music(12.0, seed=6)
    noisy = music + _hiss(12.0, -45.0)
    d = diagnose(noisy, sr=SR, context=context)
    assert d.programme == "music" and d.noise_profile is not None
    assert d.snr_db == pytest.approx(10 * np.log10(np.mean(music**2) / 10**-4.5), abs=3.0)
    chain = propose_chain(d)
    assert "for music" in chain.description
    (step,) = [s for s in chain.steps if s.type in ("profile", "model")]
    assert step.type == "profile" and step.params["profile"] == d.noise_profile
    # The same music without the hiss keeps no steady floor: nothing to take out.
    clean = diagnose(music, sr=SR, context=context)
    assert clean.programme == "music" and clean.noise_profile is None
    assert not any(s.type in ("profile", "model") for s in propose_chain(clean).steps)


def test_restore_with_a_marked_noise_range_from_the_command_line(tmp_path: Path) -> None:
    import soundfile as sf

    from core.cli import main

    music = _music(6.0, seed=7)
    hiss = _hiss(6.0, -45.0)
    noisy = music + hiss
    noisy[:, :SR] = hiss[:, :SR]  # the first second holds the hiss alone
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    sf.write(src, noisy.T, SR, subtype="FLOAT")
    code = main(
        ["restore", str(src), "-o", str(dst), "--preset", "declick", "--noise-from", "0:1", "-q"]
    )
    assert code == 0
    out, _ = sf.read(dst, dtype="float32")
    left = 10 * np.log10(np.mean(out[:SR] ** 2) / np.mean(hiss[:, :SR] ** 2))
    assert left < -12.0  # the marked hiss is at least 12 dB down where it stood alone
    assert (
        main(["restore", str(src), "-o", str(tmp_path / "x.wav"), "--noise-from", "7:8", "-q"]) != 0
    )


def test_the_floor_and_the_reduction_run_in_stretches_with_the_wholes_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stretch by stretch is only a way to bound memory: the profile found and the
    audio reduced are those of the whole recording at once."""
    import core.dsp.noise_profile as noise_profile
    from core.signals import pink_noise

    rng = np.random.default_rng(5)
    n = int(9.0 * SR)
    steps = np.repeat(10 ** (rng.uniform(-25, 0, 31) / 20), int(0.3 * SR))[:n]
    shared = 0.2 * pink_noise(sr=SR, seconds=9.0, seed=4)[0] * steps
    noisy = np.stack([shared, shared]).astype(np.float32) + _hiss(9.0, -60.0)
    levels, held, reduced = {}, {}, {}
    for windows, seconds in ((1, 0.5), (1000, 1000.0)):
        monkeypatch.setattr(noise_profile, "MINIMA_CHUNK_WINDOWS", windows)
        monkeypatch.setattr(noise_profile, "STRETCH_S", seconds)
        found = estimate_noise_profile(noisy, sr=SR)
        assert found.profile is not None  # heard between the channels (the side's pass too)
        levels[windows], held[windows] = found.profile.levels_db, found.steady_bands
        reduced[windows] = noise_profile.reduce_profile_noise(noisy, sr=SR, profile=found.profile)
    assert held[1] == held[1000]
    np.testing.assert_allclose(levels[1], levels[1000], atol=1e-3)
    np.testing.assert_allclose(reduced[1], reduced[1000], atol=2e-6)


def test_a_minute_of_stereo_is_listened_to_and_reduced_in_bounded_memory() -> None:
    """The spectrogram of a whole minute of 48 kHz stereo, and what is computed from it,
    took 320 MB at once (and the pipeline reduces two 36-s blocks side by side)."""
    import tracemalloc

    from core.dsp.noise_profile import reduce_profile_noise

    sr = 48000
    rng = np.random.default_rng(0)
    noisy = (0.01 * rng.standard_normal((2, 60 * sr))).astype(np.float32)
    tracemalloc.start()
    try:
        found = estimate_noise_profile(noisy, sr=sr)
        assert found.profile is not None
        estimate_peak = tracemalloc.get_traced_memory()[1] - noisy.nbytes
        tracemalloc.reset_peak()
        block = noisy[:, : 36 * sr]
        before = tracemalloc.get_traced_memory()[0]
        out = reduce_profile_noise(block, sr=sr, profile=found.profile)
        reduce_peak = tracemalloc.get_traced_memory()[1] - before - out.nbytes
    finally:
        tracemalloc.stop()
    assert estimate_peak < 80 * 2**20
    assert reduce_peak < 80 * 2**20
