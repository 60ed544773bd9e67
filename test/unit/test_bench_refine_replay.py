"""bench/refine_replay.py: a captured state replayed with the run's own chunk count ends at
the synthesis's own result (the replay is the driver's refinement, not an imitation), and
bad input gets one line and a non-zero exit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pimsyn.dse.driver import synthesize
from pimsyn.dse.result import SynthesisOptions
from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw import load_hardware

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "refine_replay.py"
EFFORT = "0.1"  # a quick search with every phase: screening, halving rounds, refinement


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def _best(done: subprocess.CompletedProcess) -> float:
    """The replay's result: its 'best X GOPS/W' line."""
    assert done.returncode == 0, done.stderr
    return float(re.search(r"^best ([0-9.]+) GOPS/W", done.stdout, re.M).group(1))


@pytest.fixture(scope="module")
def captured(tmp_path_factory) -> Path:
    state = tmp_path_factory.mktemp("replay") / "alexnet.pkl"
    done = _run("capture", "--network", "alexnet", "--power", "49", "--seed", "3", "--effort", EFFORT,
                "--jobs", "1", "--out", str(state))
    assert done.returncode == 0, done.stderr
    assert f"-> {state}" in done.stdout
    return state


def test_replay_ends_at_the_synthesis_result(captured):
    options = SynthesisOptions(total_power_w=49, macro_setting="specified", macro_reuse=True, seed=3, jobs=1,
                               effort=float(EFFORT), progress=False)
    result = synthesize(load_network_json(ROOT / "test" / "data" / "networks" / "alexnet.json"),
                        load_hardware(), options)
    before = captured.read_bytes()
    best = _best(_run("replay", str(captured), "--jobs", "1"))
    assert best == round(result.evaluation.power_efficiency_gops_per_w, 2)
    assert captured.read_bytes() == before  # the state is input, never rewritten


def test_more_chunks_never_end_lower(captured):
    shorter, longer = (_best(_run("replay", str(captured), "--jobs", "1", "--chunks", chunks)) for chunks in ("1", "3"))
    assert longer >= shorter


def test_another_draw_never_ends_below_the_start(captured):
    import pickle

    start = max(arm.fitness for arm in pickle.loads(captured.read_bytes())["arms"]) / 1e9
    assert _best(_run("replay", str(captured), "--jobs", "1", "--salt", "1")) >= round(start, 2)


def test_an_unknown_arm_is_one_line_and_a_failure(captured):
    done = _run("replay", str(captured), "--arms", "999,9,9")
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0 and "no captured arm [(999, 9, 9)]" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_phase_the_run_does_not_have_is_rejected(tmp_path):
    done = _run("capture", "--network", "alexnet", "--power", "49", "--at", "screen", "--out", str(tmp_path / "x"))
    assert done.returncode != 0 and "--at must be 'refine' or 'halve K'" in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("content", [b"not a pickle", b"\x80\x04K\x01."])  # garbage; a pickled int
def test_a_file_capture_did_not_write_is_one_line(tmp_path, content):
    state = tmp_path / "state.pkl"
    state.write_bytes(content)
    done = _run("replay", str(state))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "is not a state written by 'capture'" in done.stderr


def test_an_unknown_network_is_one_line(tmp_path):
    done = _run("capture", "--network", "lenet", "--power", "49", "--out", str(tmp_path / "x"))
    assert done.returncode != 0 and "no network 'lenet' (one of: alexnet," in done.stderr
    assert not (tmp_path / "x").exists()
