"""Atomic file output: write beside the destination, then rename into place.

A reader never sees a half-written file, and an error or cancel leaves the
destination untouched. Finished files get the usual permissions (``0o666`` minus
the umask), not the private ``0o600`` of a temporary file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temp_beside(path: Path, *, suffix: str = ".part") -> Path:
    """A new empty temporary file in ``path``'s folder (same file system, so rename
    is atomic); the caller removes it on failure."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> Path:
    """Give ``tmp`` normal permissions and rename it over ``path``."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; returns ``path``."""
    tmp = temp_beside(path)
    try:
        tmp.write_text(text, encoding="utf-8", newline="")
        return publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    # Reading it via os.umask() briefly changes it for every thread; /proc does not.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022
