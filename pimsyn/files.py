"""Safe file input and output for every command (layer 0, beside `pimsyn.errors`).

Outputs are never written in place: the text goes to a temporary file in the same folder
(``.NAME.XXXX.tmp``) that is renamed over the destination only when it is complete, so a
failure or a signal leaves the old file (or no file) and no half-written one. Paths are
checked before any work (`check_output_file`, `check_output_dir`) so that a bad ``-o``
is reported in one line before a long search, not after it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from pimsyn.errors import PimsynError

TEMP_SUFFIX = ".tmp"


class OutputPathError(PimsynError):
    """An output path that cannot be written (a folder, a file used as a folder, no permission)."""


class InputFileError(PimsynError):
    """An input file that cannot be read as text."""


def _temp_for(path: Path) -> tuple[int, str]:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # what open() would have given the file
    return fd, tmp


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_text_atomic(path: Path | str, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and a rename, so
    a reader never sees a half-written file and a failure leaves the old file intact."""
    write_files_atomic({Path(path): text})


def write_or_print(text: str, output: Path | str | None) -> None:
    """`text` to the -o file of a command (atomically), or to stdout without one."""
    if output:
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def write_files_atomic(files: Mapping[Path, str | bytes] | Iterable[tuple[Path, str | bytes]]) -> list[Path]:
    """Write several files as one step: every text goes to a temporary file first, and the
    renames (fast, atomic each) happen only once all of them are complete. On any failure
    (or a signal) every temporary file is removed and no destination was touched, unless
    the failure happens between two renames (then the renamed files are complete ones)."""
    items = list(files.items() if isinstance(files, Mapping) else files)
    pending: list[tuple[str, Path]] = []
    try:
        for path, text in items:
            path = Path(path)
            check_output_file(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = _temp_for(path)
            except OSError as err:
                raise OutputPathError(f"output file '{path}' cannot be written ({err.strerror or err})") from None
            pending.append((tmp, path))
            with os.fdopen(fd, "wb" if isinstance(text, bytes) else "w") as fh:
                fh.write(text)
        done: list[Path] = []
        while pending:
            tmp, path = pending[0]
            os.replace(tmp, path)
            pending.pop(0)
            done.append(path)
        return done
    finally:
        for tmp, _ in pending:
            _unlink_quietly(tmp)


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and probe != probe.parent:
        if probe.is_symlink():  # a dangling link: its folder decides
            break
        probe = probe.parent
    return probe


def check_output_file(path: Path | str, what: str = "output file") -> Path:
    """Fail in one line unless `path` can be created or replaced as a regular file."""
    path = Path(path)
    if str(path) in ("", "."):
        raise OutputPathError(f"{what} '{path}' is not a file name")
    if path.is_dir():
        raise OutputPathError(f"{what} '{path}' is a directory")
    if path.exists() and not path.is_file():
        raise OutputPathError(f"{what} '{path}' is not a regular file")
    if path.exists() and not os.access(path.parent, os.W_OK):
        raise OutputPathError(f"{what} '{path}' cannot be replaced: its folder is not writable")
    _check_folder(path.parent, f"{what} '{path}'")
    return path


def check_output_dir(path: Path | str, what: str = "output directory") -> Path:
    """Fail in one line unless `path` is (or can be created as) a writable directory."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{what} '{path}' exists and is not a directory")
    _check_folder(path, f"{what} '{path}'")
    return path


def _check_folder(folder: Path, label: str) -> None:
    existing = _nearest_existing(folder if str(folder) else Path("."))
    if existing.exists() and not existing.is_dir():
        raise OutputPathError(f"{label}: '{existing}' is a file, not a directory")
    if existing.exists() and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputPathError(f"{label}: '{existing}' is not writable")


def read_text(path: Path | str, what: str = "input file") -> str:
    """The text of an input file; one-line errors for a missing, unreadable or binary file."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except UnicodeDecodeError:
        raise InputFileError(f"{what} '{path}' is not a UTF-8 text file") from None
    except OSError as err:
        raise InputFileError(f"{what} '{path}': {err.strerror or err}") from None


def check_text_file(path: Path | str, what: str = "input file") -> None:
    """Fail in one line unless `path` is a readable UTF-8 text file (checked before any work)."""
    read_text(path, what)
