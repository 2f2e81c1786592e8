"""Degradation simulator: determinism, each degradation measured back, paired folders."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import correlate, correlation_lags, welch

from core.audio.io import load, save
from core.data.degrade import (
    DegradeConfig,
    DegradeParams,
    degrade,
    degrade_pair_folder,
    mains_frequency_track,
)
from core.errors import Cancelled, ConfigError, InvalidAudioError, UnsafeOutputError
from core.progress import CancelToken
from core.signals import pink_noise, speech_like, tone, white_noise

SR = 16000

# Every step off; each test turns on the one it measures.
OFF = DegradeConfig(
    p_clean=0.0,
    p_reverb=0.0,
    p_bandlimit=0.0,
    p_hum=0.0,
    p_noise=0.0,
    p_clicks=0.0,
    p_crackle=0.0,
    p_clip=0.0,
    p_gain=0.0,
)
ALL_ON = DegradeConfig(
    p_clean=0.0,
    p_reverb=1.0,
    p_bandlimit=1.0,
    p_highpass=1.0,
    p_hum=1.0,
    p_noise=1.0,
    p_clicks=1.0,
    p_crackle=1.0,
    p_clip=1.0,
    p_gain=1.0,
)


def only(**changes: object) -> DegradeConfig:
    values = {**OFF.__dict__, **changes}
    return DegradeConfig(**values)  # type: ignore[arg-type]


def room_ir(seed: int = 0) -> np.ndarray:
    """Synthetic impulse response: 80 samples of pre-delay, direct path, decaying tail."""
    rng = np.random.default_rng(seed)
    rir = np.zeros(6000)
    rir[80] = 0.6
    rir[81:] = 0.03 * rng.standard_normal(5919) * np.exp(-np.arange(5919) / 1200)
    return rir.astype(np.float32)


def residual(noisy: np.ndarray, clean: np.ndarray, params: DegradeParams) -> np.ndarray:
    return noisy.astype(np.float64) - clean.astype(np.float64) * params.target_gain


def power_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64))))


CLEAN = speech_like(sr=SR, seconds=3.0, seed=1)
NOISES = [pink_noise(sr=SR, seconds=2.0, seed=2), white_noise(sr=SR, seconds=5.0, seed=3)]


def test_same_seed_same_result() -> None:
    kwargs = {"sr": SR, "config": ALL_ON, "noises": NOISES, "rirs": [room_ir()]}
    a, pa = degrade(CLEAN, rng=np.random.default_rng(7), **kwargs)  # type: ignore[arg-type]
    b, pb = degrade(CLEAN, rng=np.random.default_rng(7), **kwargs)  # type: ignore[arg-type]
    c, pc = degrade(CLEAN, rng=np.random.default_rng(8), **kwargs)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a, b)
    assert pa.to_dict() == pb.to_dict()
    assert not np.array_equal(a, c) and pa.to_dict() != pc.to_dict()


@pytest.mark.parametrize("seed", range(6))
def test_shape_peak_and_json_for_everything_on(seed: int) -> None:
    stereo = np.concatenate([CLEAN, 0.5 * CLEAN[:, ::-1]], axis=0)
    noisy, params = degrade(
        stereo,
        sr=SR,
        config=ALL_ON,
        rng=np.random.default_rng(seed),
        noises=NOISES,
        rirs=[room_ir(seed)],
    )
    assert noisy.shape == stereo.shape and noisy.dtype == np.float32
    assert np.max(np.abs(noisy)) <= 1.0
    assert np.max(np.abs(stereo * params.target_gain)) <= 1.0
    data = params.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["untouched"] is False and data["noise"] is not None and data["hum"] is not None


def test_p_clean_returns_input_untouched() -> None:
    noisy, params = degrade(
        CLEAN,
        sr=SR,
        config=DegradeConfig(p_clean=1.0),
        rng=np.random.default_rng(0),
        noises=NOISES,
    )
    np.testing.assert_array_equal(noisy, CLEAN)
    assert params.untouched and params.target_gain == 1.0 and params.noise is None


@pytest.mark.parametrize("seed", range(3))
def test_noise_snr_measured_back(seed: int) -> None:
    config = only(p_noise=1.0, snr_db_range=(5.0, 5.0))
    noisy, params = degrade(
        CLEAN, sr=SR, config=config, rng=np.random.default_rng(seed), noises=NOISES
    )
    assert params.noise is not None and params.noise.snr_db == 5.0
    clean = CLEAN * params.target_gain
    snr = power_db(clean) - power_db(residual(noisy, CLEAN, params))
    assert snr == pytest.approx(5.0, abs=0.5)  # exact by construction: measured 5.00 dB


def test_noise_from_callable_is_tiled_and_mono_noise_fills_stereo() -> None:
    stereo = np.concatenate([CLEAN, CLEAN], axis=0)
    short = white_noise(sr=SR, seconds=0.25, seed=4)

    def source(rng: np.random.Generator, samples: int) -> np.ndarray:
        return short

    config = only(p_noise=1.0, snr_db_range=(0.0, 0.0))
    noisy, params = degrade(
        stereo, sr=SR, config=config, rng=np.random.default_rng(0), noises=source
    )
    assert params.noise is not None and params.noise.noise_index is None
    added = residual(noisy, stereo, params)
    np.testing.assert_allclose(added[0], added[1], atol=1e-6)
    period = short.shape[1]
    np.testing.assert_allclose(added[0, :period], added[0, period : 2 * period], atol=1e-6)
    assert power_db(stereo * params.target_gain) - power_db(added) == pytest.approx(0.0, abs=0.5)


@pytest.mark.parametrize("seed", range(4))
def test_clipped_fraction_in_range(seed: int) -> None:
    config = only(p_clip=1.0, clip_fraction_range=(0.001, 0.03))
    noisy, params = degrade(CLEAN, sr=SR, config=config, rng=np.random.default_rng(seed))
    assert params.clip is not None
    level = np.max(np.abs(noisy))
    measured = float(np.mean(np.abs(noisy) >= level * (1 - 1e-6)))
    assert 0.001 * 0.9 <= measured <= 0.03 * 1.1
    assert measured == pytest.approx(params.clip.target_fraction, rel=0.1, abs=2e-4)


@pytest.mark.parametrize("seed", range(3))
def test_bandlimit_removes_energy_above_cutoff(seed: int) -> None:
    x = white_noise(sr=SR, seconds=2.0, amplitude=0.1, seed=seed)
    config = only(p_bandlimit=1.0, p_highpass=1.0, lowpass_hz_range=(3000.0, 6500.0))
    noisy, params = degrade(x, sr=SR, config=config, rng=np.random.default_rng(seed))
    assert params.bandlimit is not None
    lowpass, highpass = params.bandlimit.lowpass_hz, params.bandlimit.highpass_hz
    assert lowpass is not None and highpass is not None
    freqs, p_in = welch(x[0], fs=SR, nperseg=2048)
    _, p_out = welch(noisy[0] / params.target_gain, fs=SR, nperseg=2048)

    def band_db(p: np.ndarray, lo: float, hi: float) -> float:
        sel = (freqs >= lo) & (freqs <= hi)
        return float(10 * np.log10(np.sum(p[sel])))

    above = band_db(p_out, 1.1 * lowpass, SR / 2) - band_db(p_in, 1.1 * lowpass, SR / 2)
    assert above < -30.0  # measured below -60 dB
    below = band_db(p_out, 2 * highpass, 0.9 * lowpass) - band_db(p_in, 2 * highpass, 0.9 * lowpass)
    assert below == pytest.approx(0.0, abs=0.5)
    low = band_db(p_out, 10.0, 0.5 * highpass) - band_db(p_in, 10.0, 0.5 * highpass)
    assert low < -20.0


def test_bandlimit_keeps_alignment() -> None:
    config = only(p_bandlimit=1.0, p_highpass=0.0, lowpass_hz_range=(6000.0, 6000.0))
    noisy, _ = degrade(CLEAN, sr=SR, config=config, rng=np.random.default_rng(0))
    xc = np.correlate(noisy[0, 8000:12000], CLEAN[0, 8000:12000], mode="full")
    assert int(np.argmax(xc)) - 3999 == 0


def hum_of(config: DegradeConfig, **kwargs: object) -> tuple[np.ndarray, DegradeParams]:
    x = tone(freq=1000.0, sr=SR, seconds=4.0, amplitude=0.3)
    noisy, params = degrade(x, sr=SR, config=config, rng=np.random.default_rng(3), **kwargs)  # type: ignore[arg-type]
    return residual(noisy, x, params)[0] / params.target_gain, params


def test_hum_at_mains_harmonics_and_level() -> None:
    config = only(p_hum=1.0, hum_base_hz=(50.0,), hum_level_db_range=(-20.0, -20.0))
    hum, params = hum_of(config)
    assert params.hum is not None and params.hum.drift == "synthetic"
    signal_db = power_db(tone(freq=1000.0, sr=SR, seconds=4.0, amplitude=0.3))
    assert power_db(hum) - signal_db == pytest.approx(-20.0, abs=0.1)
    spectrum = np.abs(np.fft.rfft(hum * np.hanning(hum.size))) ** 2
    freqs = np.fft.rfftfreq(hum.size, 1 / SR)
    harmonics = len(params.hum.harmonic_levels_db)
    assert 3 <= harmonics <= 10
    near = np.zeros(freqs.size, bool)
    for k in range(1, harmonics + 1):
        near |= np.abs(freqs - 50.0 * k) < 1.0
    assert spectrum[near].sum() / spectrum.sum() > 0.95
    fundamental = np.abs(freqs - 50.0) < 1.0
    assert spectrum[fundamental].sum() / spectrum.sum() > 0.3
    # Synthetic drift: a slow wander within +-0.05 Hz.
    assert 49.95 - 1e-9 <= params.hum.min_hz < params.hum.max_hz <= 50.05 + 1e-9
    assert params.hum.max_hz - params.hum.min_hz > 0.005


def test_hum_follows_given_drift() -> None:
    config = only(p_hum=1.0, hum_base_hz=(50.0,), hum_drift_rate=10.0)
    drift = np.full(30, 50.5)  # 3 s at 10 Hz: shorter than the 4 s signal, so it tiles
    hum, params = hum_of(config, hum_drift=drift)
    assert params.hum is not None and params.hum.drift == "given"
    assert params.hum.mean_hz == pytest.approx(50.5, abs=1e-6)
    spectrum = np.abs(np.fft.rfft(hum * np.hanning(hum.size)))
    freqs = np.fft.rfftfreq(hum.size, 1 / SR)
    low = freqs < 75
    assert freqs[low][np.argmax(spectrum[low])] == pytest.approx(50.5, abs=0.3)
    # A 60 Hz hum driven by the same 50 Hz trajectory moves by the same ratio.
    config60 = only(p_hum=1.0, hum_base_hz=(60.0,), hum_drift_rate=10.0)
    _, params60 = hum_of(config60, hum_drift=drift)
    assert params60.hum is not None and params60.hum.mean_hz == pytest.approx(60.6, abs=1e-6)


def test_mains_frequency_track() -> None:
    rate = 400
    t = np.arange(60 * rate) / rate
    freq = 50.0 + 0.03 * np.sin(2 * np.pi * t / 30.0)
    recording = 0.5 * np.sin(2 * np.pi * np.cumsum(freq) / rate)
    track = mains_frequency_track(recording, sr=rate)
    assert track.shape == t.shape
    middle = slice(5 * rate, -5 * rate)
    assert np.max(np.abs(track[middle] - freq[middle])) < 0.005


def runs(x: np.ndarray, gap: int = 32) -> list[int]:
    """Starts of the runs of non-zero samples, runs closer than ``gap`` merged."""
    idx = np.flatnonzero(np.abs(x) > 1e-7)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > gap)
    return [int(idx[0])] + [int(idx[b + 1]) for b in breaks]


@pytest.mark.parametrize("seed", range(3))
def test_click_count_matches_rate(seed: int) -> None:
    x = tone(freq=440.0, sr=SR, seconds=30.0, amplitude=0.3)
    config = only(p_clicks=1.0, click_rate_range=(120.0, 120.0))
    noisy, params = degrade(x, sr=SR, config=config, rng=np.random.default_rng(seed))
    assert params.clicks is not None
    expected = 120.0 * 30.0 / 60.0  # 60 clicks
    assert abs(params.clicks.count - expected) < 4 * np.sqrt(expected)  # Poisson
    found = runs(residual(noisy, x, params)[0])
    assert abs(len(found) - params.clicks.count) <= 3  # only overlapping clicks merge
    assert set(found) <= set(params.clicks.positions)
    assert all(1 <= n <= 30 for n in params.clicks.lengths)
    peaks = 20 * np.log10(np.max(np.abs(residual(noisy, x, params)), axis=0).max() / 0.3)
    assert -20.5 <= peaks <= 0.5


def test_crackle_is_dense_and_small() -> None:
    x = tone(freq=440.0, sr=SR, seconds=10.0, amplitude=0.3)
    config = only(p_crackle=1.0, crackle_rate_range=(3000.0, 3000.0))
    noisy, params = degrade(x, sr=SR, config=config, rng=np.random.default_rng(0))
    assert params.crackle is not None and params.crackle.count == pytest.approx(500, rel=0.2)
    added = residual(noisy, x, params)
    assert len(runs(added[0], gap=1)) > 300
    assert power_db(added) - power_db(x) < -25.0


def test_reverb_is_aligned_to_direct_path() -> None:
    config = only(p_reverb=1.0, wet_range=(1.0, 1.0))
    delta = np.zeros(500, np.float32)
    delta[120] = -0.3
    noisy, params = degrade(CLEAN, sr=SR, config=config, rng=np.random.default_rng(0), rirs=[delta])
    assert params.reverb is not None and params.reverb.direct_index == 120
    np.testing.assert_allclose(noisy, CLEAN, atol=1e-6)  # a pure direct path changes nothing
    noisy, params = degrade(
        CLEAN, sr=SR, config=config, rng=np.random.default_rng(0), rirs=[room_ir()]
    )
    assert noisy.shape == CLEAN.shape
    xc = correlate(noisy[0], CLEAN[0], method="fft")
    assert correlation_lags(CLEAN.shape[1], CLEAN.shape[1])[np.argmax(xc)] == 0
    assert power_db(residual(noisy, CLEAN, params)) - power_db(CLEAN) > -10.0  # a real tail


def test_gain_range_and_peak_limit() -> None:
    noisy, params = degrade(
        CLEAN,
        sr=SR,
        config=only(p_gain=1.0, gain_db_range=(-20.0, -20.0)),
        rng=np.random.default_rng(0),
    )
    assert params.gain_db == pytest.approx(-20.0) and params.target_gain == pytest.approx(0.1)
    np.testing.assert_allclose(noisy, CLEAN * 0.1, atol=1e-7)
    loud = CLEAN / np.max(np.abs(CLEAN)) * 0.9
    noisy, params = degrade(
        loud, sr=SR, config=only(p_gain=1.0, gain_db_range=(6.0, 6.0)), rng=np.random.default_rng(0)
    )
    assert np.max(np.abs(noisy)) <= 1.0
    assert np.max(np.abs(noisy)) == pytest.approx(1.0, abs=1e-4)
    assert params.gain_db == pytest.approx(20 * np.log10(1 / 0.9), abs=1e-3)


def test_short_and_silent_inputs_keep_length() -> None:
    for x in (CLEAN[:, :300], np.zeros((2, 1000), np.float32)):
        noisy, _ = degrade(
            x, sr=SR, config=ALL_ON, rng=np.random.default_rng(1), noises=NOISES, rirs=[room_ir()]
        )
        assert noisy.shape == x.shape and np.all(np.isfinite(noisy))


def test_invalid_inputs() -> None:
    with pytest.raises(ConfigError):
        DegradeConfig(p_noise=1.5)
    with pytest.raises(ConfigError):
        DegradeConfig(snr_db_range=(10.0, 0.0))
    with pytest.raises(ConfigError):
        DegradeConfig(clip_fraction_range=(0.0, 0.01))
    with pytest.raises(InvalidAudioError):
        degrade(np.full((1, 10), np.inf), sr=SR, rng=np.random.default_rng(0))
    with pytest.raises(InvalidAudioError):
        degrade(
            CLEAN,
            sr=SR,
            config=only(p_noise=1.0),
            rng=np.random.default_rng(0),
            noises=[np.zeros((1, 100), np.float32)],
        )
    with pytest.raises(InvalidAudioError):
        degrade(CLEAN, sr=SR, rng=np.random.default_rng(0), hum_drift=np.array([50.0, -1.0]))


def make_folders(tmp_path: Path) -> tuple[Path, Path]:
    clean_dir, noise_dir = tmp_path / "clean_in", tmp_path / "noise_in"
    (clean_dir / "sub").mkdir(parents=True)
    noise_dir.mkdir()
    save(clean_dir / "a.wav", speech_like(sr=16000, seconds=1.0, seed=1), 16000)
    stereo = np.concatenate([speech_like(sr=22050, seconds=0.7, seed=2)] * 2, axis=0)
    save(clean_dir / "sub" / "b.flac", stereo, 22050)
    save(noise_dir / "n.wav", pink_noise(sr=8000, seconds=0.5, seed=3), 8000)
    return clean_dir, noise_dir


def test_pair_folder_writes_matching_pairs(tmp_path: Path) -> None:
    clean_dir, noise_dir = make_folders(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    fractions: list[float] = []
    config = DegradeConfig(p_clean=0.0, p_noise=1.0)
    out = degrade_pair_folder(
        clean_dir,
        noise_dir,
        tmp_path / "out",
        count=5,
        seed=11,
        config=config,
        progress=lambda f, m="": fractions.append(f),
    )
    noisy_names = sorted(p.name for p in (out / "noisy").iterdir())
    assert noisy_names == sorted(p.name for p in (out / "clean").iterdir())
    assert len(noisy_names) == 5 and fractions[-1] == pytest.approx(1.0)
    report = json.loads((out / "params.json").read_text())
    assert [e["name"] for e in report["examples"]] == [
        f"{i:05d}_{s}.wav" for i, s in enumerate("ababa")
    ]
    sources = {"a": (clean_dir / "a.wav"), "b": (clean_dir / "sub" / "b.flac")}
    for example in report["examples"]:
        name = example["name"]
        source_audio, source_sr = load(sources[name[6]])
        for kind in ("noisy", "clean"):
            info = sf.info(str(out / kind / name))
            assert info.samplerate == source_sr
            assert info.frames == source_audio.shape[1]
            assert info.channels == source_audio.shape[0]
        noisy, _ = load(out / "noisy" / name)
        target, _ = load(out / "clean" / name)
        assert np.max(np.abs(noisy)) <= 1.0
        np.testing.assert_allclose(target, source_audio * example["target_gain"], atol=1e-5)
        assert example["noise_file"] == "n.wav"
    # The inputs are untouched, and a second run gives the same files.
    assert all(p.read_bytes() == data for p, data in before.items())
    again = degrade_pair_folder(
        clean_dir, noise_dir, tmp_path / "again", count=5, seed=11, config=config
    )
    for name in noisy_names:
        assert (again / "noisy" / name).read_bytes() == (out / "noisy" / name).read_bytes()


def test_pair_folder_refuses_unsafe_outputs(tmp_path: Path) -> None:
    clean_dir, noise_dir = make_folders(tmp_path)
    for bad in (clean_dir / "out", clean_dir, noise_dir / "x"):
        with pytest.raises(UnsafeOutputError):
            degrade_pair_folder(clean_dir, noise_dir, bad, count=1, seed=0)
    # Output whose clean/ subfolder would be the user's clean folder.
    (tmp_path / "base" / "clean").mkdir(parents=True)
    save(tmp_path / "base" / "clean" / "c.wav", CLEAN, SR)
    with pytest.raises(UnsafeOutputError):
        degrade_pair_folder(tmp_path / "base" / "clean", None, tmp_path / "base", count=1, seed=0)
    assert not (clean_dir / "out").exists() and not (noise_dir / "x").exists()
    assert sorted(p.name for p in clean_dir.rglob("*")) == ["a.wav", "b.flac", "sub"]


def test_pair_folder_cancel_leaves_nothing(tmp_path: Path) -> None:
    clean_dir, noise_dir = make_folders(tmp_path)
    token = CancelToken()
    with pytest.raises(Cancelled):
        degrade_pair_folder(
            clean_dir,
            noise_dir,
            tmp_path / "out",
            count=4,
            seed=0,
            progress=lambda f, m="": token.cancel(),
            cancel=token,
        )
    assert not (tmp_path / "out").exists()
