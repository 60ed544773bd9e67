"""Checkpoint and resume of a synthesis run (docs/scale-out.md, "Resume").

Every finished DSE task is appended to ``OUTDIR/.checkpoint/tasks.jsonl`` as it finishes,
one JSON line each, flushed and fsync'd; the first line identifies the run (`run_identity`:
hashes of the network and hardware table, and every option that changes the result).
``pimsyn synth --resume`` reads it back, takes every task already there from it and runs
only the rest, so the run ends with the design an uninterrupted run gives.

Two layers:

* `JsonlLog` (`journal.py`): a reusable append-only log of JSON documents, one a line,
  each append flushed and fsync'd; reading it ignores a torn last line (kill -9 or power
  loss in the middle of a write) and the next append cuts it off. A lock file keeps two
  processes from writing one log.
* `TaskCheckpoint`: the DSE's tasks in such a log: keys, exact codecs of the tasks'
  results (`ComboOutcome`, `Configuration` with its memo, which later tasks continue
  from), and the check that a task's input is the one recorded.

Exactness: results are JSON with floats written by `repr` (JSON's shortest round trip),
every array read back as a tuple, so a decoded result equals the computed one; `-inf`
fitness values are written as JSON's `-Infinity` extension (Python reads it back).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pimsyn.dse.journal import CheckpointError, JsonlLog, LogContents  # noqa: F401  (re-exported)

FORMAT = 1
DIRECTORY = ".checkpoint"
FILE = "tasks.jsonl"
#: SynthesisOptions fields that never change a result (how it runs, not what it finds)
NOT_IDENTITY = frozenset({"jobs", "progress", "scheduler", "cluster", "checkpoint_dir", "resume"})


# --------------------------------------------------------------------------------------
# Exact codecs
# --------------------------------------------------------------------------------------
def to_plain(value: Any) -> Any:
    """A JSON-ready copy: dataclasses -> dicts of their fields, tuples -> lists, numpy
    scalars -> Python numbers (equal values, equal hashes)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_plain(value.item())
    if hasattr(value, "tolist"):  # numpy arrays
        return to_plain(value.tolist())
    raise TypeError(f"cannot checkpoint a {type(value).__name__}")


def as_tuples(value: Any) -> Any:
    """Every JSON array of `value` as a tuple (the dataclasses here hold tuples only)."""
    if isinstance(value, list):
        return tuple(as_tuples(v) for v in value)
    return value


def from_plain(cls, data: Mapping[str, Any]):
    """The dataclass `cls` from `to_plain`'s dict (arrays as tuples)."""
    return cls(**{f.name: as_tuples(data[f.name]) for f in dataclasses.fields(cls) if f.name in data})


