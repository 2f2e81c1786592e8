"""The recording's view cache: keyed by the restoration object, bounded, emptied when the
restoration changes (so an undone restoration's pictures are never shown for another)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.document import (
    RESTORATION_ENTRIES,
    ApplyRestorationCommand,
    Recording,
    Restoration,
    StrengthCommand,
    ViewCache,
)


def _restoration(value: float = 0.1) -> Restoration:
    restored = np.full((1, 100), value, np.float32)
    return Restoration(restored, np.zeros_like(restored), {"name": "x", "steps": []})


def _recording() -> Recording:
    return Recording(path=Path("x.wav"), original=np.zeros((1, 100), np.float32), sr=100)


def test_entries_are_keyed_by_the_restoration_object_not_its_content() -> None:
    cache = ViewCache()
    a, b = _restoration(), _restoration()
    cache["spec", "restored", a, 1.0] = "picture of a"
    assert ("spec", "restored", a, 1.0) in cache
    assert ("spec", "restored", b, 1.0) not in cache  # equal arrays, another restoration
    assert a != b and a == a


def test_entries_of_restorations_are_bounded_and_fixed_ones_kept() -> None:
    cache = ViewCache()
    cache["spec", "original"] = "original picture"
    r = _restoration()
    for i in range(3 * RESTORATION_ENTRIES):
        cache["spec", "restored", r, i / 100] = i
    assert len(cache) == RESTORATION_ENTRIES + 1
    assert cache["spec", "original"] == "original picture"
    assert ("spec", "restored", r, 0.0) not in cache  # the oldest went first
    last = 3 * RESTORATION_ENTRIES - 1
    assert cache["spec", "restored", r, last / 100] == last


def test_a_new_or_undone_restoration_empties_what_was_kept_of_the_old_one() -> None:
    doc = _recording()
    refreshed: list[Recording] = []
    first = _restoration(0.1)
    apply_first = ApplyRestorationCommand(doc, first, refreshed.append)
    apply_first.redo()
    doc.cache["spec", "original"] = "original picture"
    doc.cache["analysis", first, 1.0] = "analysis of the first"
    assert doc.restored is first.restored  # mixed once, cached under the object
    strength = StrengthCommand(doc, 0.5, refreshed.append)
    strength.redo()
    doc.cache["spec", "restored", first, 0.5] = "picture at 50 %"
    strength.undo()  # the same restoration: its entries stay
    assert ("spec", "restored", first, 0.5) in doc.cache

    apply_first.undo()  # back to no restoration
    assert doc.restoration is None
    assert [k for k in doc.cache if first in k] == []
    assert doc.cache["spec", "original"] == "original picture"
    second = _restoration(0.2)
    ApplyRestorationCommand(doc, second, refreshed.append).redo()
    assert ("analysis", second, 1.0) not in doc.cache
    np.testing.assert_array_equal(doc.restored, second.restored)
    assert len(refreshed) == 5
