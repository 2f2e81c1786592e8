"""``core`` must import and run without Qt: import every module in a clean interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import core


def test_no_core_module_pulls_in_qt_or_pyqtgraph() -> None:
    modules = [m.name for m in pkgutil.walk_packages(core.__path__, "core.")]
    assert "core.pipeline" in modules and "core.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'app'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_importing_the_cli_does_not_load_tensorflow() -> None:
    code = "import sys, core.cli, core.pipeline; sys.exit('tensorflow' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "TensorFlow must load lazily (it costs seconds)"


def test_what_the_window_needs_at_start_up_does_not_load_scipy() -> None:
    """The app builds chains and checks for the built-in model before its window shows;
    SciPy costs 0.3 s. (Running a chain, ``core.pipeline``, may load it.)"""
    code = (
        "import sys, core.chain, core.steps, core.strength, core.model.bundle\n"
        "core.model.bundle.resolve_model_path('default')\n"
        "sys.exit('scipy' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "import SciPy where it is used, not at module level here"
