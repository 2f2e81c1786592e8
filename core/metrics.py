"""Objective quality measures used by training reports, tests and benchmarks."""

from __future__ import annotations

import numpy as np


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019).

    Both arrays are flattened and cut to the shorter length; means are removed.
    """
    est = np.asarray(estimate, dtype=np.float64).ravel()
    ref = np.asarray(reference, dtype=np.float64).ravel()
    n = min(est.size, ref.size)
    est, ref = est[:n] - est[:n].mean(), ref[:n] - ref[:n].mean()
    ref_energy = float(np.dot(ref, ref))
    if ref_energy <= 0.0:
        return float("nan")
    target = (np.dot(est, ref) / ref_energy) * ref
    noise = est - target
    return float(10 * np.log10((np.dot(target, target) + 1e-20) / (np.dot(noise, noise) + 1e-20)))
