"""Start the desktop app: ``python -m app [FILES...] [--demo] [--screenshot PATH]``.

Also installed as the ``seminario-gui`` command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from core.audio.io import READ_EXTENSIONS


def demo_path(data_dir: Path) -> Path:
    """The demo recording: a file shipped in ``resources/demo/`` if there is one,
    else one generated once by ``core.demo`` into the app's data folder."""
    from core.resources import resources_root

    shipped = resources_root() / "demo"
    if shipped.is_dir():
        files = sorted(p for p in shipped.iterdir() if p.suffix.lower() in READ_EXTENSIONS)
        if files:
            return files[0]
    target = data_dir / "demo" / "demo_noisy.wav"
    if not target.exists():
        from core.demo import write_demo

        target.parent.mkdir(parents=True, exist_ok=True)
        write_demo(target)
    return target


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
    parser.add_argument("--model", help="model for the AI step: 'default' or a .keras file")
    parser.add_argument("--show", choices=("restore", "analysis"), help="panel to bring forward")
    parser.add_argument("--residual", action="store_true", help="show the removed noise below")
    parser.add_argument("--strength", type=float, help="preview strength after --apply (0..1)")
    parser.add_argument(
        "--settings", metavar="INI", help="use this settings file instead of the user's"
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help="use this folder for models, presets, logs"
    )
    parser.add_argument("--no-sound", action="store_true", help="do not open an audio device")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName("SeminarioIA")
    app.setApplicationName("SeminarioIA")
    from app import __version__

    app.setApplicationVersion(__version__)

    from app.errors import install_excepthook
    from app.main_window import MainWindow
    from app.settings import Settings, default_data_dir, default_qsettings

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    crash = install_excepthook(data_dir / "logs")
    qsettings = (
        QSettings(args.settings, QSettings.Format.IniFormat)
        if args.settings
        else default_qsettings()
    )
    window = MainWindow(Settings(qsettings), data_dir=data_dir, enable_playback=not args.no_sound)
    if args.preset:
        window.restore_panel.select_preset(args.preset)
    if args.model:
        if args.model == "default":
            window.restore_panel.model_box.setCurrentIndex(0)
        else:
            window.restore_panel.add_model(str(Path(args.model).resolve()))
    if args.residual:
        window.residual_view_action.setChecked(True)
        window.timeline.set_lower_mode("residual")
    window.show()

    files = list(args.files)
    if args.demo:
        files.insert(0, str(demo_path(data_dir)))
    if files:
        window.open_files(files)

    if args.screenshot:
        _script_screenshot(window, args, expect_files=bool(files))
    elif args.apply and files:
        window.recording_opened.connect(lambda _doc: QTimer.singleShot(0, window.apply_restoration))

    code = app.exec()
    crash.uninstall()
    return code


def _script_screenshot(window: object, args: argparse.Namespace, *, expect_files: bool) -> None:
    """Drive the window through the requested states, save a PNG, and quit."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow

    assert isinstance(window, MainWindow)
    state = {"applied": False, "shot": False}

    def shoot() -> None:
        if state["shot"]:
            return
        state["shot"] = True
        QApplication.processEvents()
        path = Path(args.screenshot)
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(path))
        print(f"screenshot {'saved' if ok else 'FAILED'}: {path}", flush=True)
        window.close()
        QApplication.instance().exit(0 if ok else 1)  # type: ignore[union-attr]

    def when_idle() -> None:
        if window.busy or state["shot"]:
            return
        if args.apply and not state["applied"]:
            return
        QTimer.singleShot(400, shoot)

    def opened(_doc: object) -> None:
        if args.show == "analysis":
            window.analysis_dock.raise_()
        if args.apply and not state["applied"]:
            window.apply_restoration()

    def restored(_doc: object) -> None:
        state["applied"] = True
        if args.strength is not None:
            window.set_strength(args.strength)
        if args.show == "analysis":
            window.analysis_dock.raise_()
            window.run_analysis()
        QTimer.singleShot(200, when_idle)

    def failed(exc: object) -> None:
        print(f"restoration failed: {exc}", file=sys.stderr, flush=True)
        state["applied"] = True

    window.recording_opened.connect(opened)
    window.restore_finished.connect(restored)
    window.restore_failed.connect(failed)
    window.idle.connect(lambda: QTimer.singleShot(300, when_idle))
    if not expect_files:
        QTimer.singleShot(800, shoot)
    QTimer.singleShot(300_000, shoot)  # never hang a script


if __name__ == "__main__":
    sys.exit(main())
