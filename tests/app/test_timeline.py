"""The timeline's editor gestures, driven by real mouse events on its viewport."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.views.axes import FrequencyAxis, TimeAxis, format_time, parse_time
from app.views.timeline import TimelineView
from core.display import compute_spectrogram, freq_to_unit

SR = 8000
NO_MODS = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def timeline(qtbot: Any) -> TimelineView:
    view = TimelineView()
    qtbot.addWidget(view)
    qtbot.addWidget(view.footer)
    view.resize(1000, 600)
    view.show()
    audio = np.random.default_rng(0).uniform(-0.3, 0.3, (2, 10 * SR)).astype(np.float32)
    view.set_original(audio, SR)
    view.set_original_spectrogram(compute_spectrogram(audio, sr=SR))
    qtbot.waitExposed(view)
    return view


def _pos(view: TimelineView, plot: int, seconds: float, y: float = 0.0) -> QPoint:
    scene = view.plots[plot].vb.mapViewToScene(QPointF(seconds, y))
    return view.mapFromScene(scene)


def _send(
    view: TimelineView, kind: QEvent.Type, pos: QPoint, button: Any, buttons: Any, mods: Any
) -> None:
    event = QMouseEvent(
        kind, QPointF(pos), view.viewport().mapToGlobal(QPointF(pos)), button, buttons, mods
    )
    QApplication.sendEvent(view.viewport(), event)


def drag(view: TimelineView, plot: int, t0: float, t1: float, *, y0: float = 0.0, y1: float = 0.0,
         button: Any = Qt.MouseButton.LeftButton, mods: Any = NO_MODS) -> None:  # fmt: skip
    a, b = _pos(view, plot, t0, y0), _pos(view, plot, t1, y1)
    _send(view, QEvent.Type.MouseButtonPress, a, button, button, mods)
    for k in range(1, 9):
        p = a + (b - a) * (k / 8)
        QTest.qWait(12)  # pyqtgraph drops moves closer than 10 ms (mouseRateLimit)
        _send(view, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, button, mods)
    _send(view, QEvent.Type.MouseButtonRelease, b, button, Qt.MouseButton.NoButton, mods)


def click(view: TimelineView, plot: int, t: float, mods: Any = NO_MODS) -> None:
    p = _pos(view, plot, t)
    left = Qt.MouseButton.LeftButton
    _send(view, QEvent.Type.MouseButtonPress, p, left, left, mods)
    _send(view, QEvent.Type.MouseButtonRelease, p, left, Qt.MouseButton.NoButton, mods)


def wheel(
    view: TimelineView, plot: int, t: float, delta: int, mods: Any = NO_MODS, y: float = 0.0
) -> None:
    p = QPointF(_pos(view, plot, t, y))
    event = QWheelEvent(
        p, view.viewport().mapToGlobal(p), QPoint(0, 0), QPoint(0, delta),
        Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(view.viewport(), event)


def test_drag_selects_a_time_range_and_shows_it(timeline: TimelineView, qtbot: Any) -> None:
    seen: list[tuple[float, float]] = []
    timeline.selection_changed.connect(lambda a, b: seen.append((a, b)))
    x_before = timeline.view_range()
    drag(timeline, 0, 2.0, 5.0)
    lo, hi = timeline.selection
    assert lo == pytest.approx(2.0, abs=0.05) and hi == pytest.approx(5.0, abs=0.05)
    assert seen and seen[-1] == (lo, hi)
    assert timeline.view_range() == x_before  # a drag no longer pans
    footer = timeline.footer
    assert footer.start_box.value() == pytest.approx(lo, abs=1e-3)  # to the millisecond
    assert footer.length_box.value() == pytest.approx(hi - lo, abs=2e-3)
    assert all(region.isVisible() for region in timeline.regions)
    # Dragging right to left selects the same way; inside the old selection starts anew.
    drag(timeline, 2, 4.0, 3.0)
    assert timeline.selection == pytest.approx((3.0, 4.0), abs=0.05)


def test_click_seeks_and_drops_the_selection_shift_click_extends(
    timeline: TimelineView, qtbot: Any
) -> None:
    seeks: list[float] = []
    timeline.seek_requested.connect(seeks.append)
    timeline.set_selection(2.0, 3.0)
    click(timeline, 0, 6.0)
    assert seeks and seeks[-1] == pytest.approx(6.0, abs=0.05)
    assert not timeline.has_selection()
    timeline.set_playhead(6.0)
    click(timeline, 2, 8.0, Qt.KeyboardModifier.ShiftModifier)  # from the playhead
    assert timeline.selection == pytest.approx((6.0, 8.0), abs=0.05)
    click(timeline, 0, 4.5, Qt.KeyboardModifier.ShiftModifier)  # the nearer edge moves
    assert timeline.selection == pytest.approx((4.5, 8.0), abs=0.05)
    assert len(seeks) == 1


def test_selection_fields_are_editable(timeline: TimelineView) -> None:
    timeline.set_selection(1.0, 2.0)
    footer = timeline.footer
    footer.end_box.lineEdit().setText("0:04.250")
    footer.end_box.interpretText()
    assert timeline.selection == pytest.approx((1.0, 4.25))
    footer.length_box.setValue(0.5)
    assert timeline.selection == pytest.approx((1.0, 1.5))
    assert footer.start_box.text() == format_time(1.0)


def test_wheel_zooms_time_middle_drag_and_scroll_bar_pan(timeline: TimelineView) -> None:
    wheel(timeline, 0, 5.0, 120 * 3)
    x0, x1 = timeline.view_range()
    assert x1 - x0 < 10.0 * 0.7 and x0 < 5.0 < x1  # zoomed in around the pointer
    assert timeline.selection == (0.0, 0.0)
    drag(timeline, 0, 5.0, 4.0, button=Qt.MouseButton.MiddleButton)
    y0, y1 = timeline.view_range()
    assert y0 == pytest.approx(x0 + 1.0, abs=0.05) and y1 - y0 == pytest.approx(x1 - x0, rel=0.01)
    assert not timeline.has_selection()  # panning never selects
    bar = timeline.footer.scroll
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    z0, z1 = timeline.view_range()
    assert z1 == pytest.approx(10.0, abs=0.01)


def test_shift_wheel_zooms_frequency_and_ctrl_drag_draws_a_box(timeline: TimelineView) -> None:
    wheel(timeline, 1, 5.0, 120 * 4, Qt.KeyboardModifier.ShiftModifier, y=0.25)
    _, (u0, u1) = timeline.plots[1].vb.viewRange()
    assert u1 - u0 < 0.6 and u0 <= 0.25 <= u1
    assert timeline.plots[3].vb.viewRange()[1] == pytest.approx([u0, u1])
    boxes: list[tuple[float, ...]] = []
    timeline.box_selected.connect(lambda *box: boxes.append(box))
    lo, hi = u0 + 0.1 * (u1 - u0), u0 + 0.6 * (u1 - u0)
    drag(timeline, 1, 2.0, 4.0, y0=lo, y1=hi, mods=Qt.KeyboardModifier.ControlModifier)
    assert boxes
    t0, t1, f0, f1 = boxes[-1]
    assert (t0, t1) == pytest.approx((2.0, 4.0), abs=0.05)
    assert f0 == pytest.approx(lo * SR / 2, rel=0.05) and f1 == pytest.approx(hi * SR / 2, rel=0.05)
    assert timeline.selection == pytest.approx((t0, t1))
    # A double click on a spectrogram shows every frequency again.
    p = _pos(timeline, 1, 6.0, 0.5 * (u0 + u1))
    left = Qt.MouseButton.LeftButton
    _send(timeline, QEvent.Type.MouseButtonPress, p, left, left, NO_MODS)
    _send(timeline, QEvent.Type.MouseButtonRelease, p, left, Qt.MouseButton.NoButton, NO_MODS)
    _send(timeline, QEvent.Type.MouseButtonDblClick, p, left, left, NO_MODS)
    _send(timeline, QEvent.Type.MouseButtonRelease, p, left, Qt.MouseButton.NoButton, NO_MODS)
    assert timeline.plots[1].vb.viewRange()[1] == pytest.approx([0.0, 1.0])


def test_frequency_scale_and_readout(timeline: TimelineView) -> None:
    timeline.set_frequency_scale("log")
    axis = timeline.plots[1].getAxis("left")
    assert isinstance(axis, FrequencyAxis) and axis.scale_name == "log"
    unit = float(freq_to_unit(1000.0, scale="log", nyquist=SR / 2))
    text = timeline.readout(1, 2.5, unit)
    assert text.startswith(format_time(2.5)) and "1000 Hz" in text.replace(".", "") and "dB" in text
    assert timeline.footer.scale_box.currentData() == "log"


def test_time_axis_reads_hours_minutes_seconds() -> None:
    axis = TimeAxis()
    axis.hours = True
    assert axis.tickStrings([3725.0], 1.0, 5.0) == ["1:02:05"]
    assert TimeAxis().tickStrings([65.25], 1.0, 0.05) == [format_time(65.25, 2)]
    major, _minor = TimeAxis().tickSpacing(0.0, 3600.0, 900.0)
    assert major[0] in (300.0, 600.0)  # minutes, not 500 s
    assert parse_time("1:02:05.5") == pytest.approx(3725.5)
    assert parse_time("2,25") == pytest.approx(2.25)
    assert parse_time("abc") is None


def test_stereo_lanes_on_request(timeline: TimelineView, qtbot: Any) -> None:
    wave = timeline.wave_original
    assert timeline.footer.split_button.isEnabled()  # the recording is stereo
    timeline.footer.split_button.click()
    qtbot.waitUntil(lambda: wave.showing_lanes, timeout=10_000)
    ys = [lane.getData()[1] for lane in wave.lanes]
    assert len(ys) == 2 and min(ys[0]) > -0.05 and max(ys[1]) < 0.05  # L above R
    timeline.set_channels_split(False)
    assert not wave.showing_lanes and len(wave.curve.getData()[1]) > 0


def test_zoomed_spectrogram_rerenders_and_shows_a_click(qtbot: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    sr = 48000
    audio = (0.01 * np.random.default_rng(2).standard_normal((1, 30 * sr))).astype(np.float32)
    audio[0, 20 * sr + 24000] = 0.9  # a click at 20.5 s
    view.set_original(audio, sr)
    view.set_original_spectrogram(compute_spectrogram(audio, sr=sr))
    spec = view.spec_original
    with qtbot.waitSignal(spec.tile_ready, timeout=10_000) as blocker:
        view.set_view_range(20.0, 21.0)
    tile = blocker.args[0]
    assert tile.start == pytest.approx(20.0) and tile.stop == pytest.approx(21.0)
    energy = tile.image.mean(axis=0)
    column = int(0.5 * tile.image.shape[1])
    assert abs(int(np.argmax(energy)) - column) <= 2
    assert energy.max() > np.median(energy) + 10.0
    assert spec.detail.image is not None and spec.detail.isVisible()
    # Zoomed back out, the overview is enough and the view picture goes.
    view.set_view_range(0.0, 30.0)
    qtbot.waitUntil(lambda: spec.tile is None, timeout=5_000)


def test_a_file_overview_shows_without_loading_the_samples(qtbot: Any, tmp_path: Any) -> None:
    import soundfile as sf

    from core.display import FileFrames, build_overview

    sr = 16000
    audio = (0.01 * np.random.default_rng(4).standard_normal((2, 90 * sr))).astype(np.float32)
    audio[:, 61 * sr + 8000] = 0.9  # a click at 61.5 s
    path = tmp_path / "long.wav"
    sf.write(str(path), audio.T, sr, subtype="PCM_16")
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    view.show_overview(build_overview(path))
    assert view.duration == pytest.approx(90.0)
    assert isinstance(view.spec_original.audio, FileFrames)
    assert len(view.wave_original.curve.getData()[1]) > 0
    with qtbot.waitSignal(view.spec_original.tile_ready, timeout=10_000) as blocker:
        view.set_view_range(61.0, 62.0)  # rendered from samples read off the file
    energy = blocker.args[0].image.mean(axis=0)
    assert abs(int(np.argmax(energy)) - energy.size // 2) <= 2


def test_per_channel_spectrograms_stack_one_picture_per_channel(qtbot: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    t = np.arange(4 * SR) / SR
    left = 0.3 * np.sin(2 * np.pi * 500.0 * t)  # a different tone on each side
    right = 0.3 * np.sin(2 * np.pi * 3000.0 * t)
    audio = np.stack([left, right]).astype(np.float32)
    view.set_original(audio, SR)
    view.set_original_spectrogram(compute_spectrogram(audio, sr=SR))
    assert len([p for p in view.ci.items if p in view.plots]) == 4  # the mix by default

    view.set_channel_spectrograms(True)
    [lane] = view.lanes["original"]
    rows = [view.ci.items[p][0][0] for p in (view.plots[lane], view.plots[1])]
    assert rows == [1, 2]  # left above right, under the original's waveform
    assert view.plots[lane].getAxis("left").labelText == "L"
    pictures = {}
    for name, image in (("L", view.spectra[lane]), ("R", view.spec_original)):
        assert image.spec is None and image.audio.shape == (1, audio.shape[1])
        if image.tile is None:
            with qtbot.waitSignal(image.tile_ready, timeout=10_000):
                pass
        pictures[name] = image.tile.image.mean(axis=1)  # level per row
    # Each lane shows its own channel's tone: the loudest row sits at its frequency.
    for name, freq in (("L", 500.0), ("R", 3000.0)):
        row = int(np.argmax(pictures[name]))
        assert abs(row / pictures[name].size * (SR / 2) - freq) < 200.0, name
    # The readout over a lane reads that lane's picture.
    assert view.readout(lane, 1.0, 0.125).endswith(" dB")

    view.set_channel_spectrograms(False)
    assert view.plots[lane] not in view.ci.items
    assert view.spec_original.spec is not None and view.spec_original.audio is audio
