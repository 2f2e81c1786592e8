"""The targets table of ``bench/quality.py``: what the model card and docs report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench import quality


@dataclass
class _System:
    key: str
    name: str


def _results(pesq: dict[str, float], keys: list[str]) -> dict[str, dict[str, quality.Cell]]:
    results: dict[str, dict[str, quality.Cell]] = {}
    for key in keys:
        results[key] = {}
        for system, value in pesq.items():
            cell = quality.Cell()
            cell.add({"pesq": value, "stoi": 0.9, "si_sdr": 10.0})
            results[key][system] = cell
    return results


def test_each_target_is_held_against_the_best_peer_and_must_beat_dfn3_strictly() -> None:
    conds = quality.conditions()
    systems = [
        _System("seminario", "SeminarioIA auto"),
        _System("deepfilternet", "DeepFilterNet3"),
        _System("rnnoise", "RNNoise"),
    ]
    pesq = {"seminario": 2.9, "deepfilternet": 2.5, "rnnoise": 2.7}
    rows = quality.targets_table(conds, systems, _results(pesq, [c.key for c in conds]))
    lines = {line.split(" | ")[0].lstrip("| "): line for line in rows.splitlines()[2:]}
    assert lines["Noise conditions, mean PESQ-WB: above DeepFilterNet3"].endswith("| ✓ |")
    # A tie is not "above".
    assert lines["Noise conditions, mean STOI: above DeepFilterNet3"].endswith("| ✗ |")
    hum = lines["Hum + hiss, PESQ-WB: best peer + 0.3"]
    assert "3.00 (RNNoise + 0.3)" in hum and hum.endswith("| ✗ |")
    assert lines["Clean speech in, PESQ-WB ≥ 4.3"].endswith("| ✗ |")
    assert lines["Clean music in, SI-SDR ≥ 20 dB"].endswith("| ✗ |")


def test_rows_whose_conditions_or_peers_did_not_run_are_left_out() -> None:
    conds = [c for c in quality.conditions() if c.key in ("clicks", "clean_speech")]
    seminario = _System("seminario", "SeminarioIA auto")
    results = _results({"seminario": 4.4}, ["clicks", "clean_speech"])
    rows = quality.targets_table(conds, [seminario], results).splitlines()[2:]
    assert [r.split(" | ")[0].lstrip("| ") for r in rows] == ["Clean speech in, PESQ-WB ≥ 4.3"]
    assert quality.targets_table(conds, [_System("rnnoise", "RNNoise")], results) == ""


def _cells(per_file: dict[str, list[float]]) -> dict[str, quality.Cell]:
    row = {}
    for system, values in per_file.items():
        cell = quality.Cell()
        for v in values:
            cell.add({"pesq": v})
        row[system] = cell
    return row


def test_margin_is_paired_file_by_file_with_an_interval_that_can_span_zero() -> None:
    # DeepFilterNet3's files vary a lot, but SeminarioIA is 0.1 above it on every one:
    # pairing sees a sure margin that the two means alone would not show.
    theirs = [1.0, 2.0, 3.0, 4.0, 1.5, 2.5]
    steady = {"hum": _cells({"seminario": [v + 0.1 for v in theirs], "deepfilternet": theirs})}
    margin, low, high = quality.paired_margin(steady, ["hum"], "pesq", "deepfilternet")
    assert abs(margin - 0.1) < 1e-9 and abs(low - 0.1) < 1e-9 and abs(high - 0.1) < 1e-9
    # Better on half the files and worse on the others: the same mean margin, but the
    # interval takes in zero.
    mixed = [v + d for v, d in zip(theirs, (0.6, -0.4, 0.6, -0.4, 0.6, -0.4), strict=True)]
    split = {"hum": _cells({"seminario": mixed, "deepfilternet": theirs})}
    margin, low, high = quality.paired_margin(split, ["hum"], "pesq", "deepfilternet", 0.0)
    assert abs(margin - 0.1) < 1e-9 and low < 0.0 < high


def test_margin_weighs_conditions_alike_and_refuses_unpaired_scores() -> None:
    results = {
        "a": _cells({"seminario": [2.0] * 8}),  # 8 files, 0.5 above the target
        "b": _cells({"seminario": [1.0]}),  # 1 file, 0.5 below it
    }
    margin, _, _ = quality.paired_margin(results, ["a", "b"], "pesq", None, 1.5)
    assert abs(margin) < 1e-9
    unpaired = {"a": _cells({"seminario": [2.0, 2.0], "rnnoise": [1.0]})}
    assert all(np.isnan(quality.paired_margin(unpaired, ["a"], "pesq", "rnnoise")))


def test_the_table_shows_the_margin_and_its_interval() -> None:
    conds = [c for c in quality.conditions() if c.key == "clean_speech"]
    results = {"clean_speech": _cells({"seminario": [4.2, 4.5, 4.4, 4.5]})}
    table = quality.targets_table(conds, [_System("seminario", "SeminarioIA auto")], results)
    row = table.splitlines()[2]
    assert "| 4.40 | 4.30 (target) | +0.10 (" in row and row.endswith("| ✓ |")