def digest(value: Any) -> str:
    """A short stable hash of a JSON-ready value."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def encode_memo(memo: tuple, base: tuple = ()) -> dict:
    """`memo` relative to the memo its task started from: a continuation keeps the tail
    of `base` and appends what it found (`PointCache.items`), so only the new entries are
    written: {"drop": d, "new": [...]} means base[d:] + new. Anything else: {"full": [...]}."""
    if memo and base:
        start = next((i for i, (key, _) in enumerate(base) if key == memo[0][0]), None)
        if start is not None:
            kept = len(base) - start
            if len(memo) >= kept and tuple(memo[:kept]) == tuple(base[start:]):
                return {"drop": start, "new": to_plain(memo[kept:])}
    return {"full": to_plain(memo)}


def decode_memo(data: Mapping[str, Any], base: tuple = ()) -> tuple:
    if "full" in data:
        return as_tuples(data["full"])
    return tuple(base[int(data["drop"]):]) + as_tuples(data["new"])


def encode_configuration(config, base_memo: tuple = ()) -> dict:
    plain = {f.name: to_plain(getattr(config, f.name)) for f in dataclasses.fields(config) if f.name != "memo"}
    plain["memo"] = encode_memo(config.memo, base_memo)
    return plain


def decode_configuration(data: Mapping[str, Any], base_memo: tuple = ()):
    from pimsyn.dse.tasks import Configuration

    fields = dict(data)
    memo = decode_memo(fields.pop("memo"), base_memo)
    return from_plain(Configuration, {**fields, "memo": memo})


def encode_screen(result) -> dict:
    outcome, configurations = result
    return {"outcome": to_plain(outcome), "arms": [encode_configuration(c) for c in configurations]}


def decode_screen(data: Mapping[str, Any]):
    from pimsyn.dse.result import ComboOutcome

    return from_plain(ComboOutcome, data["outcome"]), [decode_configuration(c) for c in data["arms"]]


# --------------------------------------------------------------------------------------
# The run's identity
# --------------------------------------------------------------------------------------
def run_identity(net, hw, options, budget) -> dict:
    """What a run's result depends on: the network and hardware table (hashed), the
    pimsyn version, the search budget and every option except how the run is executed
    (`NOT_IDENTITY`). Two runs with equal identities find the same design."""
    identity: dict[str, Any] = {"pimsyn": _version(), "network": _network_hash(net),
                                "hardware": digest(to_plain(dict(hw.raw))) if getattr(hw, "raw", None) else
                                _pickle_hash(hw)}
    for f in dataclasses.fields(options):
        if f.name not in NOT_IDENTITY:
            identity[f.name] = to_plain(getattr(options, f.name))
    identity["budget"] = to_plain(budget)
    return identity


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pimsyn")
    except metadata.PackageNotFoundError:
        return "unknown"


def _network_hash(net) -> str:
    try:
        from pimsyn.frontend.network_json_export import network_to_json

        return digest(to_plain(network_to_json(net)))
    except Exception:  # a network the exporter cannot write: its pickle
        return _pickle_hash(net)


def _pickle_hash(value) -> str:
    import pickle

    return hashlib.sha256(pickle.dumps(value)).hexdigest()[:20]


_WHAT = {"network": "the network", "hardware": "the hardware table", "pimsyn": "the pimsyn version",
         "budget": "the search budget", "space": "the design space", "total_power_w": "--total-power",
         "area_mm2": "--area-mm2"}


def differences(stored: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """What differs between two run identities, named for a person."""
    out = []
    for key in list(current) + [k for k in stored if k not in current]:
        old, new = stored.get(key), current.get(key)
        if old == new:
            continue
        what = _WHAT.get(key, "--" + key.replace("_", "-"))
        if key in ("network", "hardware"):
            out.append(what)
        elif isinstance(old, Mapping) and isinstance(new, Mapping):
            parts = [f"{k} {_short(old.get(k))} there, {_short(new.get(k))} now"
                     for k in list(new) + [k for k in old if k not in new] if old.get(k) != new.get(k)]
            out.append(f"{what} ({', '.join(parts)})")
        else:
            out.append(f"{what} ({_short(old)} there, {_short(new)} now)")
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":")) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "..."


# --------------------------------------------------------------------------------------
# The DSE's tasks in a checkpoint
# --------------------------------------------------------------------------------------
def checkpoint_path(outdir: Path | str) -> Path:
    return Path(outdir) / DIRECTORY / FILE


class TaskCheckpoint:
    """The finished tasks of one synthesis run, in `OUTDIR/.checkpoint/tasks.jsonl`.

    `TaskCheckpoint.open(outdir, identity, resume, note)` reads and checks (writes nothing):
    with `resume`, the tasks of a checkpoint of the same run are kept (a checkpoint of
    another run is a CheckpointError naming what differs; none: a note, a fresh start).
    `start()` then begins writing: it appends to the kept checkpoint, or replaces any old
    one with a fresh log (a note says so). `screened`/`improved` return a finished task's
    result or None; `add_screen`/`add_improve` append one. Records:

        {"pimsyn_checkpoint": 1, "run": {...identity...}}          (first line)
        {"task": "screen/3", "in": "<hash of the input>", "out": {...}}
        {"task": "improve/1/0/0/3/0/2", "in": "...", "out": {...}}
    """

    def __init__(self, path: Path, header: dict, contents: LogContents | None, finished: dict[str, dict]) -> None:
        self.path = path
        self._header = header
        self._contents = contents  # the checkpoint resumed, None: start a fresh one
        self._finished = finished
        self._log: JsonlLog | None = None
        self.restored = 0  # tasks taken from the checkpoint
        self.written = 0  # tasks appended by this run

    @classmethod
    def open(cls, outdir: Path | str, identity: dict, resume: bool,
             note: Callable[[str], None] = lambda text: None) -> "TaskCheckpoint":
        path = checkpoint_path(outdir)
        header = {"pimsyn_checkpoint": FORMAT, "run": identity}
        contents = JsonlLog.read(path)
        if not resume:
            if contents.records or contents.torn:
                note(f"replacing the checkpoint of an earlier run in {path.parent} (--resume continues one)")
            return cls(path, header, None, {})
        if not contents.records:
            note(f"--resume: no checkpoint in {path.parent}, starting from the beginning")
            return cls(path, header, None, {})
        first = contents.records[0]
        if not isinstance(first, dict) or first.get("pimsyn_checkpoint") != FORMAT:
            raise CheckpointError(f"{path} is not a pimsyn checkpoint of this version; "
                                  f"rerun without --resume to start over")
        changed = differences(first.get("run", {}), identity)
        if changed:
            raise CheckpointError(f"{path} is from another run: {'; '.join(changed)}; "
                                  f"rerun without --resume to start over")
        finished = {r["task"]: r for r in contents.records[1:] if isinstance(r, dict) and "task" in r}
        note(f"--resume: {len(finished)} finished task(s) in {path}"
             + (" (a torn last line ignored)" if contents.torn else ""))
        return cls(path, header, contents, finished)

    def start(self) -> None:
        """Begin writing (once the run is sure to start): append to the checkpoint resumed,
        or replace any old one with a fresh log."""
        if self._log is None:
            self._log = (JsonlLog.create(self.path, self._header) if self._contents is None
                         else JsonlLog.reopen(self.path, self._contents))

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    # ---- screening tasks: (index, combo) -> (ComboOutcome, [Configuration])
    def screened(self, index: int, combo: tuple) -> tuple | None:
        record = self._finished.get(f"screen/{index}")
        if record is None or record.get("in") != digest(to_plain(combo)):
            return None
        self.restored += 1
        return decode_screen(record["out"])

    def add_screen(self, index: int, combo: tuple, result) -> None:
        self._append(f"screen/{index}", digest(to_plain(combo)), encode_screen(result))

    # ---- refinement tasks: (arm, evaluations, path) -> Configuration
    def improved(self, arm, evaluations: int, path: tuple) -> Any | None:
        record = self._finished.get(_improve_key(path))
        if record is None or record.get("in") != _improve_input(arm, evaluations):
            return None
        self.restored += 1
        return decode_configuration(record["out"], arm.memo)

    def add_improve(self, arm, evaluations: int, path: tuple, result) -> None:
        self._append(_improve_key(path), _improve_input(arm, evaluations), encode_configuration(result, arm.memo))

    def _append(self, key: str, given: str, out: dict) -> None:
        self.start()
        self._log.append({"task": key, "in": given, "out": out})
        self._finished[key] = {"task": key, "in": given, "out": out}
        self.written += 1

    def tasks(self) -> Iterator[str]:
        return iter(self._finished)


def _improve_key(path: tuple) -> str:
    return "improve/" + "/".join(str(int(p)) for p in path)


def _improve_input(arm, evaluations: int) -> str:
    return digest([encode_configuration(arm), int(evaluations)])


__all__ = ["CheckpointError", "JsonlLog", "LogContents", "TaskCheckpoint", "checkpoint_path", "run_identity",
           "differences", "to_plain", "from_plain", "encode_configuration", "decode_configuration",
           "encode_screen", "decode_screen"]
