"""The executor seam of the DSE (pimsyn/dse/executors.py, docs/scale-out.md): every
executor yields results in submission order whatever order they finish in, reports each
as it finishes, initializes each worker once; the same seed gives the same design in
this process, on local worker processes and on a Dask LocalCluster; bad --scheduler /
--cluster values are one line and exit 2; a signal ends a LocalCluster run with no
process left behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pimsyn.dse import executors
from pimsyn.dse.executors import ExecutorError, check_scheduler_url, make_executor, parse_cluster

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = ROOT / "test" / "data" / "networks" / "alexnet.json"
PIMSYN = Path(sys.executable).parent / "pimsyn"
SMALL = ["--ratios", "0.25,0.3", "--xbars", "256", "--cell-resolutions", "2", "--dac-resolutions", "1,2",
         "--effort", "0.1", "--seed", "3", "--no-macro-reuse", "-q"]

distributed = pytest.importorskip("distributed", reason="the dask extra (pimsyn[dask]) is not installed")

# ---------------------------------------------------------------------------------------
# Worker-side functions (module level: picklable by reference)
# ---------------------------------------------------------------------------------------
_STATE: dict = {}


def _init(tag: str) -> None:
    _STATE["tag"] = tag
    key = ("inits", os.getpid())  # per process (a forked worker inherits the parent's)
    _STATE[key] = _STATE.get(key, 0) + 1


def _work(index: int, slow: float = 0.0) -> tuple:
    """Task 0 takes `slow` seconds: with two workers, a later task finishes first."""
    if index == 0:
        time.sleep(slow)
    return index, _STATE.get("tag"), _STATE.get(("inits", os.getpid())), os.getpid()


def _fail(index: int) -> int:
    if index == 1:
        raise ValueError("task 1 fails")
    return index


ITEMS = [(i,) for i in range(4)]  # quick tasks


@pytest.fixture(scope="module")
def dask_executor():
    with make_executor(cluster="local:2", initializer=_init, initargs=("dask",)) as ex:
        yield ex


@pytest.mark.parametrize("kind", ["in-process", "processes", "dask"])
def test_submission_order_completion_callbacks_and_one_init_per_worker(kind, request):
    seen: list[int] = []
    items = [(i, 1.5) for i in range(4)]
    if kind == "dask":
        ex = request.getfixturevalue("dask_executor")
        results = list(ex.map(_work, items, on_done=lambda i, r: seen.append(i)))
    else:
        with make_executor(1 if kind == "in-process" else 2, initializer=_init, initargs=(kind,)) as ex:
            results = list(ex.map(_work, items, on_done=lambda i, r: seen.append(i)))
    assert [r[0] for r in results] == [0, 1, 2, 3]
    assert sorted(seen) == [0, 1, 2, 3]
    assert all(tag == kind for _, tag, _, _ in results)
    # each worker ran the initializer exactly once, however many tasks it ran
    assert all(inits == 1 for _, _, inits, _ in results)
    if kind != "in-process":
        # the slow task 0 is reported after a task that finished before it (completion
        # order), yet yielded first (submission order)
        assert seen[0] != 0, f"reported in completion order: {seen}"
        assert os.getpid() not in {pid for *_, pid in results}
    else:
        assert seen == [0, 1, 2, 3]


def test_dask_workers_initialize_once_per_executor(dask_executor):
    # A second map of the same executor does not initialize again.
    [again] = list(dask_executor.map(_work, [(9,)]))
    assert again[1] == "dask" and again[2] == 1
    # Another executor on the same cluster (through its scheduler address, as --scheduler
    # does) initializes the workers for itself; closing it leaves the cluster running...
    address = dask_executor._client.scheduler.address
    with make_executor(scheduler=address, initializer=_init, initargs=("second",)) as other:
        assert {tag for _, tag, _, _ in other.map(_work, ITEMS)} == {"second"}
    # ... and the first executor's next task initializes its worker again for the first.
    assert {tag for _, tag, _, _ in dask_executor.map(_work, ITEMS)} == {"dask"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_task_error_is_raised_as_it_is(jobs):
    with pytest.raises(ValueError, match="task 1 fails"):
        with make_executor(jobs) as ex:
            list(ex.map(_fail, [(0,), (1,), (2,)]))


def test_option_parsing():
    assert parse_cluster("local") is None and parse_cluster("local:3") == 3
    assert check_scheduler_url("tcp://10.0.0.1:8786") == "tcp://10.0.0.1:8786"
    assert check_scheduler_url("node7:8786") == "tcp://node7:8786"
    for bad in ("local:0", "foo", "local:", "local:x", "remote:2"):
        with pytest.raises(ExecutorError):
            parse_cluster(bad)
    for bad in ("notaurl", "http://x:1", "tcp://x", "tcp://x:0", "tcp://x:99999", ""):
        with pytest.raises(ExecutorError):
            check_scheduler_url(bad)


def test_missing_dask_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(ExecutorError, match=r"install pimsyn\[dask\]"):
        executors.check_executor_options(None, "local:2")


# ---------------------------------------------------------------------------------------
# Same seed, same design: this process, local worker processes, a Dask LocalCluster
# ---------------------------------------------------------------------------------------
def _masked(mlir: str) -> str:
    """design.mlir without what says how the run went rather than what it found: the
    worker count, the wall time and the seconds of the convergence curve."""
    mlir = re.sub(r"\b(jobs|wall_seconds) = [^,}]+", r"\1 = _", mlir)
    return re.sub(r"\bseconds = \[[^\]]*\]", "seconds = [_]", mlir)


def test_same_seed_same_design_on_every_executor(dask_executor):
    """--jobs 1, --jobs 2 and Dask (the LocalCluster of `dask_executor`, reached through
    its scheduler address as --scheduler does; --cluster starts one the same way, see
    the SIGTERM test) find the same design: byte-identical accelerator.json, design.mlir
    equal but for the worker count and times."""
    from pimsyn.backend.accelerator_json import accelerator_json_text
    from pimsyn.backend.report import search_summary
    from pimsyn.dse.driver import synthesize
    from pimsyn.passes.pipeline import design_to_module_text
    from test_dse_resume import NET, HW, options, uninterrupted

    def texts(result):
        return (accelerator_json_text(result.design, result.evaluation),
                _masked(design_to_module_text(result.design, None, search_summary(result))), result.evaluations)

    reference = texts(uninterrupted())  # --jobs 1
    assert texts(synthesize(NET(), HW(), options(jobs=2))) == reference
    address = dask_executor._client.scheduler.address
    dask = synthesize(NET(), HW(), options(jobs=2, scheduler=address))
    assert texts(dask) == reference
    assert "wall_seconds = _" in reference[1] and "jobs = _" in reference[1]  # the mask applied


# ---------------------------------------------------------------------------------------
# The CLI: bad values are one line and exit 2, before any work
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, message", [
    (["--cluster", "local:0"], "--cluster local:N needs 1 <= N"),
    (["--cluster", "foo"], "--cluster expects local or local:N"),
    (["--scheduler", "notaurl"], "--scheduler expects a Dask scheduler address"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--cluster", "local"], "not both"),
    (["--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
])
def test_bad_executor_options_are_one_line(tmp_path, extra, message):
    import dask

    from pimsyn.tools.cli import main

    out = tmp_path / "out"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):  # Dask's own setting
        result = CliRunner().invoke(main, ["synth", str(ALEXNET), "-p", "49", *SMALL, "-o", str(out), *extra])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output
    assert not out.exists() or list(out.iterdir()) == []


# ---------------------------------------------------------------------------------------
# A signal ends a LocalCluster run and every process it started
# ---------------------------------------------------------------------------------------
def test_sigterm_ends_a_local_cluster_run_and_its_workers(tmp_path):
    from test_cli_signals import _as_from_a_shell, alive, descendants

    outdir = tmp_path / "out"
    proc = subprocess.Popen([str(PIMSYN), "synth", str(ALEXNET), "-p", "49", *SMALL, "--effort", "0.3",
                             "--cluster", "local:2", "-o", str(outdir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_shell)
    checkpoint = outdir / ".checkpoint" / "tasks.jsonl"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if checkpoint.exists() and checkpoint.read_text().count("\n") >= 2:  # header + a task: running
                break
            time.sleep(0.05)
        assert proc.poll() is None, "synth ended before it could be signalled"
        workers = descendants(proc.pid)
        assert len(workers) >= 2, f"expected the cluster's worker processes, saw {workers}"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err, err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)], "Dask processes outlived synth"
    assert sorted(p.name for p in outdir.iterdir()) == [".checkpoint"]  # no output presented as complete
