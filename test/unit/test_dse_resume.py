"""Checkpoint and resume of `pimsyn synth` (pimsyn/dse/checkpoint.py, docs/scale-out.md):
a run killed with SIGKILL and rerun with --resume ends with the design of an uninterrupted
run and does not redo a finished task; a torn last line is ignored; a checkpoint of another
run is one line and exit 2; the codecs give back exactly what the tasks returned."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pimsyn.dse.checkpoint import (
    CheckpointError, JsonlLog, TaskCheckpoint, checkpoint_path, decode_configuration, decode_screen, differences,
    encode_configuration, encode_memo, decode_memo, encode_screen, run_identity, to_plain,
)
from pimsyn.dse.result import ComboOutcome, SynthesisOptions
from pimsyn.dse.space import DesignSpace
from pimsyn.dse.tasks import Configuration

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = ROOT / "test" / "data" / "networks" / "alexnet.json"
PIMSYN = Path(sys.executable).parent / "pimsyn"
SPACE = DesignSpace(rram_ratios=(0.25, 0.3), cell_resolutions=(2,), xbar_sizes=(256,), dac_resolutions=(1, 2))
#: the same run on the command line (`options()`): 2 screening tasks, then refinement tasks
CLI_SMALL = ["-p", "49", "--ratios", "0.25,0.3", "--xbars", "256", "--cell-resolutions", "2", "--dac-resolutions",
             "1,2", "--effort", "0.1", "--seed", "3", "--no-macro-reuse", "-q"]


@functools.cache
def NET():
    from pimsyn.frontend.network_json import load_network_json

    return load_network_json(ALEXNET)


@functools.cache
def HW():
    from pimsyn.hw import load_hardware

    return load_hardware()


def options(**changes) -> SynthesisOptions:
    base = dict(total_power_w=49.0, macro_setting="specified", macro_reuse=False, seed=3, jobs=1, effort=0.1,
                space=SPACE, progress=False)
    return SynthesisOptions(**{**base, **changes})


@functools.cache
def uninterrupted():
    """The run of `options()` without a checkpoint, in this process (--jobs 1)."""
    from pimsyn.dse.driver import synthesize

    return synthesize(NET(), HW(), options())


def _reference_json() -> str:
    from pimsyn.backend.accelerator_json import accelerator_json_text

    result = uninterrupted()
    return accelerator_json_text(result.design, result.evaluation)


def _tasks(path: Path) -> list[str]:
    """Task keys of the complete lines of a checkpoint, in order."""
    return [record["task"] for record in JsonlLog.read(path).records[1:]]


def _as_from_a_shell_in_its_own_group() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    os.setpgrp()


# ---------------------------------------------------------------------------------------
# kill -9, then --resume
# ---------------------------------------------------------------------------------------
def test_kill_9_then_resume_gives_the_uninterrupted_design_and_redoes_nothing(tmp_path):
    from pimsyn.dse.driver import synthesize
    from pimsyn.tools.cli import main

    out = tmp_path / "out"
    checkpoint = checkpoint_path(out)
    proc = subprocess.Popen([str(PIMSYN), "synth", str(ALEXNET), *CLI_SMALL, "-j", "1", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_from_a_shell_in_its_own_group)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if checkpoint.exists() and checkpoint.read_bytes().count(b"\n") >= 1 + 3:  # header + 3 tasks
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"synth ended before it could be killed: {proc.stderr.read()}"
        os.killpg(proc.pid, signal.SIGKILL)  # the run and any process it started
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "accelerator.json").exists(), "the killed run wrote its outputs: it had finished"
    finished = _tasks(checkpoint)
    assert len(finished) >= 3
    killed = checkpoint.read_bytes()
    # A power loss in the middle of an append leaves a torn last line: simulate one.
    with open(checkpoint, "ab") as fh:
        fh.write(b'{"task":"improve/1/1/0/0/0/1","in":"0123')
    valid = len(killed) if killed.endswith(b"\n") else killed.rindex(b"\n") + 1

    result = CliRunner().invoke(main, ["synth", str(ALEXNET), *CLI_SMALL, "-j", "1", "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert f"--resume: {len(finished)} finished task(s)" in result.stderr
    assert "torn last line ignored" in result.stderr
    # Same design as a run that was never interrupted (and the same bytes of accelerator.json).
    assert (out / "accelerator.json").read_text() == _reference_json()
    # Nothing finished was redone: the checkpoint kept every line it had and gained only
    # the tasks that had not finished, each once.
    after = checkpoint.read_bytes()
    assert after[:valid] == killed[:valid]
    tasks = _tasks(checkpoint)
    assert tasks[:len(finished)] == finished and len(set(tasks)) == len(tasks)
    ran = len(tasks) - len(finished)
    assert ran >= 1 and f"{len(finished)} task(s) taken from the checkpoint, {ran} run" in result.stderr

    # Resuming the finished run again runs no task at all and finds the same design.
    notes: list[str] = []
    again = synthesize(NET(), HW(), options(checkpoint_dir=str(out), resume=True), note=notes.append)
    assert again.design == uninterrupted().design
    assert notes[-1] == f"--resume: {len(tasks)} task(s) taken from the checkpoint, 0 run"
    assert checkpoint.read_bytes() == after


def test_checkpoint_of_another_run_is_one_line_and_exit_2(tmp_path):
    from pimsyn.tools.cli import main

    out = tmp_path / "out"
    header = {"pimsyn_checkpoint": 1, "run": run_identity(NET(), HW(), options(), _budget())}
    JsonlLog.create(checkpoint_path(out), header).close()
    before = checkpoint_path(out).read_bytes()
    argv = ["synth", str(ALEXNET), *CLI_SMALL, "--seed", "4", "-j", "1", "-o", str(out), "--resume"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "from another run: --seed (3 there, 4 now)" in lines[0]
    assert checkpoint_path(out).read_bytes() == before  # left as it was
    assert sorted(p.name for p in out.iterdir()) == [".checkpoint"]  # nothing written


def _budget():
    from pimsyn.dse.driver import search_budget

    return search_budget(NET(), HW(), options())


def test_run_identity_names_what_changes_the_result_and_only_that():
    budget = _budget()
    base = run_identity(NET(), HW(), options(), budget)
    # how the run is executed is not part of it
    same = run_identity(NET(), HW(), options(jobs=2, scheduler="tcp://h:8786", progress=True, checkpoint_dir="x",
                                             resume=True), budget)
    assert same == base
    for changes, named in (({"seed": 4}, "--seed"), ({"effort": 0.2}, "--effort"), ({"total_power_w": 50.0},
                                                                                      "--total-power"),
                           ({"macro_reuse": True}, "--macro-reuse"), ({"area_mm2": 100.0}, "--area-mm2"),
                           ({"space": dataclasses.replace(SPACE, dac_resolutions=(1,))}, "the design space")):
        changed = differences(base, run_identity(NET(), HW(), options(**changes), budget))
        assert len(changed) == 1 and changed[0].startswith(named), changed
    from pimsyn.frontend.network_json import load_network_json

    other_net = load_network_json(ALEXNET.with_name("vgg13.json"))
    assert differences(base, run_identity(other_net, HW(), options(), budget)) == ["the network"]
    # the hardware table: its contents, not where it came from
    from pimsyn.hw.config import hardware_from_dict

    table = to_plain(HW().raw)
    assert differences(base, run_identity(NET(), hardware_from_dict(table, "copy.json"), options(), budget)) == []
    table["noc_power"] = table["noc_power"] * 2
    assert differences(base, run_identity(NET(), hardware_from_dict(table), options(), budget)) == ["the hardware table"]


def test_resume_without_a_checkpoint_starts_fresh_and_a_new_run_replaces_one(tmp_path):
    identity = {"seed": 3}
    notes: list[str] = []
    fresh = TaskCheckpoint.open(tmp_path, identity, resume=True, note=notes.append)
    assert notes == [f"--resume: no checkpoint in {tmp_path / '.checkpoint'}, starting from the beginning"]
    assert not checkpoint_path(tmp_path).exists()  # nothing written before the run starts
    fresh.start()
    fresh._append("screen/0", "x", {"v": 1})
    fresh.close()
    assert _tasks(checkpoint_path(tmp_path)) == ["screen/0"]
    notes.clear()
    replaced = TaskCheckpoint.open(tmp_path, identity, resume=False, note=notes.append)
    assert len(notes) == 1 and notes[0].startswith("replacing the checkpoint of an earlier run")
    replaced.start()
    replaced.close()
    assert JsonlLog.read(checkpoint_path(tmp_path)).records == [{"pimsyn_checkpoint": 1, "run": identity}]


# ---------------------------------------------------------------------------------------
# The append-only log
# ---------------------------------------------------------------------------------------
def test_log_ignores_a_torn_last_line_and_cuts_it_before_appending(tmp_path):
    path = tmp_path / "log.jsonl"
    with JsonlLog.create(path, {"h": 1}) as log:
        log.append({"a": [1, 2.5]})
    with open(path, "ab") as fh:
        fh.write(b'{"b": [3, 4')  # torn
    contents = JsonlLog.read(path)
    assert contents.records == [{"h": 1}, {"a": [1, 2.5]}] and contents.torn
    with JsonlLog.reopen(path, contents) as log:
        log.append({"c": -math.inf})
    contents = JsonlLog.read(path)
    assert contents.records == [{"h": 1}, {"a": [1, 2.5]}, {"c": -math.inf}] and not contents.torn
    assert path.read_text().count("\n") == 3


def test_log_refuses_a_corrupt_middle_line_and_a_second_writer(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"h": 1}\n{"a": \n{"b": 2}\n')
    with pytest.raises(CheckpointError, match="line 2 is corrupt"):
        JsonlLog.read(path)
    with JsonlLog.create(tmp_path / "other.jsonl", {"h": 1}):
        with pytest.raises(CheckpointError, match="in use by another pimsyn run"):
            JsonlLog.reopen(tmp_path / "other.jsonl", JsonlLog.read(tmp_path / "other.jsonl"))
    assert JsonlLog.read(tmp_path / "missing.jsonl").records == []


# ---------------------------------------------------------------------------------------
# Exact codecs
# ---------------------------------------------------------------------------------------
def _through_a_file(data):
    """What a record becomes once written and read back."""
    return json.loads(json.dumps(data, separators=(",", ":"), allow_nan=True))


def _shape(value):
    """Types all the way down (a list where a tuple was would differ)."""
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, tuple((f.name, _shape(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_shape(v) for v in value))
    return type(value).__name__


ints = st.integers(min_value=-1, max_value=10**6)
floats = st.floats(allow_nan=False) | st.sampled_from([-math.inf, 0.0, -0.0, 1e-320, 5e-324, 1.7976931348623157e308])
keys = st.tuples(st.tuples(*[ints] * 3), st.tuples(*[ints] * 4), st.tuples(*[ints] * 4))
memos = st.lists(st.tuples(keys, floats), max_size=12, unique_by=lambda e: e[0]).map(tuple)


@st.composite
def configurations(draw, memo=memos):
    return Configuration(
        combo_index=draw(ints), candidate_index=draw(ints), rram_ratio=draw(floats), cell_res=draw(ints),
        xbar_size=draw(ints), dac_res=draw(ints), adc_res=draw(ints), conv_budget=draw(ints),
        conv_dup=draw(st.lists(ints, max_size=6).map(tuple)), macros=draw(st.lists(ints, max_size=6).map(tuple)),
        partners=draw(st.lists(ints, max_size=6).map(tuple)), fitness=draw(floats), evaluations=draw(ints),
        memo=draw(memo), timeouts=draw(ints), climber=draw(ints))


@settings(max_examples=150, deadline=None)
@given(config=configurations(), base=memos)
def test_configuration_round_trip_is_exact(config, base):
    back = decode_configuration(_through_a_file(encode_configuration(config, base)), base)
    assert back == config and _shape(back) == _shape(config)


@settings(max_examples=150, deadline=None)
@given(base=memos, new=memos, limit=st.integers(min_value=1, max_value=30))
def test_a_continued_memo_is_written_as_its_new_entries(base, new, limit):
    seen = {key for key, _ in base}
    new = tuple(entry for entry in new if entry[0] not in seen)
    memo = (base + new)[-limit:]  # what a continuation returns (PointCache.items)
    encoded = _through_a_file(encode_memo(memo, base))
    assert decode_memo(encoded, base) == memo
    from_base = max(0, len(memo) - len(new))  # entries of `base` the continuation kept
    if from_base:  # written as base[drop:] + the new entries only
        assert encoded == {"drop": len(base) - from_base, "new": to_plain(memo[from_base:])}


@settings(max_examples=100, deadline=None)
@given(outcome=st.builds(ComboOutcome, index=ints, rram_ratio=floats, cell_res=ints, xbar_size=ints,
                         status=st.sampled_from(["explored", "skipped", "infeasible"]), reason=st.text(max_size=20),
                         crossbars=ints, candidates=ints, best_gops_per_w=floats, best_dac_res=ints,
                         best_conv_dup=st.lists(ints, max_size=5).map(tuple), finalist=st.booleans(),
                         evaluations=ints, seconds=floats, timeouts=ints),
       arms=st.lists(configurations(), max_size=3))
def test_screening_result_round_trip_is_exact(outcome, arms):
    back = decode_screen(_through_a_file(encode_screen((outcome, arms))))
    assert back == (outcome, arms) and _shape(back[0]) == _shape(outcome) and _shape(back[1]) == _shape(arms)


def test_real_task_results_round_trip_exactly():
    """What the tasks really return (types included: no numpy scalars, tuples stay tuples)."""
    from pimsyn.dse import tasks

    tasks.init_worker(NET(), HW(), options(), _budget())
    screened = tasks.screen_combination(1, SPACE.combinations()[1])
    back = decode_screen(_through_a_file(encode_screen(screened)))
    assert back == screened and _shape(back[0]) == _shape(screened[0]) and _shape(back[1]) == _shape(screened[1])
    arm = screened[1][0]
    improved = tasks.improve_arm(arm, 30, (1, 0, 0, *arm.order))
    encoded = _through_a_file(encode_configuration(improved, arm.memo))
    assert "new" in encoded["memo"]  # written as the entries the task added
    back = decode_configuration(encoded, arm.memo)
    assert back == improved and _shape(back) == _shape(improved)
