"""What the strength control means, for every chain, model and view.

Strength ``s`` in [0, 1] takes out a share of what the restoration removes; the share
rises so that what is left of the removed part falls by about ``s`` times
:data:`STRENGTH_RANGE_DB`: half strength leaves the noise about 20 dB down, as
DeepFilterNet's attenuation limit does, instead of halving the reduction (6 dB).
"""

from __future__ import annotations

import numpy as np

from core.errors import ConfigError

STRENGTH_RANGE_DB = 40.0
"""Reduction (dB) of what is removed, spread over the strength range below full strength."""


def check_strength(strength: float) -> float:
    """``strength`` as a float, or :class:`ConfigError` if it is outside [0, 1]."""
    if not 0.0 <= strength <= 1.0:
        raise ConfigError(f"strength must be between 0 and 1, got {strength}")
    return float(strength)


def removal_share(strength: float) -> float:
    """Share of the removed signal taken out at ``strength``: 0 at 0, exactly 1 at 1,
    ``1 - 10^(-s R / 20)`` scaled to reach 1 in between (``R`` the range)."""
    s = check_strength(strength)
    if s in (0.0, 1.0):
        return s
    full = 1.0 - 10.0 ** (-STRENGTH_RANGE_DB / 20.0)
    return (1.0 - 10.0 ** (-s * STRENGTH_RANGE_DB / 20.0)) / full


def mix(
    restored: np.ndarray, residual: np.ndarray, *, strength: float
) -> tuple[np.ndarray, np.ndarray]:
    """A full-strength restoration heard at ``strength``: the one blend every caller uses
    (CLI, window preview and export, batch).

    Parameters
    ----------
    restored : float32 ``(channels, samples)``, the chain's output at full strength
    residual : float32, same shape, what the chain's repair steps removed
        (``restored + residual`` is the input, times any gain step's gain)
    strength : in [0, 1]

    Returns
    -------
    ``(restored, removed)`` at ``strength``: ``restored + (1 - k) residual`` and
    ``k residual``, ``k = removal_share(strength)``; at 1 the inputs themselves.
    """
    share = removal_share(strength)
    if share == 1.0:
        return restored, residual
    return restored + np.float32(1.0 - share) * residual, np.float32(share) * residual
