"""Start the desktop app: ``python -m app [FILES...] [--demo] [--screenshot PATH]``.

Also installed as the ``seminario-gui`` command (and built as the frozen app by
``build.spec``). ``--self-test`` checks an installation without showing a window.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def demo_path(data_dir: Path) -> Path:
    """The shipped demo recording, or one generated once into the app's data folder."""
    from core.demo import demo_recording

    return demo_recording(data_dir / "demo")


def _time_range(text: str) -> tuple[float, float]:
    try:
        start, end = (float(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected START:END in seconds, got {text!r}") from None
    return start, end


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="seminario-gui", description="Restore noisy and old recordings with AI."
    )
    parser.add_argument("files", nargs="*", help="recordings to open")
    parser.add_argument("--demo", action="store_true", help="open the demo recording")
    parser.add_argument(
        "--screenshot", metavar="PNG", help="save a picture of the window after loading, then quit"
    )
    parser.add_argument(
        "--apply", action="store_true", help="restore the first file with the chosen preset"
    )
    parser.add_argument("--preset", help="preset to select (a built-in name)")
    parser.add_argument(
        "--model",
        help="model for the AI step: 'auto' (DeepFilterNet3 on speech, SeminarioIA on music), "
        "'dfn3', 'default' or a .keras file",
    )
    parser.add_argument("--show", choices=("restore", "analysis"), help="panel to bring forward")
    parser.add_argument("--residual", action="store_true", help="show the removed noise below")
    parser.add_argument(
        "--view", type=_time_range, metavar="START:END", help="zoom to these seconds after loading"
    )
    parser.add_argument(
        "--select", type=_time_range, metavar="START:END", help="select these seconds after loading"
    )
    parser.add_argument(
        "--scale", choices=("linear", "log", "mel"), help="frequency scale of the spectrograms"
    )
    parser.add_argument(
        "--channels",
        action="store_true",
        help="show each channel of a stereo recording apart (waveforms and spectrograms)",
    )
    parser.add_argument("--strength", type=float, help="preview strength after --apply (0..1)")
    parser.add_argument(
        "--settings", metavar="INI", help="use this settings file instead of the user's"
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help="use this folder for models, presets, logs"
    )
    parser.add_argument("--no-sound", action="store_true", help="do not open an audio device")
    parser.add_argument(
        "--language", metavar="CODE", help="interface language for this run (en, es, system)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation offscreen (window, model, demo restoration) and exit",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    # In the frozen app, a folder restore's worker processes start this executable
    # again: there this runs the worker instead of a second window.
    multiprocessing.freeze_support()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from core.runtime import tune_memory_allocator

    tune_memory_allocator()
    if args.self_test:
        return self_test(args)

    from PySide6.QtCore import QSettings, QTimer

    app = _application()

    from app.dialogs.about import app_icon
    from app.errors import install_excepthook
    from app.i18n import install_translators
    from app.settings import Settings, default_data_dir, default_qsettings

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    crash = install_excepthook(data_dir / "logs")
    qsettings = (
        QSettings(args.settings, QSettings.Format.IniFormat)
        if args.settings
        else default_qsettings()
    )
    settings = Settings(qsettings)
    translators = install_translators(args.language or settings.language)
    app.setWindowIcon(app_icon())

    from app.main_window import MainWindow
    from app.views.restore import BUILTIN_CHOICES

    window = MainWindow(settings, data_dir=data_dir, enable_playback=not args.no_sound)
    if args.screenshot:
        window.dismiss_hint()  # pictures for the docs show the app as it is used
    if args.preset:
        window.restore_panel.select_preset(args.preset)
    if args.model:
        if args.model in BUILTIN_CHOICES:
            window.restore_panel.refresh_models(select=args.model)
        else:
            window.restore_panel.add_model(str(Path(args.model).resolve()))
    if args.residual:
        window.residual_view_action.setChecked(True)
        window.view.show_removed(True)
    window.show()
    if not args.screenshot:
        from PySide6.QtCore import QTimer

        from app.controllers.restore import PRELOAD_DELAY_MS

        QTimer.singleShot(PRELOAD_DELAY_MS, window.restore.preload_tensorflow)

    files = list(args.files)
    if args.demo:
        files.insert(0, str(demo_path(data_dir)))
    if files:
        window.session.open_files(files)

    if args.screenshot:
        _script_screenshot(window, args, expect_files=bool(files))
    elif args.apply and files:
        window.session.opened.connect(lambda _doc: QTimer.singleShot(0, window.restore.apply))

    code = app.exec()
    crash.uninstall()
    translators.remove()
    return code


def _application() -> object:
    from PySide6.QtWidgets import QApplication

    from app import __version__

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName("SeminarioIA")
    app.setApplicationName("SeminarioIA")
    app.setApplicationVersion(__version__)
    return app


def self_test(args: argparse.Namespace) -> int:
    """Check an installation (above all the frozen app) without a display or sound.

    Builds the main window offscreen in the chosen language, loads the built-in model,
    restores the demo recording with the ``auto`` preset into a temporary folder and
    checks the output. Prints one line per check; exit status 0 when all pass.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    checks: list[tuple[str, bool, str]] = []

    def check(name: str, fn: object) -> object:
        t0 = time.perf_counter()
        try:
            result = fn()  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - reported, then exit 1
            checks.append((name, False, f"{type(exc).__name__}: {exc}"))
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
            return None
        detail = f"{time.perf_counter() - t0:.2f} s" + (f", {result}" if result else "")
        checks.append((name, True, detail))
        print(f"ok   {name} ({detail})", flush=True)
        return result

    from core.output import scratch_folder

    app = _application()  # kept referenced until the end: PySide would delete it
    with scratch_folder() as tmp_dir:

        def window() -> str:
            from PySide6.QtCore import QSettings

            from app.dialogs.about import AboutDialog, app_icon
            from app.i18n import install_translators
            from app.main_window import MainWindow
            from app.settings import Settings

            settings = Settings(
                QSettings(str(tmp_dir / "settings.ini"), QSettings.Format.IniFormat)
            )
            translators = install_translators(args.language or "system")
            if app_icon().isNull():
                raise FileNotFoundError("the application icon is missing")
            win = MainWindow(settings, data_dir=tmp_dir / "data", enable_playback=False)
            about = AboutDialog(win)
            title = win.menuBar().actions()[0].text()
            about.deleteLater()
            win.close()
            win.deleteLater()
            translators.remove()
            return f"language {translators.language}, first menu {title!r}"

        def model() -> str:
            from core.model.bundle import load_bundle, resolve_model_path

            loaded = [load_bundle(resolve_model_path(name)) for name in ("dfn3", "default")]
            return ", ".join(
                f"{b.meta.architecture} {b.meta.spectral.sample_rate} Hz through {b.runtime}"
                for b in loaded
            )

        def restore() -> str:
            from core.chain import load_preset
            from core.demo import demo_recording
            from core.pipeline import restore_file

            demo = demo_recording(tmp_dir / "demo")
            out = tmp_dir / "demo_restored.wav"
            report = restore_file(demo, out, load_preset("auto"))
            if not out.is_file() or out.stat().st_size == 0:
                raise RuntimeError(f"no output written: {out}")
            tensorflow = "loaded" if "tensorflow" in sys.modules else "not loaded"
            return (
                f"{demo.name}: {report.duration_s:.1f} s of audio in {report.seconds:.1f} s, "
                f"TensorFlow {tensorflow}"
            )

        check("main window", window)
        check("built-in model", model)
        check("restore demo (auto preset)", restore)

    del app
    ok = all(passed for _name, passed, _detail in checks)
    total = time.perf_counter() - started
    print(f"self-test {'passed' if ok else 'FAILED'} in {total:.1f} s", flush=True)
    return 0 if ok else 1


def _script_screenshot(window: object, args: argparse.Namespace, *, expect_files: bool) -> None:
    """Drive the window through the requested states, save a PNG, and quit."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from core.output import make_folder, write_bytes

    assert isinstance(window, MainWindow)
    state = {"applied": False, "shot": False}

    def shoot() -> None:
        if state["shot"]:
            return
        state["shot"] = True
        QApplication.processEvents()
        path = Path(args.screenshot)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        ok = window.grab().save(buffer, "PNG")
        if ok:  # replaces the previous picture: that is what --screenshot is for
            write_bytes(make_folder(path.parent) / path.name, bytes(data.data()), overwrite=True)
        print(f"screenshot {'saved' if ok else 'FAILED'}: {path}", flush=True)
        window.session.ask_before_discard = False  # the restoration shown was scripted
        window.close()
        QApplication.instance().exit(0 if ok else 1)  # type: ignore[union-attr]

    def when_idle() -> None:
        if window.jobs.busy or state["shot"]:
            return
        if args.apply and not state["applied"]:
            return
        if args.view and window.timeline.spec_original.tile is None:
            return  # the view-resolution spectrogram is still rendering
        if args.channels and any(i.tile is None for i in window.timeline.rendering_spectra()):
            return  # a channel's spectrogram is still rendering
        QTimer.singleShot(400, shoot)

    def arrange_view() -> None:
        timeline = window.timeline
        if args.scale:
            timeline.set_frequency_scale(args.scale)
        if args.channels and not window.channel_spectra_action.isChecked():
            window.channel_spectra_action.trigger()
            timeline.set_channels_split(True)
            for image in timeline.rendering_spectra():
                image.tile_ready.connect(lambda _tile: QTimer.singleShot(300, when_idle))
        if args.view:
            timeline.set_view_range(*args.view)
        if args.select:
            timeline.set_selection(*args.select)

    window.timeline.spec_original.tile_ready.connect(
        lambda _tile: QTimer.singleShot(300, when_idle)
    )

    def opened(_doc: object) -> None:
        arrange_view()
        if args.show == "analysis":
            window.analysis_dock.raise_()
        if args.apply and not state["applied"]:
            window.restore.apply()

    def restored(_doc: object) -> None:
        state["applied"] = True
        arrange_view()
        if args.strength is not None:
            window.restore.set_strength(args.strength)
        if args.show == "analysis":
            window.analysis_dock.raise_()
            window.analysis.run()
        QTimer.singleShot(200, when_idle)

    def failed(exc: object) -> None:
        print(f"restoration failed: {exc}", file=sys.stderr, flush=True)
        state["applied"] = True

    window.session.opened.connect(opened)
    window.restore.finished.connect(restored)
    window.restore.failed.connect(failed)
    window.jobs.idle.connect(lambda: QTimer.singleShot(300, when_idle))
    if not expect_files:
        QTimer.singleShot(800, shoot)
    QTimer.singleShot(300_000, shoot)  # never hang a script


if __name__ == "__main__":
    sys.exit(main())
