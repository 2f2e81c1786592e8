"""One meaning of strength (core.strength)."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import ConfigError
from core.strength import STRENGTH_RANGE_DB, removal_share


def test_the_ends_are_exact_and_the_share_rises_monotonically() -> None:
    assert removal_share(0.0) == 0.0 and removal_share(1.0) == 1.0
    shares = [removal_share(s) for s in np.linspace(0, 1, 101)]
    assert all(b > a for a, b in zip(shares, shares[1:], strict=False))


def test_what_is_left_falls_in_decibels_along_the_range() -> None:
    for s in (0.25, 0.5):
        left_db = 20 * np.log10(1.0 - removal_share(s))
        assert left_db == pytest.approx(-s * STRENGTH_RANGE_DB, abs=1.0)
    # towards full strength it falls faster, to nothing at 1
    assert 20 * np.log10(1.0 - removal_share(0.75)) < -0.75 * STRENGTH_RANGE_DB


@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan")])
def test_out_of_range_strength_is_a_config_error(bad: float) -> None:
    with pytest.raises(ConfigError, match="strength"):
        removal_share(bad)
