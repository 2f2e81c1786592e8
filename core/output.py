"""The output guard: every file SeminarioIA writes goes through this module.

:func:`check_outputs` runs before any work and refuses a destination that is one of
the inputs (also through a symbolic link, ``..`` or a hard link), an existing file
unless the caller asked to overwrite, a folder, or a name given twice; a folder that
cannot be written becomes one sentence there, not after an hour of work.

Writing goes to a hidden temporary file beside the destination (same file system), and
publishing never clobbers: without ``overwrite`` the final step is
``renameat2(RENAME_NOREPLACE)`` (or a hard link), so a file that appeared at the
destination after the check is kept and the write fails instead. Temporaries are
removed on any error; those a killed run left behind are removed by the next run that
writes into the same folder. A reader never sees a half-written file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import socket
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from core.errors import (
    DiskFullError,
    FolderNotWritableError,
    InputAsOutputError,
    OutputConflictError,
    OutputExistsError,
    UnsafeOutputError,
    WriteError,
)

PathLike = str | os.PathLike[str]

# Temporaries are ".NAME.seminario-HOST-PID-XXXXXXXX.part[.ext]": the host and process
# tell a later run whether the writer is gone, so its leftovers can be removed safely.
_TAG = "seminario"
_HOST = format(zlib.crc32(socket.gethostname().encode()) & 0xFFFF, "04x")
_TEMP_NAME = re.compile(
    rf"^\..*\.{_TAG}-(?P<host>[0-9a-f]{{4}})-(?P<pid>\d+)-[a-z0-9_]{{8}}\.part(\.[A-Za-z0-9]+)?$"
)
_SCRATCH_NAME = re.compile(rf"^{_TAG}-(?P<host>[0-9a-f]{{4}})-(?P<pid>\d+)-[a-z0-9_]{{8}}$")
LEFTOVER_AGE_S = 24 * 3600.0
"""Leftovers of another machine (a shared folder) are removed only when this old."""


# --- checks -------------------------------------------------------------------------------


def same_file(a: PathLike, b: PathLike) -> bool:
    """Whether ``a`` and ``b`` name one file: by resolved path (links, ``..``) or, when
    both exist, by device and inode (hard links, bind mounts, case-insensitive disks)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_outputs(
    paths: Iterable[PathLike],
    *,
    inputs: Iterable[PathLike] = (),
    overwrite: bool = False,
) -> list[Path]:
    """Check every output of one command before it starts; returns them as paths.

    Raises :class:`InputAsOutputError` for an input, :class:`OutputExistsError` for an
    existing file (unless ``overwrite``), :class:`UnsafeOutputError` for a folder or a
    name given twice, :class:`WriteError` for a folder that cannot be written. Also
    removes what killed runs left in those folders.
    """
    outputs = [Path(p) for p in paths]
    sources = [Path(p) for p in inputs]
    for i, path in enumerate(outputs):
        for source in sources:
            if same_file(path, source):
                raise InputAsOutputError(
                    f"refusing to write over the input file {source}; choose another name"
                )
        for earlier in outputs[:i]:
            if same_file(path, earlier):
                raise UnsafeOutputError(
                    f"{path} is named twice as an output; give each output its own name"
                )
        if path.is_dir():
            raise UnsafeOutputError(f"{path} is a folder, not a file name")
        if os.path.lexists(path) and not overwrite:
            raise OutputExistsError(f"{path} already exists; pass --overwrite to replace it")
    for folder in dict.fromkeys(p.parent for p in outputs):
        check_folder(folder)
        remove_leftovers(folder)
    return outputs


def check_output(
    path: PathLike, *, inputs: Iterable[PathLike] = (), overwrite: bool = False
) -> Path:
    """:func:`check_outputs` of one path."""
    return check_outputs([path], inputs=inputs, overwrite=overwrite)[0]


