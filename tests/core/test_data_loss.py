"""Issue 26's data losses, each reproduced: nothing the user owns is replaced or lost."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import core.output as guard
from core.audio.io import save
from core.chain import ChainConfig, StepSpec
from core.cli import main
from core.errors import OutputConflictError
from core.pipeline import restore_file
from core.signals import tone

DC = ChainConfig([StepSpec("dc")])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def rec(tmp_path: Path) -> Path:
    return save(tmp_path / "REC.wav", tone(freq=440, sr=8000, seconds=0.5), 8000)


def test_analyze_csv_never_replaces_the_recording(
    rec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rec.read_bytes()
    (tmp_path / "link.csv").symlink_to(rec)
    for target in (rec, tmp_path / "link.csv"):
        for extra in ([], ["--overwrite"]):
            code, _, err = run(capsys, "analyze", str(rec), "--csv", str(target), *extra)
            assert code == 1 and "input file" in err and err.count("\n") == 1, err
    assert rec.read_bytes() == before


def test_analyze_csv_replaces_a_file_only_with_overwrite(
    rec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "frames.csv"
    csv.write_text("my notes")
    code, _, err = run(capsys, "analyze", str(rec), "--csv", str(csv))
    assert code == 1 and "already exists" in err and "--overwrite" in err
    assert csv.read_text() == "my notes"
    code, _, err = run(capsys, "analyze", str(rec), "--csv", str(csv), "--overwrite")
    assert code == 0, err
    assert csv.read_text().startswith("time_s,")


def test_restore_residual_never_replaces_an_existing_file(
    rec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine.wav"
    mine.write_bytes(b"mine")
    out = tmp_path / "out.wav"
    code, _, err = run(
        capsys, "restore", str(rec), "-o", str(out), "--residual", str(mine), "--preset", "dehum"
    )
    assert code == 1 and f"{mine} already exists" in err
    assert mine.read_bytes() == b"mine" and not out.exists()  # checked before any work
    code, _, err = run(
        capsys, "restore", str(rec), "-o", str(out), "--residual", str(mine), "--overwrite",
        "--preset", "dehum", "-q",
    )  # fmt: skip
    assert code == 0, err
    assert mine.read_bytes()[:4] == b"RIFF" and out.exists()


def test_restore_residual_equal_to_output_says_it_is_the_output(
    rec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.wav"
    for residual in (out, tmp_path / "." / "out.wav"):
        code, _, err = run(capsys, "restore", str(rec), "-o", str(out), "--residual", str(residual))
        assert code == 1 and "is the restored output itself" in err and "input" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["REC.wav"]


def test_train_refuses_before_training_when_the_description_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "NAME.json").write_text('{"mine": true}')
    code, _, err = run(
        capsys, "train", "--noisy", str(tmp_path / "none"), "--clean", str(tmp_path / "none"),
        "-o", str(tmp_path / "NAME.keras"), "-q",
    )  # fmt: skip
    # The folders do not exist: the refusal comes first, before anything is read.
    assert code == 1 and "NAME.json already exists" in err, err
    assert (tmp_path / "NAME.json").read_text() == '{"mine": true}'
    assert not (tmp_path / "NAME.keras").exists()


def test_train_never_replaces_the_model_it_fine_tunes(
    tiny_bundle_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tiny_bundle_path.read_bytes()
    code, _, err = run(
        capsys, "train", "--noisy", str(tmp_path), "--clean", str(tmp_path),
        "-o", str(tiny_bundle_path), "--init", str(tiny_bundle_path), "--overwrite", "-q",
    )  # fmt: skip
    assert code == 1 and "input file" in err
    assert tiny_bundle_path.read_bytes() == before


def test_pairs_make_refuses_an_existing_params_json(
    rec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean_in"
    clean.mkdir()
    rec.rename(clean / "a.wav")
    out = tmp_path / "pairs"
    out.mkdir()
    (out / "params.json").write_text('{"seed": 7}')
    code, _, err = run(
        capsys, "pairs", "make", "--clean", str(clean), "-o", str(out), "--count", "1", "-q"
    )
    assert code == 1 and "params.json already exists" in err and "empty folder" in err
    assert (out / "params.json").read_text() == '{"seed": 7}'
    assert sorted(p.name for p in out.iterdir()) == ["params.json"]


def test_two_restores_onto_one_new_name_one_wins(
    rec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.wav"
    publish = guard.publish
    both_done = threading.Barrier(2)

    def publish_together(tmp: Path, path: Path, *, overwrite: bool) -> Path:
        both_done.wait(timeout=60)  # both passed the check and wrote everything
        return publish(tmp, path, overwrite=overwrite)

    monkeypatch.setattr(guard, "publish", publish_together)
    results: list[object] = []

    def restore(gain: float) -> None:
        chain = ChainConfig([StepSpec("normalize", {"mode": "peak", "target": gain})])
        try:
            results.append(restore_file(rec, out, chain))
        except OutputConflictError as exc:
            results.append(exc)

    threads = [threading.Thread(target=restore, args=(g,)) for g in (-1.0, -20.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [r for r in results if isinstance(r, OutputConflictError)]
    assert len(results) == 2 and len(conflicts) == 1, results
    assert "was kept" in str(conflicts[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["REC.wav", "out.wav"]


def test_json_reports_pass_through_the_guard(rec: Path, tmp_path: Path) -> None:
    from core.features import summarize

    summary = summarize(tone(freq=440, sr=8000, seconds=0.5), sr=8000)
    path = summary.to_json(tmp_path / "s.json")
    assert json.loads(path.read_text())["sr"] == 8000
    with pytest.raises(Exception, match="already exists"):
        summary.to_json(path)
