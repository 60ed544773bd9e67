"""Worker processes of the DSE (pimsyn/dse/pool.py): a worker never outlives its driver,
even one killed with SIGKILL before it could stop its workers (Linux)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# a driver that starts two worker processes, prints their pids and kills itself (no clean-up)
DRIVER = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from pimsyn.dse.executors import make_executor
executor = make_executor(2)
print(*sorted(set(executor.map(os.getpid, [(), (), (), ()]))), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux only")
def test_workers_end_when_the_driver_is_killed(tmp_path):
    out = tmp_path / "pids"
    with open(out, "w") as stdout:  # a file, not a pipe: orphaned workers would hold a pipe open
        proc = subprocess.run([sys.executable, "-c", DRIVER, str(ROOT)], stdout=stdout, stderr=subprocess.STDOUT,
                              timeout=60)
    assert proc.returncode == -9, out.read_text()
    pids = [int(p) for p in out.read_text().split()]
    assert pids and os.getpid() not in pids
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if _alive(p)], "worker processes outlived their killed driver"
