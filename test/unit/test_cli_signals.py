"""SIGTERM and SIGINT end a parallel `pimsyn synth` cleanly (issue "Nothing lost, nothing
silently wrong", defect 6): the worker processes end with it (none is left orphaned), the
exit code is non-zero, and the output folder holds no file presented as complete (outputs
are only written at the end, through temporary files renamed into place)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = ROOT / "test" / "data" / "networks" / "alexnet.json"
PIMSYN = Path(sys.executable).parent / "pimsyn"


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, grandchildren, ...), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _stat(int(entry))
            if info is not None and info[0] != "Z":
                parents[int(entry)] = info[1]
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    info = _stat(pid)
    return info is not None and info[0] != "Z"


def _as_from_a_shell() -> None:
    """Start pimsyn with default SIGINT/SIGTERM handling, as an interactive shell does: a
    child inherits ignored or blocked signals, and the pytest process may have them so
    after other tests (a clean-clone run saw synth ignore SIGINT and finish, exit 0)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_synth_and_its_workers(tmp_path, signum):
    outdir = tmp_path / "out"
    proc = subprocess.Popen(
        [str(PIMSYN), "synth", str(ALEXNET), "--total-power", "49", "--jobs", "2", "-o", str(outdir), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_shell,
    )
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            workers = descendants(proc.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "synth ended before its workers started"
        assert len(workers) >= 2, f"expected 2 workers, saw {workers}"
        time.sleep(0.5)  # let them get busy
        workers |= descendants(proc.pid)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=180)  # generous: a loaded 2-core runner is slow to reap
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert proc.returncode == 128 + signum
    assert "Traceback" not in err, err
    error_lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)], "worker processes outlived synth"
    # The checkpoint stays: it is what `synth --resume` continues (docs/scale-out.md), not an output.
    leftovers = sorted(p.name for p in outdir.iterdir() if p.name != ".checkpoint") if outdir.exists() else []
    assert leftovers == [], f"files left in the output folder: {leftovers}"


# a driver that starts two worker processes (Python's default start method set to
# argv[2]), prints their pids and kills itself: no clean-up runs
KILLED_DRIVER = """
import multiprocessing, os, signal, sys
sys.path.insert(0, sys.argv[1])
multiprocessing.set_start_method(sys.argv[2])
from pimsyn.dse.executors import make_executor
executor = make_executor(2)
print(*sorted(set(executor.map(os.getpid, [(), (), (), ()]))), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux only")
@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_workers_end_when_the_driver_is_killed(tmp_path, start_method):
    """Even a driver killed by SIGKILL (no `stop_workers`) leaves no worker behind
    (`pool.die_with_driver`), whatever Python's default start method (a fork server from
    Python 3.14; the executor forks its workers on Linux)."""
    out = tmp_path / "pids"
    with open(out, "w") as stdout:  # a file, not a pipe: orphaned workers would hold a pipe open
        proc = subprocess.run([sys.executable, "-c", KILLED_DRIVER, str(ROOT), start_method], stdout=stdout,
                              stderr=subprocess.STDOUT, timeout=60)
    assert proc.returncode == -9, out.read_text()
    pids = [int(p) for p in out.read_text().split()]
    assert pids and os.getpid() not in pids
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if alive(p)], "worker processes outlived their killed driver"