def check_folder(folder: PathLike) -> Path:
    """``folder`` exists and this process may create files in it, else a typed error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise WriteError(f"the output folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        code = errno.EACCES
        with contextlib.suppress(OSError, AttributeError):
            if os.statvfs(folder).f_flag & os.ST_RDONLY:
                code = errno.EROFS
        raise write_error(OSError(code, os.strerror(code)), folder / "_")
    return folder


def write_error(exc: OSError, path: PathLike) -> WriteError:
    """The typed error, with one sentence, for ``exc`` raised while writing ``path``."""
    path = Path(path)
    folder = path.parent
    code = exc.errno
    if code == errno.EFBIG:
        return DiskFullError(
            f"{path.name} grew larger than one file may be in {folder}; nothing was written "
            "there: choose another disk (FAT32 stops at 4 GiB)"
        )
    if code in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(
            f"not enough space to write {path.name} in {folder}; nothing was written there: "
            "free some space or choose another folder"
        )
    if code == errno.EROFS:
        return FolderNotWritableError(
            f"{folder} is on a read-only disk; choose a folder you can write to"
        )
    if code in (errno.EACCES, errno.EPERM):
        return FolderNotWritableError(
            f"no permission to write in {folder}; choose a folder you can write to"
        )
    if code == errno.ENAMETOOLONG:
        return WriteError(f"the name {path.name[:60]}… is too long for the disk; use a shorter one")
    if code == errno.ENOENT and not folder.is_dir():
        return WriteError(f"the output folder {folder} does not exist (any more)")
    return WriteError(f"cannot write {path.name} in {folder}: {exc.strerror or exc}")


def make_folder(folder: PathLike) -> Path:
    """Create ``folder`` (and its parents) if missing; a refusal becomes a typed error."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UnsafeOutputError(f"{folder} is a file, not a folder") from None
    except OSError as exc:
        raise write_error(exc, folder) from exc
    return folder


def free_path(path: PathLike, *, companions: Sequence[str] = ()) -> Path:
    """``path``, or ``STEM-2.EXT``, ``STEM-3.EXT``… the first that is free, together with
    its ``companions`` (suffixes of files that go beside it, such as ``.json``)."""
    path = Path(path)
    candidate, n = path, 2
    while any(os.path.lexists(p) for p in [candidate, *_beside(candidate, companions)]):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _beside(path: Path, suffixes: Sequence[str]) -> list[Path]:
    return [path.with_suffix(s) for s in suffixes]


# --- writing ------------------------------------------------------------------------------


