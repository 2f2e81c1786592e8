"""``examples/seed_pipeline.py`` runs on its own generated data, so the example never rots."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from core.audio.io import info, load
from core.features import estimate_snr_db
from core.model.bundle import load_bundle

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "seed_pipeline.py"
STAGES = (
    "load",
    "preprocess",
    "features",
    "split",
    "network",
    "compile",
    "train",
    "save model",
    "apply",
    "save",
)


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_pipeline", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_seed_pipeline_runs_every_stage_and_restores_the_new_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = _example()
    assert example.main(["--demo", str(tmp_path), "--epochs", "2"]) == 0
    printed = capsys.readouterr().out

    found = re.findall(r"^\[(\d+)/10\] ([a-z ]+): \S", printed, flags=re.MULTILINE)
    assert found == [(str(i + 1), name) for i, name in enumerate(STAGES)], printed

    recording = tmp_path / "demo-data" / "new_recording.wav"
    restored_path = tmp_path / "new_recording_restored.wav"
    original, restored = info(recording), info(restored_path)
    assert (restored.frames, restored.samplerate, restored.channels) == (
        original.frames,
        original.samplerate,
        original.channels,
    )
    before, _ = load(recording)
    after, _ = load(restored_path)
    assert not np.allclose(before, after, atol=1e-3)
    # The network took noise out (a level-free measure: the example normalises first).
    assert (
        estimate_snr_db(after, sr=restored.samplerate)
        > estimate_snr_db(before, sr=original.samplerate) + 2.0
    ), printed

    bundle = load_bundle(tmp_path / "seed_model.keras")
    assert bundle.meta.architecture == "dense"
    loss = bundle.meta.history["loss"]
    assert len(loss) == 2 and loss[-1] < loss[0]

    # A second run writes over nothing: it stops at the first file that exists.
    assert example.main(["--demo", str(tmp_path)]) == 1
    assert "exists" in capsys.readouterr().err
    assert info(restored_path).frames == restored.frames


def test_the_example_asks_for_pairs_recording_and_output_or_demo() -> None:
    example = _example()
    with pytest.raises(SystemExit) as exit_info:
        example.main(["only_one_path"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        example.main(["--demo", "a", "b"])
