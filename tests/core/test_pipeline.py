"""Restoration chains: configuration, presets, and streamed file/array execution."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from core import pipeline
from core.audio.io import info, load, save
from core.chain import ChainConfig, StepSpec, list_presets, load_preset
from core.dsp.loudness import integrated_loudness
from core.errors import Cancelled, ConfigError, UnsafeOutputError
from core.pipeline import restore_array, restore_file
from core.progress import CancelToken
from core.signals import speech_like, tone, white_noise
from core.strength import removal_share


def chain(*steps: dict) -> ChainConfig:
    return ChainConfig.from_dict({"version": 1, "steps": list(steps)})


def test_chain_round_trips_through_json_with_defaults_filled(tmp_path: Path) -> None:
    c = chain(
        {"type": "highpass", "params": {"cutoff_hz": 80}}, {"type": "normalize", "bypass": True}
    )
    assert c.steps[0].params == {"cutoff_hz": 80.0}
    assert c.steps[1].params == {"mode": "peak", "target": -1.0} and c.steps[1].bypass
    path = tmp_path / "c.json"
    path.write_text(json.dumps(c.to_dict()))
    assert ChainConfig.from_json(path).to_dict() == c.to_dict()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"steps": [{"type": "reverse"}]}, "unknown step"),
        ({"steps": [{"type": "highpass", "params": {"cutof_hz": 80}}]}, "no parameter"),
        ({"steps": [{"type": "highpass", "params": {"cutoff_hz": 5}}]}, "between"),
        ({"steps": [{"type": "highpass", "params": {"cutoff_hz": "low"}}]}, "number"),
        ({"steps": [{"type": "normalize", "params": {"mode": "loud"}}]}, "one of"),
        ({"steps": [{"params": {}}]}, 'needs a "type"'),
        ({"version": 9, "steps": []}, "version"),
        ([1, 2], "JSON object"),
    ],
)
def test_invalid_chains_say_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ChainConfig.from_dict(data)


def test_chain_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        ChainConfig.from_json(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="cannot read"):
        ChainConfig.from_json(bad)


def test_presets_ship_and_validate() -> None:
    names = list_presets()
    assert {"default", "gentle", "normalize"} <= set(names)
    for name in names:
        assert load_preset(name).steps
    with pytest.raises(ConfigError, match="unknown preset"):
        load_preset("nope")
    assert load_preset("default").with_model("x.keras").steps[-1].params["model"] == "x.keras"


def test_a_users_own_model_replaces_the_speech_model_too() -> None:
    chain = ChainConfig([StepSpec("model", {"pre_clean_db": 12.0, "speech_model": "built-in"})])
    assert chain.with_model("default").steps[0].params["speech_model"] == "built-in"
    own = chain.with_model("mine.keras").steps[0].params
    assert own["model"] == "mine.keras" and own["speech_model"] == "off"


def _write(path: Path, audio: np.ndarray, sr: int) -> Path:
    return save(path, audio, sr, subtype="FLOAT")


def test_restore_file_leaves_input_untouched_and_writes_restored_plus_residual(
    tmp_path: Path, tiny_bundle_path: Path
) -> None:
    sr = 22050
    x = np.concatenate([speech_like(sr=sr, seconds=3), white_noise(sr=sr, seconds=3)]) * 0.5
    src = _write(tmp_path / "in.wav", x, sr)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    c = chain(
        {"type": "dc"},
        {"type": "highpass"},
        {"type": "model", "params": {"model": str(tiny_bundle_path)}},
    )
    report = restore_file(src, tmp_path / "out.wav", c, residual_path=tmp_path / "res.wav")
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest
    out, out_sr = load(report.output)
    res, _ = load(tmp_path / "res.wav")
    assert out_sr == sr and out.shape == x.shape
    assert info(report.output).subtype == "FLOAT"  # float input stays float
    np.testing.assert_allclose(out + res, x, atol=1e-5)
    assert report.duration_s == pytest.approx(3.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav", "out.wav", "res.wav"]


def test_restore_file_matches_restore_array_and_small_blocks(
    tmp_path: Path, tiny_bundle_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sr = 16000
    x = speech_like(sr=sr, seconds=5) + white_noise(sr=sr, seconds=5, amplitude=0.03)
    c = chain(
        {"type": "highpass", "params": {"cutoff_hz": 60}},
        {"type": "model", "params": {"model": str(tiny_bundle_path)}},
        {"type": "normalize", "params": {"mode": "peak", "target": -3.0}},
    )
    big = restore_array(x, sr=sr, chain=c).restored
    monkeypatch.setattr(pipeline, "BLOCK_SECONDS", 0.7)  # many blocks, a temp file between passes
    src = _write(tmp_path / "in.wav", x, sr)
    restore_file(src, tmp_path / "out.wav", c)
    small, _ = load(tmp_path / "out.wav")
    assert np.max(np.abs(small)) == pytest.approx(10 ** (-3 / 20), abs=2e-3)
    err = np.sqrt(np.mean((big - small) ** 2)) / np.sqrt(np.mean(big**2))
    assert err < 0.01


def test_blocks_on_several_threads_give_exactly_the_one_thread_output(
    tiny_bundle_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sr = 16000
    x = speech_like(sr=sr, seconds=6) + white_noise(sr=sr, seconds=6, amplitude=0.03)
    x = np.vstack([x, 0.7 * np.roll(x, 40, axis=1)])
    c = chain(
        {"type": "dc"},
        {"type": "dehum", "params": {"mains": "50"}},
        {"type": "model", "params": {"model": str(tiny_bundle_path)}},
        {"type": "normalize", "params": {"mode": "peak", "target": -3.0}},
    )
    monkeypatch.setattr(pipeline, "BLOCK_SECONDS", 1.3)  # five blocks
    outputs = []
    for workers in (1, 2, 3):
        monkeypatch.setattr(pipeline, "default_workers", lambda w=workers: w)
        outputs.append(restore_array(x, sr=sr, chain=c))
    for r in outputs[1:]:
        np.testing.assert_array_equal(r.restored, outputs[0].restored)
        np.testing.assert_array_equal(r.residual, outputs[0].residual)


def test_normalize_modes_hit_their_targets() -> None:
    sr = 48000
    x = np.concatenate([speech_like(sr=sr, seconds=4), speech_like(sr=sr, seconds=4, seed=3)]) * 0.2
    lufs = restore_array(
        x, sr=sr, chain=chain({"type": "normalize", "params": {"mode": "lufs", "target": -23}})
    ).restored
    assert integrated_loudness(lufs, sr=sr) == pytest.approx(-23.0, abs=0.1)
    rms = restore_array(
        x, sr=sr, chain=chain({"type": "normalize", "params": {"mode": "rms", "target": -30}})
    ).restored
    assert 20 * np.log10(np.sqrt(np.mean(rms.astype(np.float64) ** 2))) == pytest.approx(
        -30, abs=0.01
    )


def test_residual_scales_with_gain_and_strength() -> None:
    sr = 16000
    x = tone(freq=20, sr=sr, seconds=2) + tone(freq=1000, sr=sr, seconds=2)
    c = chain(
        {"type": "highpass", "params": {"cutoff_hz": 200}},
        {"type": "normalize", "params": {"mode": "peak", "target": -6}},
    )
    restoration = restore_array(x, sr=sr, chain=c)
    out, res = restoration.restored, restoration.residual
    # restored + residual is the original times the normalisation gain:
    g = float(np.dot((out + res).ravel(), x.ravel()) / np.dot(x.ravel(), x.ravel()))
    np.testing.assert_allclose(out + res, g * x, atol=1e-4)
    assert np.max(np.abs(out)) == pytest.approx(10 ** (-6 / 20), abs=1e-3)
    half, _ = restoration.mix(0.5)
    # at half strength the 20 Hz rumble is about 20 dB down (core.strength), not 6
    spectrum = np.abs(np.fft.rfft(half[0]))
    freqs = np.fft.rfftfreq(half.shape[1], 1 / sr)
    rumble = spectrum[np.argmin(np.abs(freqs - 20))] / spectrum[np.argmin(np.abs(freqs - 1000))]
    assert rumble == pytest.approx(1.0 - removal_share(0.5), abs=0.02)
    assert 0.05 < rumble < 0.15


def test_bypassed_steps_do_nothing() -> None:
    x = white_noise(sr=16000, seconds=1)
    r = restore_array(x, sr=16000, chain=chain({"type": "highpass", "bypass": True}))
    out, res = r.restored, r.residual
    np.testing.assert_array_equal(out, x)
    assert not res.any()


def test_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.wav", white_noise(sr=16000, seconds=1), 16000)
    before = src.read_bytes()
    with pytest.raises(UnsafeOutputError):
        restore_file(src, src, load_preset("normalize"))
    with pytest.raises(UnsafeOutputError):
        restore_file(src, tmp_path / "out.wav", load_preset("normalize"), residual_path=src)
    assert src.read_bytes() == before


def test_cancel_leaves_no_output_and_progress_is_monotonic(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "BLOCK_SECONDS", 0.5)
    src = _write(tmp_path / "in.wav", white_noise(sr=16000, seconds=5), 16000)
    seen: list[float] = []
    token = CancelToken()

    def progress(fraction: float, message: str = "") -> None:
        seen.append(fraction)
        if fraction > 0.5:
            token.cancel()

    c = chain({"type": "highpass"}, {"type": "normalize"})
    with pytest.raises(Cancelled):
        restore_file(
            src,
            tmp_path / "out.wav",
            c,
            residual_path=tmp_path / "r.wav",
            progress=progress,
            cancel=token,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav"]
    assert seen == sorted(seen) and 0.5 < seen[-1] < 1.0

    seen.clear()
    restore_file(src, tmp_path / "out.wav", c, progress=lambda f, m="": seen.append(f))
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_flac_and_pcm_outputs(tmp_path: Path) -> None:
    src = save(tmp_path / "in.wav", white_noise(sr=16000, seconds=1), 16000, subtype="PCM_16")
    report = restore_file(src, tmp_path / "out.flac", load_preset("normalize"))
    assert info(report.output).format == "FLAC" and info(report.output).subtype == "PCM_24"
    restore_file(src, tmp_path / "o16.wav", load_preset("normalize"), subtype="PCM_16")
    assert info(tmp_path / "o16.wav").subtype == "PCM_16"


def test_step_specs_serialise() -> None:
    assert StepSpec("dc").to_dict() == {"type": "dc", "params": {}, "bypass": False}


@pytest.mark.parametrize("samples", [1, 100, 5000])
def test_every_repair_step_copes_with_very_short_input(samples: int) -> None:
    from core.steps import STEP_TYPES

    x = white_noise(sr=16000, seconds=samples / 16000, amplitude=0.1)
    for name, kind in STEP_TYPES.items():
        if kind.kind != "repair" or name == "model":
            continue
        chain = ChainConfig.from_dict({"steps": [{"type": name}]})
        out = restore_array(x, sr=16000, chain=chain).restored
        assert out.shape == x.shape and np.all(np.isfinite(out)), name


def test_a_model_loaded_ahead_on_another_thread_is_loaded_once(monkeypatch) -> None:
    import threading
    import time

    import core.model.bundle as bundle_module
    from core.steps import BuildContext

    calls = []

    def slow_load(spec: str) -> object:
        calls.append(spec)
        time.sleep(0.2)  # a restore asks while the preload is still loading
        return object()

    monkeypatch.setattr(bundle_module, "load_bundle", slow_load)
    context = BuildContext()
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(context.bundle("default")))]
    threads.append(threading.Thread(target=lambda: got.append(context.bundle("default"))))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["default"] and got[0] is got[1]


@pytest.mark.parametrize("runtime", ["keras", "litert"])
def test_warming_loads_the_model_and_builds_its_graph(
    runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.progress import CancelToken
    from core.steps import BuildContext

    stopped = CancelToken()
    stopped.cancel()
    context = BuildContext()
    with pytest.raises(Cancelled):
        context.warm(["default"], cancel=stopped)
    assert context.bundles == {}
    monkeypatch.setenv("SEMINARIO_MODEL_RUNTIME", runtime)
    context.warm(["default"])
    (bundle,) = context.bundles.values()
    assert bundle.runtime == runtime
    if runtime == "keras":
        assert bundle._predict is not None  # the first restore traces nothing


def test_progress_names_the_steps_running_and_rises(tmp_path: Path, tiny_bundle_path: Path) -> None:
    """What a progress bar shows: which steps run now (and the assistant listening first,
    for an adaptive chain), with fractions that only rise, ending at 1."""
    sr = 16000
    x = speech_like(sr=sr, seconds=4) + white_noise(sr=sr, seconds=4, amplitude=0.01)
    c = chain(
        {"type": "highpass", "params": {"cutoff_hz": 60}},
        {"type": "gate"},
        {"type": "normalize", "params": {"mode": "peak", "target": -3.0}},
        {"type": "dc"},
    )
    seen: list[tuple[float, str]] = []
    restore_file(
        _write(tmp_path / "in.wav", x, sr),
        tmp_path / "out.wav",
        c,
        progress=lambda f, m="": seen.append((f, m)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    messages = [m for _, m in seen]
    first = "High-pass (rumble filter) · Spectral noise gate · Normalise level"
    assert messages[0] == first and messages[-1] == "Remove DC offset"
    assert set(messages) == {first, "Remove DC offset"}

    adaptive: list[tuple[float, str]] = []
    auto = ChainConfig([StepSpec("model", {"model": str(tiny_bundle_path)})], adaptive=True)
    restore_array(x, sr=sr, chain=auto, progress=lambda f, m="": adaptive.append((f, m)))
    assert adaptive[0][1] in {"estimating noise", "measuring the band"}
    listening = [f for f, m in adaptive if m in {"estimating noise", "looking for hum"}]
    assert max(listening) <= pipeline.LISTENING_SHARE + 1e-9
    assert [f for f, _ in adaptive] == sorted(f for f, _ in adaptive)


def test_a_region_is_restored_alone_and_the_rest_stays_bit_identical() -> None:
    sr = 16000
    x = speech_like(sr=sr, seconds=6) + white_noise(sr=sr, seconds=6, amplitude=0.05)
    x = np.concatenate([x, x[::-1] * 0.5])  # stereo
    c = chain({"type": "highpass", "params": {"cutoff_hz": 400}}, {"type": "gate"})
    start, stop = 2 * sr + 123, 4 * sr
    region = pipeline.restore_region(x, sr=sr, chain=c, start=start, stop=stop)
    for strength in (1.0, 0.4):
        out, removed = region.mix(strength)
        np.testing.assert_array_equal(out[:, :start], x[:, :start])
        np.testing.assert_array_equal(out[:, stop:], x[:, stop:])
        assert not removed[:, :start].any() and not removed[:, stop:].any()
    whole = restore_array(x, sr=sr, chain=c).restored
    fade = int(pipeline.REGION_FADE_SECONDS * sr)
    middle = slice(start + fade, stop - fade)
    # inside, away from the fades, it is the chain's own result (it heard enough context)
    err = np.abs(region.restored[:, middle] - whole[:, middle]).max()
    assert err < 1e-3 * np.abs(whole[:, middle]).max()
    np.testing.assert_allclose(region.restored + region.residual, x, atol=1e-5)
    with pytest.raises(ConfigError, match="region"):
        pipeline.restore_region(x, sr=sr, chain=c, start=stop, stop=start)