class CommitOnExit:
    """A ``with`` block that publishes what it wrote when it ends normally and removes it
    on any error; subclasses set ``done`` once they did either."""

    done: bool

    def commit(self) -> Path:
        """Publish; returns the published path."""
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.done:
            return
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class PendingFile(CommitOnExit):
    """A hidden temporary file beside ``path`` that becomes ``path`` on :meth:`commit`.

    Create it after :func:`check_outputs`; write to :attr:`tmp`. :meth:`commit` publishes
    without replacing anything unless ``overwrite``; :meth:`abort` (or leaving a ``with``
    block with an error) removes the temporary.
    """

    def __init__(self, path: PathLike, *, overwrite: bool = False, suffix: str = "") -> None:
        self.path = Path(path)
        self.overwrite = overwrite
        self.done = False
        name = _short(self.path.name)
        try:
            fd, tmp = tempfile.mkstemp(
                prefix=f".{name}.{_TAG}-{_HOST}-{os.getpid()}-",
                suffix=".part" + suffix,
                dir=self.path.parent,
            )
        except OSError as exc:
            raise write_error(exc, self.path) from exc
        os.close(fd)
        self.tmp = Path(tmp)

    def commit(self) -> Path:
        """Publish the temporary as :attr:`path`; raises a typed error (and removes the
        temporary) if that fails or the name was taken meanwhile."""
        self.done = True
        try:
            publish(self.tmp, self.path, overwrite=self.overwrite)
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise
        return self.path

    def abort(self) -> None:
        self.done = True
        self.tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def writing(path: PathLike, *, overwrite: bool = False, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path to fill; published as ``path`` when the block ends without
    an error, removed otherwise. An :class:`OSError` while filling becomes a typed error."""
    with PendingFile(path, overwrite=overwrite, suffix=suffix) as pending:
        try:
            yield pending.tmp
        except OSError as exc:
            raise write_error(exc, pending.path) from exc


def write_bytes(
    path: PathLike, data: bytes, *, inputs: Iterable[PathLike] = (), overwrite: bool = False
) -> Path:
    """Check ``path``, then write ``data`` to it atomically without clobbering."""
    path = check_output(path, inputs=inputs, overwrite=overwrite)
    with writing(path, overwrite=overwrite) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return path


def write_text(
    path: PathLike, text: str, *, inputs: Iterable[PathLike] = (), overwrite: bool = False
) -> Path:
    """:func:`write_bytes` of UTF-8 ``text`` (newlines written as given)."""
    return write_bytes(path, text.encode("utf-8"), inputs=inputs, overwrite=overwrite)


def publish(tmp: Path, path: Path, *, overwrite: bool) -> Path:
    """Give ``tmp`` the usual permissions and move it to ``path``; without ``overwrite``
    an existing ``path`` is never replaced (:class:`OutputConflictError`)."""
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, path)
        else:
            _rename_noreplace(tmp, path)
    except FileExistsError:
        raise OutputConflictError(
            f"{path} appeared while SeminarioIA was writing it (another program or a second "
            "run?); it was kept as it is and this result was not saved: run again with "
            "another name"
        ) from None
    except OSError as exc:
        raise write_error(exc, path) from exc
    return path


def publish_all(files: Sequence[PendingFile]) -> None:
    """Commit files that belong together (a model and its description): if one fails,
    those this call already published are removed again and the rest discarded."""
    done: list[PendingFile] = []
    try:
        for pending in files:
            pending.commit()
            done.append(pending)
    except BaseException:
        for pending in files:
            if pending not in done:
                pending.abort()
            elif not pending.overwrite:
                pending.path.unlink(missing_ok=True)
        raise


def _load_renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


_renameat2 = _load_renameat2()
_AT_FDCWD, _RENAME_NOREPLACE = -100, 1
# The file system cannot do this kind of rename or link: try the next way.
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.EXDEV}
_UNSUPPORTED |= {getattr(errno, "ENOTSUP", errno.EOPNOTSUPP), errno.EOPNOTSUPP, errno.EMLINK}


def _rename_noreplace(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst``, failing with :class:`FileExistsError` if ``dst`` exists."""
    if _renameat2 is not None:
        ok = _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE)
        if ok == 0:
            return
        code = ctypes.get_errno()
        if code == errno.EEXIST:
            raise FileExistsError(code, os.strerror(code), str(dst))
        if code not in _UNSUPPORTED:
            raise OSError(code, os.strerror(code), str(dst))
    try:
        os.link(src, dst)  # fails if dst exists, atomically
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
        # No hard links here (FAT, some network shares): the best this disk offers.
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.rename(src, dst)
        return
    os.unlink(src)


# --- temporaries ----------------------------------------------------------------------------


def remove_leftovers(folder: PathLike) -> list[Path]:
    """Remove the temporaries that runs which no longer exist left in ``folder``;
    returns what was removed. Never touches anything else."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match and entry.is_file(follow_symlinks=False) and _abandoned(entry, match):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A private temporary folder for intermediate files, removed afterwards; those of
    killed runs are removed first."""
    root = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            match = _SCRATCH_NAME.match(entry.name)
            if match and entry.is_dir(follow_symlinks=False) and _abandoned(entry, match):
                shutil.rmtree(entry.path, ignore_errors=True)
    try:
        folder = tempfile.mkdtemp(prefix=f"{_TAG}-{_HOST}-{os.getpid()}-", dir=root)
    except OSError as exc:
        raise write_error(exc, root / "scratch") from exc
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _abandoned(entry: os.DirEntry[str], match: re.Match[str]) -> bool:
    pid = int(match["pid"])
    if match["host"] == _HOST:
        return pid != os.getpid() and not _running(pid)
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_AGE_S
    except OSError:
        return False


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether ``pid`` has ended but was never reaped: a worker orphaned by a killed batch
    stays so where the container's first process does not reap (seen in CI)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc (macOS, Windows): signal 0 is all we know
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


def _short(name: str, limit: int = 100) -> str:
    # Room for the temporary's own tags within the usual 255-byte name limit.
    return name.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _umask() -> int:
    # Reading it via os.umask() briefly changes it for every thread; /proc does not.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022
