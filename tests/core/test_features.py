"""Features: band energy, dominant frequencies, envelope, SNR, centroid, flatness."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from core.errors import Cancelled, ConfigError, InvalidAudioError
from core.features import FeatureConfig, estimate_snr_db, frame_features, summarize
from core.progress import CancelToken
from core.signals import mix_at_snr, speech_like, tone, white_noise

SR = 16000


def test_tone_levels_and_dominant_frequency() -> None:
    s = summarize(tone(freq=440.0, sr=SR, seconds=2.0, amplitude=0.5), sr=SR)
    assert s.dominant_hz[0] == pytest.approx(440.0, abs=2.0)
    assert s.peak_dbfs == pytest.approx(-6.02, abs=0.01)
    assert s.rms_dbfs == pytest.approx(-9.03, abs=0.01)
    assert s.centroid_hz == pytest.approx(440.0, abs=5.0)
    assert s.flatness < 1e-3
    # The 250-500 Hz band holds the tone's energy; the others are far below it.
    labels = s.to_dict()["band_labels"]
    loud = int(np.argmax(s.band_energy_db))
    assert labels[loud] == "250_500"
    assert s.band_energy_db[loud] == pytest.approx(s.rms_dbfs, abs=0.5)


def test_two_tones_reported_strongest_first() -> None:
    x = tone(freq=1000.0, sr=SR, seconds=1.0, amplitude=0.5)
    x = x + tone(freq=3000.0, sr=SR, seconds=1.0, amplitude=0.1)
    peaks = summarize(x, sr=SR).dominant_hz
    assert peaks[0] == pytest.approx(1000.0, abs=3.0)
    assert peaks[1] == pytest.approx(3000.0, abs=3.0)


def test_white_noise_is_flat_and_tone_is_not() -> None:
    noise = summarize(white_noise(sr=SR, seconds=2.0), sr=SR)
    assert 0.4 < noise.flatness <= 1.0
    assert noise.centroid_hz == pytest.approx(SR / 4, rel=0.1)


@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0, 30.0])
def test_blind_snr_tracks_the_mixing_snr(snr: float) -> None:
    clean = speech_like(sr=SR, seconds=6.0)
    noisy = mix_at_snr(clean, white_noise(sr=SR, seconds=6.0, seed=3), snr_db=snr)
    assert estimate_snr_db(noisy, sr=SR) == pytest.approx(snr, abs=3.0)


def test_envelope_follows_the_level() -> None:
    quiet = tone(freq=500.0, sr=SR, seconds=1.0, amplitude=0.01)
    loud = tone(freq=500.0, sr=SR, seconds=1.0, amplitude=0.5)
    f = frame_features(np.concatenate([quiet, loud], axis=1), sr=SR)
    mid = f.n_frames // 2
    assert f.envelope_db[mid + 10] - f.envelope_db[mid - 10] == pytest.approx(34.0, abs=1.0)
    assert f.times_s[1] == pytest.approx(512 / SR)


def test_silence_gives_nan_not_garbage() -> None:
    f = frame_features(np.zeros((1, SR), np.float32), sr=SR)
    assert np.isneginf(f.envelope_db).all()
    assert np.isnan(f.centroid_hz).all() and np.isnan(f.dominant_hz).all()
    d = summarize(np.zeros((2, SR), np.float32), sr=SR).to_dict()
    json.dumps(d, allow_nan=False)
    assert d["rms_dbfs"] is None and d["dominant_hz"] == []


def test_json_and_csv_exports(tmp_path) -> None:
    x = tone(freq=440.0, sr=SR, seconds=1.0)
    s = summarize(x, sr=SR)
    data = json.loads(s.to_json(tmp_path / "s.json").read_text())
    for key in ("snr_db", "dominant_hz", "band_energy_db", "centroid_hz", "flatness"):
        assert key in data
    f = frame_features(x, sr=SR)
    with open(f.to_csv(tmp_path / "f.csv"), encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == f.columns()
    assert len(rows) == f.n_frames + 1
    assert float(rows[10][rows[0].index("dominant_1_hz")]) == pytest.approx(440.0, abs=2.0)
    assert not list(tmp_path.glob("*.part"))


def test_multichannel_and_high_rate() -> None:
    x = np.concatenate([tone(freq=200.0, sr=48000, seconds=1.0)] * 2)
    s = summarize(x, sr=48000)
    assert s.channels == 2
    assert s.band_edges_hz[-1] == 24000.0
    assert s.dominant_hz[0] == pytest.approx(200.0, abs=2.0)


def test_bad_input_and_config() -> None:
    with pytest.raises(InvalidAudioError):
        summarize(np.full((1, 100), np.nan, np.float32), sr=SR)
    with pytest.raises(ConfigError):
        FeatureConfig(n_fft=15)
    with pytest.raises(ConfigError):
        FeatureConfig(bands_hz=(100.0, 50.0))
    with pytest.raises(ConfigError):
        FeatureConfig(bands_hz=(9000.0, 10000.0)).band_edges(SR)


def test_cancel() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        frame_features(white_noise(sr=SR, seconds=1.0), sr=SR, cancel=token)


def test_mean_power_spectrum_is_frame_features_mean_power() -> None:
    from core.features import mean_power_spectrum

    x = np.random.default_rng(5).standard_normal((2, 40_000)).astype(np.float32) * 0.1
    np.testing.assert_array_equal(mean_power_spectrum(x), frame_features(x, sr=SR).mean_power)
