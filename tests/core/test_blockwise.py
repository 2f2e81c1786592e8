"""Block-wise processing tiles the signal exactly and hides block edges."""

from __future__ import annotations

import threading
import time

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


def _scaled_by_block_index(x: np.ndarray) -> np.ndarray:
    """A block's output depends only on its input (like every step), visibly per block."""
    return x * (1.0 + float(x[0, 0]))


@pytest.mark.parametrize("workers", [2, 3])
def test_blocks_on_worker_threads_give_the_same_output_in_order(workers: int) -> None:
    total = 1234
    x = np.random.default_rng(1).standard_normal((2, total)).astype(np.float32)
    reads: list[int] = []
    delays = iter(np.random.default_rng(2).uniform(0, 0.01, 100))
    caller = threading.get_ident()

    def read(start: int, frames: int) -> np.ndarray:
        assert threading.get_ident() == caller  # a file reader need not be thread-safe
        reads.append(start)
        return array_reader(x)(start, frames)

    def process(b: np.ndarray) -> np.ndarray:
        time.sleep(next(delays))  # blocks finish out of order
        return _scaled_by_block_index(b)

    kw = {"block": 100, "margin": 30, "crossfade": 20}
    serial = list(process_blocks(array_reader(x), total, _scaled_by_block_index, **kw))
    parallel = list(process_blocks(read, total, process, workers=workers, **kw))
    assert [s for s, _ in parallel] == [s for s, _ in serial]
    for (_, a), (_, b) in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(a, b)
    assert reads == sorted(reads)


def test_an_error_in_a_worker_is_raised_to_the_caller() -> None:
    def process(b: np.ndarray) -> np.ndarray:
        if b[0, 0] > 150:
            raise RuntimeError("block failed")
        return b

    x = np.arange(1000, dtype=np.float32)[np.newaxis]
    pieces = process_blocks(
        array_reader(x), 1000, process, block=100, margin=0, crossfade=0, workers=2
    )
    with pytest.raises(RuntimeError, match="block failed"):
        list(pieces)


def test_stopping_early_leaves_no_block_running_and_starts_no_more() -> None:
    started: list[int] = []
    active = [0]
    lock = threading.Lock()

    def process(b: np.ndarray) -> np.ndarray:
        with lock:
            started.append(int(b[0, 0]))
            active[0] += 1
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return b

    x = np.arange(10_000, dtype=np.float32)[np.newaxis]
    pieces = process_blocks(
        array_reader(x), 10_000, process, block=100, margin=0, crossfade=0, workers=2
    )
    for i, _ in enumerate(pieces):
        if i == 2:
            break
    pieces.close()  # what a cancelled run does
    assert active[0] == 0
    assert len(started) <= 3 + 2  # the blocks consumed and at most the workers' share ahead
    count = len(started)
    time.sleep(0.1)
    assert len(started) == count


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.mark.parametrize("stop_early", [False, True])
def test_workers_run_blas_on_one_thread_each_and_the_setting_comes_back(
    stop_early: bool,
) -> None:
    """The worker threads are the parallelism: inside them BLAS runs single-threaded
    (its own threads would contend with them), and afterwards as before, also when
    the caller stops early."""
    from threadpoolctl import threadpool_limits

    x = np.random.default_rng(0).standard_normal((1, 1000)).astype(np.float32)
    inside: list[list[int]] = []

    def process(block: np.ndarray) -> np.ndarray:
        inside.append(_blas_threads())
        return block

    with threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core machine
        before = _blas_threads()
        assert before and max(before) == 2
        pieces = process_blocks(
            array_reader(x), 1000, process, block=100, margin=10, crossfade=5, workers=2
        )
        if stop_early:
            next(pieces)
            pieces.close()
        else:
            list(pieces)
        assert inside and all(threads == [1] * len(before) for threads in inside)
        assert _blas_threads() == before
