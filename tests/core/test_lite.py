"""The light runtime (issue 30): every built-in model has a LiteRT form that agrees with
its Keras network on real-like audio, bundles get theirs at save time, old bundles still
run through Keras, and restores, batch workers and the GUI's preview run without
importing TensorFlow."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.errors import ModelFormatError
from core.metrics import si_sdr
from core.model.bundle import (
    BUILTIN_MODELS,
    DFN3_MODEL,
    KerasFallbackWarning,
    load_bundle,
    load_meta,
    meta_path,
)
from core.model.lite import MIN_AGREEMENT_DB, RUNTIME_ENV, lite_path
from core.signals import mix_at_snr, pink_noise, speech_like

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "dfn3_golden.flac"


def _noisy(sr: int, seconds: float, seed: int) -> np.ndarray:
    """``(2, n)`` speech-like stereo in pink noise at 5 dB."""
    rows = [
        mix_at_snr(
            speech_like(sr=sr, seconds=seconds, seed=seed + c),
            pink_noise(sr=sr, seconds=seconds, seed=seed + 10 + c),
            snr_db=5.0,
        )[0]
        for c in range(2)
    ]
    return np.stack(rows).astype(np.float32)


@pytest.mark.parametrize("name", sorted(BUILTIN_MODELS))
def test_every_built_in_model_has_a_light_form_named_in_its_description(name: str) -> None:
    meta = load_meta(name)
    assert meta.light_form == f"{name}.tflite"
    bundle = load_bundle(name)
    assert bundle.runtime == "litert" and bundle.model is None


def test_the_light_dfn3_matches_keras_on_the_golden_clip_and_across_stretches() -> None:
    """The recorded noisy speech of the port's golden clip (DeepFilterNet's own test
    audio), run stretch by stretch: the carried state must match too."""
    from core.model.dfn3.runner import STRETCH_FRAMES, Dfn3Runner

    noisy = sf.read(GOLDEN, dtype="float32")[0][:, 0]
    assert noisy.size > 2 * STRETCH_FRAMES * 480  # several stretches
    x = np.stack([noisy, 0.5 * np.roll(noisy, 100)])
    light = Dfn3Runner(load_bundle(DFN3_MODEL)).enhance(x)
    heavy = Dfn3Runner(load_bundle(DFN3_MODEL, runtime="keras")).enhance(x)
    for c in range(2):
        assert si_sdr(light[c], heavy[c]) >= MIN_AGREEMENT_DB
    assert si_sdr(light[0], noisy) < 25.0  # and the model did change it


@pytest.mark.parametrize("name", ["default", "speech"])
def test_the_light_mask_models_match_keras_through_the_model_step(name: str) -> None:
    from core.model.inference import Enhancer

    x = _noisy(44100, 12.0, seed=3)  # long enough to be masked in chunks
    kw = {"pre_clean_db": 12.0} if name == "speech" else {}

    def residual(runtime: str) -> np.ndarray:
        bundle = load_bundle("default", runtime=runtime)
        speech = load_bundle(name, runtime=runtime) if name == "speech" else None
        return Enhancer(bundle, speech_bundle=speech, **kw).residual(x, sr=44100)

    light, heavy = residual("litert"), residual("keras")
    assert si_sdr(light, heavy) >= MIN_AGREEMENT_DB
    assert np.sqrt(np.mean(heavy**2)) > 0.01 * np.sqrt(np.mean(x**2))  # it removed some


def test_saving_writes_the_light_form_with_the_rest_and_it_runs(tiny_bundle_path: Path) -> None:
    light = lite_path(tiny_bundle_path)
    assert light.exists()
    data = json.loads(meta_path(tiny_bundle_path).read_text())
    assert data["light_form"] == {"runtime": "litert", "file": light.name}
    x = np.random.default_rng(2).standard_normal((3, 90, 129)).astype(np.float32)
    got = load_bundle(tiny_bundle_path).predict(x)
    want = load_bundle(tiny_bundle_path, runtime="keras").predict(x)
    assert si_sdr(got, want) >= MIN_AGREEMENT_DB


def test_a_failed_save_leaves_no_light_form_behind(tiny_bundle_path: Path, tmp_path: Path) -> None:
    from core.model.bundle import save_bundle

    bundle = load_bundle(tiny_bundle_path, runtime="keras")
    target = tmp_path / "m.keras"
    lite_path(target).write_bytes(b"someone else's")
    with pytest.raises(Exception, match="exists"):
        save_bundle(bundle, target)
    assert not target.exists() and not meta_path(target).exists()
    assert lite_path(target).read_bytes() == b"someone else's"


def test_an_old_bundle_runs_through_keras_says_so_once_and_converts(
    tiny_bundle_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.cli import main

    old = tmp_path / "old.keras"
    shutil.copy(tiny_bundle_path, old)
    data = json.loads(meta_path(tiny_bundle_path).read_text())
    del data["light_form"]
    meta_path(old).write_text(json.dumps(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, second = load_bundle(old), load_bundle(old)
    told = [w for w in caught if issubclass(w.category, KerasFallbackWarning)]
    assert len(told) == 1 and "seminario model convert" in str(told[0].message)
    assert first.runtime == second.runtime == "keras"

    assert main(["model", "convert", str(old)]) == 0
    assert lite_path(old).exists() and "old.tflite" in capsys.readouterr().out
    converted = load_bundle(old)
    assert converted.runtime == "litert"
    x = np.random.default_rng(4).standard_normal((1, 60, 129)).astype(np.float32)
    assert si_sdr(converted.predict(x), first.predict(x)) >= MIN_AGREEMENT_DB
    assert main(["model", "convert", str(old)]) == 0  # again: replaces its own form


def test_a_light_form_that_does_not_fit_the_description_is_refused(
    tiny_bundle_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "tiny.keras"
    shutil.copy(tiny_bundle_path, copy)
    shutil.copy(meta_path(tiny_bundle_path), meta_path(copy))
    default = ROOT / "resources" / "models" / "default.tflite"
    shutil.copy(default, lite_path(copy))  # 257 bins; the description says 129
    with pytest.raises(ModelFormatError, match="129"):
        load_bundle(copy)
    lite_path(copy).write_bytes(b"not a model")
    with pytest.raises(ModelFormatError, match="not a LiteRT model"):
        load_bundle(copy)


def test_the_keras_runtime_can_be_chosen_for_benchmarks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RUNTIME_ENV, "keras")
    assert load_bundle("default").runtime == "keras"
    monkeypatch.setenv(RUNTIME_ENV, "onnx")
    with pytest.raises(ModelFormatError, match=RUNTIME_ENV):
        load_bundle("default")


def without_tensorflow(code: str, tmp_path: Path) -> None:
    """Run ``code`` in a fresh interpreter that refuses to import TensorFlow or Keras."""
    refusing(("tensorflow", "keras"), code, tmp_path)


def refusing(modules: tuple[str, ...], code: str, tmp_path: Path) -> None:
    """Run ``code`` in a fresh interpreter that refuses to import ``modules`` (and what
    lies under them)."""
    guard = (
        "import sys, importlib.abc\n"
        f"REFUSED = {modules!r}\n"
        "def refused(name):\n"
        "    return any(name == m or name.startswith(m + '.') for m in REFUSED)\n"
        "class _Refuse(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if refused(name):\n"
        "            raise ImportError(f'{name} imported during a restore')\n"
        "sys.meta_path.insert(0, _Refuse())\n"
    )
    check = "\nassert not {m for m in sys.modules if refused(m)}\n"
    proc = subprocess.run(
        [sys.executable, "-c", guard + code + check],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**_env(), "SEMINARIO_TMP": str(tmp_path)},
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != RUNTIME_ENV}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _write_noisy(path: Path, sr: int, seconds: float) -> None:
    sf.write(path, _noisy(sr, seconds, seed=11).T, sr, subtype="PCM_16")


def test_a_restore_with_every_built_in_model_runs_without_tensorflow(tmp_path: Path) -> None:
    """The ``auto`` preset hears the programme with both the mask model and DeepFilterNet3
    (the assistant's judgements) and restores with one of them; ``denoise`` too."""
    _write_noisy(tmp_path / "in.wav", 48000, 8.0)
    without_tensorflow(
        "import os\n"
        "from pathlib import Path\n"
        "from core.chain import load_preset\nfrom core.pipeline import restore_file\n"
        "from core.assistant import programme_gap_db\n"
        "from core.steps import BuildContext\n"
        "import soundfile as sf\n"
        "d = Path(os.environ['SEMINARIO_TMP'])\n"
        "for p in ('auto', 'denoise'):\n"
        "    restore_file(d / 'in.wav', d / f'{p}.wav', chain=load_preset(p))\n"
        "x, sr = sf.read(d / 'in.wav', dtype='float32')\n"
        "assert programme_gap_db(x.T, sr=sr, context=BuildContext()) is not None\n",
        tmp_path,
    )
    assert (tmp_path / "auto.wav").exists() and (tmp_path / "denoise.wav").exists()


def test_a_batch_worker_runs_without_tensorflow(tmp_path: Path) -> None:
    """A batch worker is a fresh process calling :func:`core.pipeline.restore_file`
    (``core.batch`` is another issue's; its workers call this)."""
    _write_noisy(tmp_path / "a.flac", 44100, 5.0)
    without_tensorflow(
        "import os\n"
        "from pathlib import Path\n"
        "from core.chain import load_preset\nfrom core.pipeline import restore_file\n"
        "d = Path(os.environ['SEMINARIO_TMP'])\n"
        "restore_file(d / 'a.flac', d / 'a_out.flac', chain=load_preset('default'))\n",
        tmp_path,
    )
    assert (tmp_path / "a_out.flac").exists()


def test_the_apps_preload_imports_neither_tensorflow_nor_scipy(tmp_path: Path) -> None:
    """The window loads the models in the background right after it appears; importing
    either holds the GIL for long stretches (the idle window stalled)."""
    without_tensorflow(
        "from core.steps import BuildContext, preload_models\n"
        "ctx = BuildContext()\n"
        "preload_models(ctx)\n"
        "assert len(ctx.bundles) == 3 and 'scipy' not in sys.modules, sorted(sys.modules)\n",
        tmp_path,
    )


def test_the_everyday_presets_restore_without_importing_scipy_signal(tmp_path: Path) -> None:
    """Importing ``scipy.signal`` takes 0.4 s (SciPy 1.17 brings its statistics,
    optimisation and interpolation packages along), a tenth of a one-minute restore:
    finding hum and clicks, the filters and DeepFilterNet3's features do without it."""
    _write_noisy(tmp_path / "in.wav", 48000, 8.0)
    refusing(
        ("scipy.signal",),
        "import os\n"
        "from pathlib import Path\n"
        "from core.chain import load_preset\nfrom core.pipeline import restore_file\n"
        "d = Path(os.environ['SEMINARIO_TMP'])\n"
        "for p in ('auto', 'denoise', 'default', 'gentle'):\n"
        "    restore_file(d / 'in.wav', d / f'{p}.wav', chain=load_preset(p))\n",
        tmp_path,
    )
    assert all((tmp_path / f"{p}.wav").exists() for p in ("auto", "denoise", "default", "gentle"))
