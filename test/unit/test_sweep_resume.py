"""An interrupted sweep resumes (kill -9, `--resume`), and a sweep on a Dask LocalCluster
gives the table of the local run (docs/scale-out.md): same seed, same rows."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = str(ROOT / "test" / "data" / "networks" / "alexnet.json")
PIMSYN = str(Path(sys.executable).parent / "pimsyn")
ARGS = [ALEXNET, "--total-power", "49,52", "--ratios", "0.3", "--xbars", "256", "--cell-resolutions", "2",
        "--dac-resolutions", "1", "--effort", "0.05", "--seed", "4", "-q"]
#: columns that measure the machine, not the design
TIMING = {"wall_seconds"}


def table(outdir: Path) -> list[dict]:
    with open(outdir / "sweep.csv", newline="") as handle:
        return [{k: v for k, v in row.items() if k not in TIMING} for row in csv.DictReader(handle)]


def sweep(outdir: Path, *extra: str, timeout: float = 400) -> subprocess.CompletedProcess:
    result = subprocess.run([PIMSYN, "sweep", *ARGS, "-o", str(outdir), *extra], capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("whole")
    sweep(outdir, "--jobs", "1")
    return outdir


def test_kill_9_then_resume_gives_the_same_table(uninterrupted, tmp_path):
    log = tmp_path / ".checkpoint" / "sweep.jsonl"
    process = subprocess.Popen([PIMSYN, "sweep", *ARGS, "-o", str(tmp_path), "--jobs", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if log.exists() and len(log.read_text().splitlines()) >= 2:  # the header and one finished run
                break
            time.sleep(0.05)
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    finished = len(log.read_text().splitlines()) - 1
    assert finished == 1 and not (tmp_path / "sweep.csv").exists()
    sweep(tmp_path, "--jobs", "1", "--resume")
    assert table(tmp_path) == table(uninterrupted)
    # each run was recorded once: the finished one was not redone
    assert len(log.read_text().splitlines()) == 1 + 2


def test_a_resumed_sweep_must_be_the_same_sweep(uninterrupted):
    before = table(uninterrupted)
    other = subprocess.run([PIMSYN, "sweep", *ARGS[:-3], "--seed", "5", "-q", "-o", str(uninterrupted), "--resume"],
                           capture_output=True, text=True, timeout=120)
    assert other.returncode == 2
    assert other.stderr.count("\n") == 1 and "another sweep" in other.stderr and "seed" in other.stderr
    assert table(uninterrupted) == before


def test_a_sweep_on_a_dask_local_cluster_gives_the_local_table(uninterrupted, tmp_path):
    pytest.importorskip("distributed")
    sweep(tmp_path, "--cluster", "local:2")
    assert table(tmp_path) == table(uninterrupted)
