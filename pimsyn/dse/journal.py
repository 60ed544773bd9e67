"""`JsonlLog`: an append-only log of JSON documents, one a line, that survives kill -9 and
power loss (docs/scale-out.md, "Resume"). The synthesis checkpoint (`checkpoint.py`) and
the sweep's (`pimsyn.api.sweep`) are written with it.

Each append is flushed and fsync'd, so a record that `append` returned from is on disk;
reading ignores a torn last line (a write cut short) and the next append cuts it off; a
lock file keeps two processes from writing one log.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pimsyn.errors import PimsynError


class CheckpointError(PimsynError):
    """A checkpoint that cannot be used: from another run, corrupt, or in use."""


@dataclass(frozen=True)
class LogContents:
    records: list  # every complete record, in order (the header first, if any)
    valid_bytes: int  # length of the file up to the end of the last complete record
    torn: bool  # a partial last line was found (and is ignored)


class JsonlLog:
    """An append-only file of JSON documents, one a line.

    `JsonlLog.read(path)` -> `LogContents` (a missing file reads as no records);
    `JsonlLog.create(path, first)` starts a new log holding `first` (atomically replacing
    an old one); `JsonlLog.reopen(path, contents)` appends to an existing one (cutting a
    torn last line off first). `append(record)` writes one line, flushes it and fsyncs the
    file, so a record that `append` returned from survives a crash of the process or of
    the machine. Holds an exclusive lock (`path` + ".lock") while open: a second writer
    gets a CheckpointError. Use as a context manager or call `close()`."""

    def __init__(self, path: Path, handle, lock) -> None:
        self.path = path
        self._handle = handle
        self._lock = lock

    # ---- reading
    @staticmethod
    def read(path: Path | str) -> LogContents:
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            return LogContents([], 0, False)
        except OSError as err:
            raise CheckpointError(f"{path}: cannot read the checkpoint ({err.strerror or err})") from None
        records, valid, offset, bad = [], 0, 0, None
        lines = data.split(b"\n")
        for number, line in enumerate(lines[:-1], start=1):  # lines[-1]: after the last newline
            offset += len(line) + 1
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                bad = bad or number
                continue
            if bad is not None:  # a good line after a bad one: not a torn tail
                raise CheckpointError(f"{path}: line {bad} is corrupt (not JSON); remove the checkpoint "
                                      f"folder or rerun without --resume")
            records.append(record)
            valid = offset
        return LogContents(records, valid, torn=valid < len(data))

    # ---- writing
    @classmethod
    def create(cls, path: Path | str, first: Any) -> "JsonlLog":
        path = Path(path)
        lock = cls._lock_for(path)
        try:
            tmp = path.with_name(f".{path.name}.new")
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(_line(first))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_dir(path.parent)
            return cls(path, open(path, "a", encoding="utf-8"), lock)
        except BaseException as err:
            _release_on(lock, err, f"{path}: cannot write the checkpoint")

    @classmethod
    def reopen(cls, path: Path | str, contents: LogContents) -> "JsonlLog":
        path = Path(path)
        lock = cls._lock_for(path)
        try:
            if contents.torn:
                with open(path, "r+b") as fh:
                    fh.truncate(contents.valid_bytes)
                    fh.flush()
                    os.fsync(fh.fileno())
            return cls(path, open(path, "a", encoding="utf-8"), lock)
        except BaseException as err:
            _release_on(lock, err, f"{path}: cannot append to the checkpoint")

    def append(self, record: Any) -> None:
        try:
            self._handle.write(_line(record))
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as err:
            raise CheckpointError(f"{self.path}: cannot append to the checkpoint ({err.strerror or err})") from None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        _release(self._lock)
        self._lock = None

    def __enter__(self) -> "JsonlLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def _lock_for(path: Path):
        import fcntl

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path.with_name(path.name + ".lock"), "a")
        except OSError as err:
            raise CheckpointError(f"{path}: cannot write the checkpoint ({err.strerror or err})") from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise CheckpointError(f"{path} is in use by another pimsyn run (same output folder)") from None
        return handle


def _line(record: Any) -> str:
    return json.dumps(record, separators=(",", ":"), allow_nan=True) + "\n"


def _release_on(lock, err: BaseException, what: str):
    """After a failure while the lock is held: release it, then raise (an OSError as a
    one-line CheckpointError, anything else as it is)."""
    _release(lock)
    if isinstance(err, OSError):
        raise CheckpointError(f"{what} ({err.strerror or err})") from None
    raise err


def _release(lock) -> None:
    if lock is not None:
        lock.close()  # closing the file releases the flock


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
