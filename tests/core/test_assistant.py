"""Repair assistant, repair presets and the extended analysis report."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.analysis import analyze_audio
from core.assistant import diagnose, propose_chain
from core.chain import ChainConfig, list_presets, load_preset
from core.dsp.limiter import true_peak_dbtp
from core.dsp.loudness import integrated_loudness
from core.dsp.stft import StftConfig, stft
from core.pipeline import restore_array
from core.signals import speech_like, white_noise

SR = 16000


def _speech(seconds: float = 8.0) -> np.ndarray:
    return speech_like(sr=SR, seconds=seconds, seed=4)


def _with_hum(x: np.ndarray, f0: float = 50.0, level: float = 0.02) -> np.ndarray:
    t = np.arange(x.shape[1]) / SR
    hum = sum(level / k * np.sin(2 * np.pi * k * f0 * t + k) for k in range(1, 6))
    return (x + hum).astype(np.float32)


def _with_clicks(x: np.ndarray, count: int = 20) -> np.ndarray:
    y = x.copy()
    rng = np.random.default_rng(0)
    for p in rng.choice(np.arange(SR // 2, x.shape[1] - SR // 2), count, replace=False):
        y[:, p : p + 3] += 0.6 * rng.choice([-1, 1])
    return np.clip(y, -1, 1)


def _clipped(x: np.ndarray) -> np.ndarray:
    level = np.quantile(np.abs(x), 0.99)  # 1 % of the samples clip
    return np.clip(x, -level, level) / level * 0.9


def _with_bursts(x: np.ndarray, count: int = 60, amplitude: float = 0.1) -> np.ndarray:
    """Noise that comes and goes over a clean floor: short bursts, silence between."""
    y = x.copy()
    rng = np.random.default_rng(1)
    for start in rng.choice(np.arange(x.shape[1] - SR // 4), count, replace=False):
        n = int(rng.uniform(0.05, 0.2) * SR)
        y[:, start : start + n] += amplitude * rng.standard_normal(n) * np.hanning(n)
    return y


def _kinds(x: np.ndarray) -> set[str]:
    return {f.kind for f in diagnose(x, sr=SR).findings()}


def test_clean_input_has_nothing_to_repair() -> None:
    d = diagnose(_speech(), sr=SR)
    assert d.hum_hz is None
    assert d.clipped_fraction < 1e-4
    assert d.findings() == [] or {f.kind for f in d.findings()} <= {"bandwidth"}
    assert [s.type for s in propose_chain(d).steps] == ["dc"]


@pytest.mark.parametrize(
    ("make", "kind", "step"),
    [
        (lambda x: _with_hum(x), "hum", "dehum"),
        (_with_clicks, "clicks", "declick"),
        (_clipped, "clipping", "declip"),
        (lambda x: x + white_noise(sr=SR, seconds=8.0, amplitude=0.03), "noise", "model"),
    ],
)
def test_each_problem_is_found_and_repaired_by_its_step(make, kind, step) -> None:
    d = diagnose(make(_speech()), sr=SR)
    assert kind in {f.kind for f in d.findings()}
    assert step in [s.type for s in propose_chain(d).steps]


def test_noise_that_comes_and_goes_over_a_clean_floor_is_heard_by_the_model() -> None:
    """The steady-noise estimate reads bursts over silence as clean; the model does not."""
    from core.assistant import NOISY_BELOW_SNR_DB, UNSTEADY_NOISE_DB
    from core.steps import BuildContext

    context = BuildContext()
    clean = diagnose(_speech(), sr=SR, context=context)
    bursty = diagnose(_with_bursts(_speech()), sr=SR, context=context)
    assert min(clean.snr_db, bursty.snr_db) >= NOISY_BELOW_SNR_DB
    assert clean.model_removal_db is not None and bursty.model_removal_db is not None
    assert clean.model_removal_db < UNSTEADY_NOISE_DB - 20
    assert bursty.model_removal_db > UNSTEADY_NOISE_DB + 5
    assert [f.kind for f in bursty.findings()] == ["noise"]
    assert "comes and goes" in bursty.findings()[0].message
    assert [s.type for s in propose_chain(bursty).steps] == ["dc", "model"]
    assert [s.type for s in propose_chain(clean).steps] == ["dc"]
    # Where the steady estimate already finds noise, the model is not asked.
    hiss = _speech() + white_noise(sr=SR, seconds=8.0, amplitude=0.03)
    assert diagnose(hiss, sr=SR, context=context).model_removal_db is None


def test_de_click_needs_clicks_that_stand_out_clearly_and_crackle_needs_many() -> None:
    from dataclasses import replace

    base = diagnose(_speech(), sr=SR)
    few_clear = replace(base, clicks_per_min=90.0, clear_clicks_per_min=20.0)
    many_clear = replace(base, clicks_per_min=90.0, clear_clicks_per_min=60.0)
    crackle = replace(base, clicks_per_min=900.0, clear_clicks_per_min=10.0)
    uncounted = replace(base, clicks_per_min=90.0, clear_clicks_per_min=float("nan"))
    assert "declick" not in [s.type for s in propose_chain(few_clear).steps]
    assert {f.kind for f in many_clear.findings()} >= {"clicks"}
    assert {f.kind for f in crackle.findings()} >= {"crackle"}
    assert {f.kind for f in uncounted.findings()} >= {"clicks"}
    d = diagnose(_with_clicks(_speech()), sr=SR)  # 20 large clicks in 8 s: all clear
    assert d.clear_clicks_per_min == pytest.approx(d.clicks_per_min, rel=0.1)


def test_hum_frequency_and_bandwidth_are_measured() -> None:
    d = diagnose(_with_hum(_speech(), f0=60.0), sr=SR)
    assert d.hum_hz == pytest.approx(60.0, abs=0.5)
    from core.dsp.filters import lowpass

    narrow = diagnose(lowpass(_speech(), sr=SR, cutoff_hz=3000.0), sr=SR)
    assert 2500 < narrow.bandwidth_hz < 4500
    assert "bandwidth" in {f.kind for f in narrow.findings()}


def test_hiss_above_a_band_limited_programme_gets_a_low_pass() -> None:
    from core.dsp.filters import highpass, lowpass

    band = lowpass(highpass(_speech(), sr=SR, cutoff_hz=300.0), sr=SR, cutoff_hz=3400.0)
    hiss = white_noise(sr=SR, seconds=8.0, amplitude=0.003, seed=3)  # about 26 dB SNR
    d = diagnose((band + hiss).astype(np.float32), sr=SR)
    assert d.noise_above_hz is not None and 3000 < d.noise_above_hz < 4500
    # (The mask model's path; speech gets DeepFilterNet3 alone, tested below.)
    steps = {s.type: s.params for s in propose_chain(d, model="default").steps}
    assert d.noise_above_hz < steps["lowpass"]["cutoff_hz"] < 1.2 * d.noise_above_hz
    # Light hiss that came after the band limit is steady: the noise-profile step takes
    # it first, then the model at its full depth (a -20 dB floor left light hiss audible).
    assert {f.kind: f.severity for f in d.findings()}["noise"] == "mild"
    order = [s.type for s in propose_chain(d, model="default").steps]
    assert order.index("hiss") < order.index("model") < order.index("lowpass")
    assert steps["model"]["floor_db"] == -30.0
    assert steps["model"].get("pre_clean_db", 0.0) == 0.0  # the hiss step did that already


def test_a_band_edge_is_found_under_heavier_hiss() -> None:
    """At about 14 dB SNR the loud frames stand only some 10 dB out of the hiss just
    inside the band: still a band edge with only noise above it, and a low-pass."""
    from core.dsp.filters import highpass, lowpass

    band = lowpass(highpass(_speech(), sr=SR, cutoff_hz=300.0), sr=SR, cutoff_hz=3400.0)
    hiss = white_noise(sr=SR, seconds=8.0, amplitude=0.012, seed=3)
    d = diagnose((band + hiss).astype(np.float32), sr=SR)
    assert d.noise_above_hz is not None and 3000 < d.noise_above_hz < 4500
    # Heavier hiss is left to the model's own pre-clean, not the noise-profile step.
    steps = {s.type: s.params for s in propose_chain(d, model="default").steps}
    assert "lowpass" in steps and "hiss" not in steps
    assert steps["model"]["pre_clean_db"] > 0


def test_fricatives_only_in_quieter_frames_are_programme_above_the_band_not_noise() -> None:
    """The loud frames' mean spectrum ends at the vowels' band, but programme (unlike
    hiss) comes and goes above it: no low-pass for that recording."""
    from core.assistant import EDGE_STEADY_DB, band_cliff, programme_edge_hz
    from core.dsp.filters import highpass, lowpass

    voiced = _speech()
    vowels = lowpass(voiced, sr=SR, cutoff_hz=3500.0)
    hiss = highpass(white_noise(sr=SR, seconds=8.0, seed=2), sr=SR, cutoff_hz=5000.0)
    fricatives = np.zeros_like(vowels)
    change = np.diff(np.concatenate(([0], (voiced[0] == 0).astype(int), [0])))
    gaps = zip(np.flatnonzero(change == 1), np.flatnonzero(change == -1), strict=True)
    for a, b in gaps:  # speech_like's gaps are exact zeros
        if b - a > SR // 10:  # a quiet fricative in the middle of each longer gap
            mid, half = (a + b) // 2, (b - a) // 3
            fricatives[0, mid - half : mid + half] = 0.1 * np.hanning(2 * half)
    speech = vowels + fricatives * hiss + white_noise(sr=SR, seconds=8.0, amplitude=1e-4, seed=3)
    cliff = band_cliff(speech.astype(np.float32), sr=SR)
    assert cliff is not None and cliff[1] > EDGE_STEADY_DB + 10
    assert programme_edge_hz(speech.astype(np.float32), sr=SR) is None
    assert diagnose(speech.astype(np.float32), sr=SR).noise_above_hz is None
    band_and_hiss = (vowels + white_noise(sr=SR, seconds=8.0, amplitude=0.004, seed=3)).astype(
        np.float32
    )
    cliff = band_cliff(band_and_hiss, sr=SR)
    assert cliff is not None and cliff[1] < EDGE_STEADY_DB - 3
    assert programme_edge_hz(band_and_hiss, sr=SR) == cliff[0]


@pytest.mark.parametrize("amplitude", [0.0, 0.003, 0.01, 0.05])
def test_full_band_speech_clean_or_noisy_gets_no_low_pass_nor_hiss_step(amplitude: float) -> None:
    from core.dsp.filters import highpass

    # speech_like has little above 3.5 kHz; real speech has fricatives up there.
    voiced = _speech()
    envelope = np.convolve(np.abs(voiced[0]), np.ones(400) / 400, mode="same")[None]
    fricatives = highpass(white_noise(sr=SR, seconds=8.0, seed=9), sr=SR, cutoff_hz=2500.0)
    programme = voiced + 2.0 * envelope * fricatives
    x = programme + white_noise(sr=SR, seconds=8.0, amplitude=amplitude, seed=5)
    d = diagnose(x.astype(np.float32), sr=SR)
    assert d.noise_above_hz is None
    chain = propose_chain(d, model="default").steps
    steps = [s.type for s in chain]
    assert "lowpass" not in steps and "hiss" not in steps  # full-band noise is the model's
    for step in chain:  # which may take steady noise out first, where it trusts the profile
        if step.type == "model":
            assert step.params["pre_clean_db"] == 12.0
            assert step.params["speech_model"] == "built-in"  # where that cut runs
    own = propose_chain(d, model="mine.keras").steps
    assert all(s.params.get("speech_model", "off") == "off" for s in own if s.type == "model")


def test_analyze_report_has_the_assistant_keys() -> None:
    report = analyze_audio(_with_hum(_speech()), sr=SR)
    for key in ("hum_hz", "clicks_per_min", "clipped_fraction", "lufs", "true_peak_dbtp",
                "bandwidth_hz", "snr_db"):  # fmt: skip
        assert key in report
    assert report["hum_hz"] == pytest.approx(50.0, abs=0.5)
    json.dumps(report, allow_nan=False)


def test_named_presets_exist_and_load() -> None:
    names = set(list_presets())
    assert {"auto", "denoise", "dehum", "declick", "declip", "loudness-broadcast",
            "loudness-podcast", "loudness-streaming"} <= names  # fmt: skip
    for name in names:
        chain = load_preset(name)
        assert ChainConfig.from_dict(chain.to_dict()).to_dict() == chain.to_dict()
    assert load_preset("auto").adaptive


@pytest.mark.parametrize(("preset", "target"), [("loudness-broadcast", -23.0),
                                                ("loudness-podcast", -16.0),
                                                ("loudness-streaming", -14.0)])  # fmt: skip
def test_loudness_presets_hit_target_and_ceiling(preset: str, target: float) -> None:
    x = np.concatenate([_speech(12.0), speech_like(sr=SR, seconds=12.0, seed=9)]) * 0.3
    out = restore_array(x, sr=SR, chain=load_preset(preset)).restored
    assert integrated_loudness(out, sr=SR) == pytest.approx(target, abs=0.5)
    assert true_peak_dbtp(out, sr=SR) <= -1.0 + 0.05


def test_auto_preset_repairs_hum_without_a_model() -> None:
    noisy = _with_hum(_speech())
    r = restore_array(noisy, sr=SR, chain=load_preset("auto"))
    out, residual = r.restored, r.residual
    spectrum = np.abs(np.fft.rfft(out[0])) / out.shape[1]
    before = np.abs(np.fft.rfft(noisy[0])) / out.shape[1]
    k50 = int(round(50 * out.shape[1] / SR))
    assert spectrum[k50] < before[k50] / 10  # at least 20 dB less hum at 50 Hz
    np.testing.assert_allclose(out + residual, noisy, atol=1e-4)


def test_clicks_in_a_long_recording_are_counted_from_a_sample_of_it() -> None:
    """Past CLICK_ANALYSED_SECONDS only part is searched, and the rate still comes out."""
    from core.assistant import CLICK_ANALYSED_SECONDS

    seconds = 150.0  # excerpted to 120 s; clicks searched in 30 s of those
    assert CLICK_ANALYSED_SECONDS < seconds
    clean = speech_like(sr=SR, seconds=seconds, seed=4)
    assert diagnose(clean, sr=SR).clicks_per_min < 40.0
    clicked = _with_clicks(clean, count=300)  # 120 per minute, spread over the file
    d = diagnose(clicked, sr=SR)
    assert 80.0 < d.clicks_per_min < 160.0
    assert "clicks" in {f.kind for f in d.findings()}


def test_click_pieces_spread_over_the_file_before_filling_in() -> None:
    from core.assistant import (
        CLICK_ANALYSED_SECONDS,
        CLICK_MIN_ANALYSED_SECONDS,
        _click_pieces,
    )

    total = 120 * SR  # six excerpts of 20 s end to end
    pieces = _click_pieces(total, SR)
    spans = sorted(pieces)
    assert sum(n for _, n in pieces) <= CLICK_ANALYSED_SECONDS * SR
    assert all(a + n <= b for (a, n), (b, _) in zip(spans, spans[1:], strict=False))
    # No piece crosses a join between excerpts.
    assert all(a // (20 * SR) == (a + n - 1) // (20 * SR) for a, n in pieces)
    # What an early stop has counted already reaches into both ends of the file.
    first, seconds = [], 0.0
    for a, n in pieces:
        first.append(a)
        seconds += n / SR
        if seconds >= CLICK_MIN_ANALYSED_SECONDS:
            break
    assert min(first) < total / 6 and max(first) > total * 5 / 6


@pytest.mark.parametrize(
    ("count", "seconds", "settled"),
    [(0, 15.0, True), (10, 15.0, False), (12, 15.0, False), (40, 15.0, True), (0, 2.5, False)],
)
def test_a_click_count_settles_only_far_from_the_threshold(
    count: int, seconds: float, settled: bool
) -> None:
    from core.assistant import CLICKS_MIN_PER_MIN, _settled

    assert _settled(count, seconds, CLICKS_MIN_PER_MIN) is settled


@pytest.mark.parametrize(("per_min", "stops_early"), [(0.0, True), (40.0, False), (200.0, True)])
def test_the_click_count_stops_once_settled(
    monkeypatch: pytest.MonkeyPatch, per_min: float, stops_early: bool
) -> None:
    """Clear clicks far from the threshold stop the count early; near it, it runs on."""
    from core import assistant
    from core.dsp import declick

    counted = []

    def detect(x: np.ndarray, *, sr: int, workers: int = 1) -> declick.ClickReport:
        counted.append(x.shape[1] / sr)
        n = int(round(per_min * x.shape[1] / sr / 60.0))
        return declick.ClickReport(np.zeros(n, np.int64), n, per_min, np.full(n, 100.0))

    monkeypatch.setattr(assistant, "detect_clicks", detect)
    x = np.zeros((2, 120 * SR), np.float32)
    everything, clear = assistant._click_rate(x, sr=SR)
    assert clear == pytest.approx(per_min, rel=0.25)
    assert everything == clear
    assert (sum(counted) < assistant.CLICK_ANALYSED_SECONDS - 1) is stops_early
    assert sum(counted) >= assistant.CLICK_MIN_ANALYSED_SECONDS


def test_the_click_count_beside_the_other_measurements_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core import assistant

    x = _with_clicks(_with_hum(_speech()))
    found = []
    for workers in (1, 2):
        monkeypatch.setattr(assistant, "default_workers", lambda w=workers: w)
        found.append(diagnose(x, sr=SR).to_dict())
    assert found[0] == found[1]
    assert found[0]["clicks_per_min"] > 60


def test_clipped_peaks_are_rebuilt_before_any_filter_bends_them() -> None:
    # The de-clipper finds clipping as runs of equal peaks; the DC removal's drift
    # filter leaves no two samples equal, so after it nothing would be rebuilt.
    from core.metrics import si_sdr

    clean = _speech()
    level = np.quantile(np.abs(clean), 0.98)  # 2 % of the samples clip
    clipped = np.clip(clean, -level, level)
    chain = propose_chain(diagnose(clipped, sr=SR))
    types = [s.type for s in chain.steps]
    assert types.index("declip") < types.index("dc")
    restored = restore_array(clipped, sr=SR, chain=chain).restored
    before = si_sdr(clipped[0], clean[0])
    assert si_sdr(restored[0], clean[0]) > before + 3.0


@pytest.mark.parametrize(("seed", "quantile"), [(5, 0.98), (6, 0.97)])
def test_the_corners_of_clipped_peaks_are_not_counted_as_clicks(seed, quantile) -> None:
    # The click search reads the corners of flat tops as clicks; the chain de-clips
    # first, so clicks are counted on what the de-click step would meet.
    clean = speech_like(sr=SR, seconds=8.0, seed=seed)
    level = np.quantile(np.abs(clean), quantile)
    d = diagnose(np.clip(clean, -level, level), sr=SR)
    kinds = {f.kind for f in d.findings()}
    assert "clipping" in kinds and "clicks" not in kinds
    assert "declick" not in [s.type for s in propose_chain(d).steps]
    # Real clicks on clipped speech are still found.
    clicked = _with_clicks(np.clip(clean, -level, level))
    assert "declick" in [s.type for s in propose_chain(diagnose(clicked, sr=SR)).steps]


def test_speech_under_louder_steady_noise_is_still_heard_as_speech() -> None:
    """At -3 dB SNR pink noise fills speech's pauses in the audio; what DeepFilterNet3
    keeps of it still has them (the audio alone reads as music here)."""
    from core.assistant import hear_programme
    from core.model.inference import speech_rhythm
    from core.signals import mix_at_snr, pink_noise
    from core.steps import BuildContext

    x = mix_at_snr(_speech(), pink_noise(sr=SR, seconds=8.0, seed=4), snr_db=-3.0)
    spec = stft(x, config=StftConfig(n_fft=512, hop=128))
    pauses, _ = speech_rhythm(spec, sr=SR, hop=128)
    assert pauses < 0.2  # the pauses the audio's own rhythm needs are gone
    assert hear_programme(x, sr=SR, context=BuildContext()) == "speech"


def test_speech_in_noise_gets_deepfilternet3_alone_and_music_the_mask_model() -> None:
    from core.assistant import hear_programme, resolve_model_steps
    from core.signals import chirp, mix_at_snr, pink_noise
    from core.steps import BuildContext

    context = BuildContext()
    noisy_speech = mix_at_snr(_speech(), pink_noise(sr=SR, seconds=8.0, seed=4), snr_db=5.0)
    d = diagnose(noisy_speech, sr=SR, context=context)
    assert d.programme == "speech" and d.to_dict()["programme"] == "speech"
    (model,) = [s.params for s in propose_chain(d).steps if s.type == "model"]
    # at its own defaults: no reduction limit, no pre-clean
    assert model["model"] == "dfn3" and model["floor_db"] == -100.0
    assert model["pre_clean_db"] == 0.0
    # Held notes without speech's pauses are not speech: the mask model takes them.
    tones = sum(
        chirp(f0=f, f1=f * 1.01, sr=SR, seconds=8.0, amplitude=0.1) for f in (220, 330, 440)
    )
    music = mix_at_snr(tones, pink_noise(sr=SR, seconds=8.0, seed=5), snr_db=15.0)
    assert hear_programme(music, sr=SR, context=context) == "music"
    chain = ChainConfig.from_dict({"steps": [{"type": "model", "params": {"model": "auto"}}]})
    assert chain.chooses_model
    on_music = resolve_model_steps(chain, "music").steps[0].params
    assert on_music["model"] == "default" and on_music["floor_db"] == -30.0
    on_speech = resolve_model_steps(chain, "speech").steps[0].params
    assert on_speech["model"] == "dfn3" and on_speech["floor_db"] == -100.0
    gentle = load_preset("gentle")
    assert resolve_model_steps(gentle, "speech").steps[-1].params["floor_db"] == -12.0


def test_the_denoise_preset_runs_deepfilternet3_on_speech() -> None:
    from core.chain import StepSpec
    from core.model.bundle import DFN3_MODEL, load_bundle
    from core.model.dfn3.runner import Dfn3Runner
    from core.signals import mix_at_snr, pink_noise

    noisy = mix_at_snr(_speech(), pink_noise(sr=SR, seconds=8.0, seed=6), snr_db=5.0)
    out = restore_array(noisy, sr=SR, chain=load_preset("denoise")).restored
    front = restore_array(
        noisy,
        sr=SR,
        chain=ChainConfig([StepSpec("dc"), StepSpec("highpass", {"cutoff_hz": 30.0})]),
    ).restored
    expected = front - Dfn3Runner(load_bundle(DFN3_MODEL)).residual(front, sr=SR)
    np.testing.assert_allclose(out, expected, atol=2e-4)


@pytest.mark.parametrize(("snr", "floor"), [(10.0, -100.0), (24.9, -100.0), (30.0, -20.0)])
def test_light_noise_on_speech_is_reduced_down_to_a_limit(snr: float, floor: float) -> None:
    from core.assistant import Diagnosis

    d = Diagnosis(
        sr=SR, channels=1, duration_s=8.0, hum_hz=None, hum_level_db=-120.0,
        clicks_per_min=0.0, clipped_fraction=0.0, snr_db=snr, bandwidth_hz=7900.0,
        analysed_seconds=8.0, programme="speech",
    )  # fmt: skip
    (model,) = [s for s in propose_chain(d).steps if s.type == "model"]
    assert model.params["model"] == "dfn3"
    assert model.params["floor_db"] == floor


def test_a_chain_that_only_chooses_its_model_hears_without_a_full_diagnosis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import core.assistant
    from core.assistant import hear
    from core.signals import mix_at_snr, pink_noise
    from core.steps import BuildContext

    context = BuildContext()
    noisy = mix_at_snr(_speech(), pink_noise(sr=SR, seconds=8.0, seed=7), snr_db=5.0)
    assert hear(noisy, sr=SR, context=context) == diagnose(noisy, sr=SR, context=context).programme

    def no_diagnosis(*args: object, **kwargs: object) -> None:
        raise AssertionError("the denoise preset needs only the programme")

    monkeypatch.setattr(core.assistant, "diagnose", no_diagnosis)
    out = restore_array(noisy, sr=SR, chain=load_preset("denoise"), context=context).restored
    assert out.shape == noisy.shape
