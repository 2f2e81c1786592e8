"""Block-wise processing tiles the signal exactly and hides block edges."""

from __future__ import annotations

import numpy as np
import pytest

from core.dsp.blockwise import array_reader, process_blocks


@pytest.mark.parametrize("total", [1, 99, 100, 101, 1234])
def test_identity_processing_reproduces_the_signal_exactly(total: int) -> None:
    x = np.random.default_rng(total).standard_normal((2, total)).astype(np.float32)
    pieces = list(
        process_blocks(array_reader(x), total, lambda b: b, block=100, margin=30, crossfade=20)
    )
    starts = [s for s, _ in pieces]
    assert starts == list(range(0, total, 100))
    np.testing.assert_allclose(np.concatenate([p for _, p in pieces], axis=1), x, atol=1e-6)


def test_blocks_see_their_margins_and_edges_are_crossfaded() -> None:
    x = np.ones((1, 300), np.float32)
    seen = []

    def process(block: np.ndarray) -> np.ndarray:
        seen.append(block.shape[1])
        return block * len(seen)  # each block scales differently: a visible seam

    out = np.concatenate(
        [
            p
            for _, p in process_blocks(
                array_reader(x), 300, process, block=100, margin=10, crossfade=10
            )
        ],
        axis=1,
    )
    assert seen == [110, 120, 110]  # full margins inside, none past the ends (no padding)
    assert out[0, 50] == 1 and out[0, 150] == 2 and out[0, 250] == 3
    ramp = out[0, 100:110]
    assert np.all(np.diff(ramp) > 0) and 1 < ramp[0] < ramp[-1] < 2  # smooth, not a step


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        list(
            process_blocks(
                array_reader(np.zeros((1, 5), np.float32)),
                5,
                lambda b: b,
                block=2,
                margin=1,
                crossfade=2,
            )
        )
