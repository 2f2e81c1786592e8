"""Opening keeps the samples in the file: the window builds its overviews in blocks
(:func:`core.display.build_overview`) and every consumer of the original (playback,
zoomed views, restore, learn noise, analysis, export) reads what it needs from the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from app.playback import Player
from app.views.waveform import channel_pyramids
from core.audio.peaks import PeakPyramid
from core.chain import ChainConfig, StepSpec
from core.display import FileFrames
from core.dsp.loudness import comparison_loudness

HIGHPASS = ChainConfig([StepSpec("highpass", {"cutoff_hz": 300.0})], name="hp")


def write_stereo(path: Path, seconds: float, sr: int = 16000) -> np.ndarray:
    """A tone on the left, noise on the right, clicks on both; returns what the file
    reads back as (16-bit), ``(2, samples)``."""
    t = np.arange(int(seconds * sr)) / sr
    rng = np.random.default_rng(7)
    audio = np.stack([0.3 * np.sin(2 * np.pi * 440.0 * t), 0.05 * rng.standard_normal(t.size)])
    audio[:, :: sr // 2] = 0.8
    sf.write(str(path), audio.T.astype(np.float32), sr, subtype="PCM_16")
    return sf.read(str(path), dtype="float32", always_2d=True)[0].T


def _open_traced(qtbot: Any, window: Any, open_recording: Any, path: Path) -> tuple[Any, int]:
    """Open ``path``; the peak of traced memory until it is shown and its loudness (for
    matched A/B, measured on excerpts of the same length whatever the file's) known."""
    tracemalloc.start()
    try:
        doc = open_recording(path)
        qtbot.waitUntil(lambda: ("loudness", None, 1.0) in doc.cache, timeout=20_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return doc, peak


def test_opening_reads_the_file_in_blocks_and_keeps_its_samples_there(
    qtbot: Any, window: Any, tmp_path: Path, open_recording: Any
) -> None:
    sr = 16000
    # Both longer than a block, so both are read in two parallel parts.
    write_stereo(tmp_path / "short.wav", 150.0, sr)
    write_stereo(tmp_path / "long.wav", 450.0, sr)
    _, short = _open_traced(qtbot, window, open_recording, tmp_path / "short.wav")
    doc, long = _open_traced(qtbot, window, open_recording, tmp_path / "long.wav")
    added_float_bytes = 2 * 300 * sr * 4  # five more minutes as float32: 38 MB
    # Five more minutes cost their overview (peaks: 1/16 of the samples), never a
    # decoded copy (nor a buffer of zeros for the removed noise to play).
    assert long - short < added_float_bytes / 4, f"{short / 1e6:.1f} -> {long / 1e6:.1f} MB"
    assert isinstance(doc.original, FileFrames)
    assert doc.original.shape == (2, 450 * sr)
    pyramid = doc.cache["pyramid", "original"]
    assert isinstance(pyramid.audio, FileFrames)
    assert ("spec", "original") in doc.cache  # the spectrogram came with the peaks


def _apply(qtbot: Any, window: Any, dialogs: Any) -> None:
    """Click Apply and wait for the restoration (or say what went wrong)."""
    ended: list[str] = []
    window.restore.finished.connect(lambda _doc: ended.append("finished"))
    window.restore.failed.connect(lambda exc: ended.append(f"failed: {exc!r}"))
    window.restore.apply()
    qtbot.waitUntil(lambda: bool(ended), timeout=60_000)
    assert ended == ["finished"], (ended, dialogs.shown)


def test_play_zoom_restore_and_export_read_the_original_from_its_file(
    qtbot: Any, window: Any, tmp_path: Path, open_recording: Any, dialogs: Any
) -> None:
    path = tmp_path / "take.wav"
    samples = write_stereo(path, 3.0)
    doc = open_recording(path)
    assert isinstance(doc.original, FileFrames)

    # The loudness matching A/B measures excerpts of the file in a job, not on the GUI
    # thread: the window's player got the sources first, then their loudness.
    fake = window.playback.player
    qtbot.waitUntil(lambda: bool(fake.loudness), timeout=20_000)
    assert set(fake.loudness) == {"original", "restored"}
    assert fake.loudness["original"] == pytest.approx(comparison_loudness(samples, sr=doc.sr))

    # Playback: the real player renders the file's samples block by block.
    player = Player(crossfade_ms=0)
    player.set_sources(doc.sources(), doc.sr)
    player.matched_loudness = False
    player._playing = True  # no stream: drive the callback logic directly
    out = np.concatenate([_render(player, 512) for _ in range(8)])
    np.testing.assert_array_equal(out.T, samples[:, : out.shape[0]])

    # Zoomed in past the overview's finest level, the waveform reads the file.
    window.timeline.set_view_range(1.0, 1.002)
    _, y = window.timeline.wave_original.curve.getData()
    assert y is not None and len(y) > 0
    assert np.isin(np.round(y, 6), np.round(samples.mean(axis=0), 6)).all()
    # The view-resolution spectrogram renders from the file too.
    with qtbot.waitSignal(window.timeline.spec_original.tile_ready, timeout=20_000):
        window.timeline.set_view_range(0.25, 0.75)

    # Restore (the whole file, then a selection): read in the worker.
    window.restore_panel.set_chain(HIGHPASS)
    _apply(qtbot, window, dialogs)
    r = doc.restoration
    np.testing.assert_allclose(r.restored + r.residual, samples, atol=1e-5)
    window.timeline.set_selection(1.0, 1.5)
    _apply(qtbot, window, dialogs)
    np.testing.assert_array_equal(doc.restored[:, : doc.sr // 2], r.restored[:, : doc.sr // 2])

    # Learn noise from the selection: the selected samples are read in the worker.
    with qtbot.waitSignal(window.restore.noise_learned, timeout=20_000):
        window.learn_noise_action.trigger()
    assert doc.noise_profile is not None

    # Export the original: bit for bit what the file holds.
    out_path = tmp_path / "out" / "original.wav"
    out_path.parent.mkdir()
    with qtbot.waitSignal(window.export.finished, timeout=20_000):
        window.export.export_current(out_path, what="original", subtype="FLOAT")
    written = sf.read(str(out_path), dtype="float32", always_2d=True)[0].T
    np.testing.assert_array_equal(written, samples)


def _render(player: Player, frames: int) -> np.ndarray:
    buf = np.empty((frames, 2), np.float32)
    player.render(buf)
    return buf


def test_channel_lanes_of_a_file_are_built_in_blocks(tmp_path: Path) -> None:
    samples = write_stereo(tmp_path / "two.wav", 5.0)
    frames = FileFrames(tmp_path / "two.wav")
    lanes = channel_pyramids(frames)
    for c, lane in enumerate(lanes):
        reference = PeakPyramid(samples[c : c + 1])
        for (block, lo, hi), (rblock, rlo, rhi) in zip(lane.levels, reference.levels, strict=True):
            assert block == rblock
            np.testing.assert_array_equal(lo, rlo)
            np.testing.assert_array_equal(hi, rhi)
        # Zoomed in, each lane reads its own channel from the file.
        _, y = lane.query(1000, 1050, 1000)
        np.testing.assert_array_equal(y, samples[c, 1000:1050])
    assert lanes[1].audio.shape == (1, samples.shape[1])


@pytest.mark.parametrize("channels", [1, 2])
def test_file_frames_read_the_same_from_every_thread(tmp_path: Path, channels: int) -> None:
    import threading

    path = tmp_path / "t.wav"
    samples = write_stereo(path, 2.0)[:channels]
    sf.write(str(path), samples.T, 16000, subtype="FLOAT")
    frames = FileFrames(path)
    got: dict[int, np.ndarray] = {}

    def read(i: int) -> None:
        got[i] = frames[:, i * 1000 : i * 1000 + 4000]

    threads = [threading.Thread(target=read, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, block in got.items():
        np.testing.assert_array_equal(block, samples[:, i * 1000 : i * 1000 + 4000])
    np.testing.assert_array_equal(np.asarray(frames), samples)


def test_view_menu_shows_a_spectrogram_per_channel_of_a_file(
    qtbot: Any, window: Any, tmp_path: Path, open_recording: Any
) -> None:
    samples = write_stereo(tmp_path / "st.wav", 3.0)
    open_recording(tmp_path / "st.wav")
    action = window.channel_spectra_action
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions() and not action.isChecked()
    action.trigger()
    timeline = window.timeline
    assert timeline.per_channel
    [lane] = timeline.lanes["original"]
    left = timeline.spectra[lane]
    assert isinstance(left.audio, FileFrames) and left.audio.shape == (1, samples.shape[1])
    np.testing.assert_array_equal(left.audio[:, 100:200], samples[0:1, 100:200])
    np.testing.assert_array_equal(timeline.spec_original.audio[:, 100:200], samples[1:2, 100:200])
    action.trigger()
    assert not timeline.per_channel and timeline.spec_original.audio.shape == samples.shape
