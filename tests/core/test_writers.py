"""Every place in ``core/`` and ``app/`` that writes a file goes through the output guard.

The test reads the source (AST, not text, so ``str.replace`` is not a file operation) and
lists every call that can create, replace or fill a file. Each must be inside
``core/output.py`` or in :data:`ALLOWED`, which says how that call goes through the
guard. A new writer fails here until it is routed through ``core.output`` or explained;
an explanation whose call is gone fails too, so the list stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUARD = "core/output.py"

# (file, enclosing function, call) -> how it goes through the guard
ALLOWED: dict[tuple[str, str, str], str] = {
    ("core/audio/io.py", "AudioWriter.__init__", "SoundFile"): (
        "libsndfile fills the PendingFile's temporary; check_output_path ran first"
    ),
    ("core/model/bundle.py", "save_bundle", "save"): (
        "Keras fills the PendingFile's temporary, after check_outputs of model and .json"
    ),
    ("core/model/bundle.py", "save_bundle", "write_text"): (
        "fills the .json PendingFile's temporary; publish_all publishes all three"
    ),
    ("core/model/bundle.py", "save_bundle", "write_bytes"): (
        "fills the .tflite PendingFile's temporary, after check_outputs of all three"
    ),
    ("core/model/bundle.py", "convert_bundle", "write_bytes"): (
        "fills the .tflite PendingFile's temporary, after check_outputs; publish_all"
    ),
    ("core/model/bundle.py", "convert_bundle", "write_text"): (
        "fills the .json PendingFile's temporary (the description the user asked to "
        "update); publish_all publishes it with the .tflite"
    ),
    ("core/pipeline.py", "_Store.__init__", "mkstemp"): (
        "an intermediate pass inside core.output.scratch_folder()"
    ),
    ("core/pipeline.py", "_Store.__init__", "SoundFile"): (
        "the intermediate pass file made just above, in the scratch folder"
    ),
    ("core/batch.py", "Journal.open", "open"): (
        "the batch's own journal in its output folder, after check_output: appended to "
        "line by line (a line a killed run cut short is ignored when read back)"
    ),
    ("core/cli.py", "_native_stderr_to_null", "fdopen"): (
        "a second handle on the terminal's stderr: no file is written"
    ),
    ("app/errors.py", "CrashHandler.__init__", "RotatingFileHandler"): (
        "the app's own crash log in its data folder, appended to, never a user's file"
    ),
    ("app/__main__.py", "_script_screenshot.shoot", "save"): (
        "renders the picture into memory; write_bytes below writes it through the guard"
    ),
}
# Not Python calls, so not listed: QSettings writes the app's settings file itself
# (through QSaveFile, atomically) in the app's own configuration folder.

_OPEN_MODES = ("w", "a", "x", "+")
_ALWAYS = {
    "savez", "savez_compressed", "tofile", "dump", "rename", "symlink_to", "hardlink_to",
    "link", "symlink", "mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory",
    "TemporaryFile", "FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler",
}  # fmt: skip
# Methods of files and objects; as plain names they are the guarded functions that
# core.output and core.audio.io export (write_text, save…), which are fine to call.
_METHODS = {"write_text", "write_bytes", "save"}
_SHUTIL = {"copy", "copy2", "copyfile", "copytree", "move"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _mode(call: ast.Call, position: int) -> str:
    args = [k.value for k in call.keywords if k.arg == "mode"]
    if len(call.args) > position:
        args.append(call.args[position])
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        return "?"  # not a literal: treat as a possible write
    return "r"


def _is_writer(call: ast.Call) -> str | None:
    name = _name(call.func)
    method = isinstance(call.func, ast.Attribute)
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    owner_name = owner.id if isinstance(owner, ast.Name) else ""
    if name in _ALWAYS:
        return name
    if name in _METHODS and method:  # Path, numpy, Keras, Qt images
        return name
    if name in _SHUTIL and owner_name == "shutil":
        return name
    if name == "write" and owner_name in ("sf", "soundfile"):
        return "sf.write"  # (other .write calls fill a file whose opening is checked)
    if name == "replace" and method and len(call.args) == 1:  # Path.replace (not str's)
        return name
    if name == "replace" and owner_name == "os":
        return "os.replace"
    if name in ("open", "fdopen") and any(c in _mode(call, 1) for c in _OPEN_MODES):
        return name
    if name == "open" and isinstance(call.func, ast.Attribute):  # Path.open(mode)
        if any(c in _mode(call, 0) for c in _OPEN_MODES):
            return name
    if name == "SoundFile" and any(c in _mode(call, 1) for c in _OPEN_MODES):
        return name
    return None


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[str, str, int]] = []

    def _visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope

    def visit_Call(self, node: ast.Call) -> None:
        writer = _is_writer(node)
        if writer is not None:
            where = ".".join(s for s in self.scope if not s.startswith("<")) or "<module>"
            self.found.append((where, writer, node.lineno))
        self.generic_visit(node)


def find_writers() -> dict[tuple[str, str, str], list[int]]:
    """Every file-writing call: (file, enclosing function, call) -> line numbers."""
    writers: dict[tuple[str, str, str], list[int]] = {}
    for package in ("core", "app"):
        for path in sorted((ROOT / package).rglob("*.py")):
            finder = _Finder()
            finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            rel = path.relative_to(ROOT).as_posix()
            for where, call, line in finder.found:
                writers.setdefault((rel, where, call), []).append(line)
    return writers


def test_every_writer_goes_through_the_guard() -> None:
    writers = find_writers()
    outside = {key: lines for key, lines in writers.items() if key[0] != GUARD}
    unexplained = {k: v for k, v in outside.items() if k not in ALLOWED}
    assert not unexplained, (
        "write through core.output (check_outputs, PendingFile, writing, write_text…), "
        f"or explain in ALLOWED how it goes through it: {unexplained}"
    )
    stale = set(ALLOWED) - set(outside)
    assert not stale, f"these explained writers are gone; remove them from ALLOWED: {stale}"


def test_the_finder_sees_each_kind_of_writer() -> None:
    source = """
import json, os, shutil, tempfile
import numpy as np
import soundfile as sf
def f(p, q, data, model, image, text):
    open(p, "w"); open(p, mode="ab"); p.open("x"); p.write_text("x"); p.write_bytes(b"")
    shutil.copytree(p, q); shutil.copy2(p, q); shutil.copyfile(p, q)
    json.dump(data, open(p, "r")); np.save(p, data); sf.write(p, data, 8000)
    sf.SoundFile(p, "w", 8000, 1); shutil.copy(p, q); shutil.move(p, q); os.replace(p, q)
    p.rename(q); p.replace(q); os.link(p, q); tempfile.mkstemp(); model.save(p)
    image.save(p)
def g(p, text, data):
    open(p); open(p, "rb"); p.open(); text.replace("a", "b"); sf.SoundFile(p); sf.read(p)
    data.copy(); save(p, data, 8000); write_text(p, "x")  # numpy; the guarded functions
"""
    finder = _Finder()
    finder.visit(ast.parse(source))
    calls = sorted(call for where, call, _line in finder.found if where == "f")
    assert calls == sorted(
        ["open", "open", "open", "write_text", "write_bytes", "copytree", "copy2", "copyfile",
         "dump", "save", "sf.write",
         "SoundFile", "copy", "move", "os.replace", "rename", "replace", "link", "mkstemp",
         "save", "save"]
    )  # fmt: skip
    assert not [call for where, call, _line in finder.found if where == "g"]
