"""The targets table of ``bench/quality.py``: what the model card and docs report."""

from __future__ import annotations

from dataclasses import dataclass

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
