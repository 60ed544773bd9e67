"""`pimsyn sweep` and `pimsyn.sweep` (docs/api.md, "Sweeps"): one row per run with every
metric, CSV and Parquet that agree, the Pareto front by its definition, a budget too small
for a network as a row (not the end of the sweep), and one-line errors for bad input."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from pimsyn.api.pareto import pareto_flags
from pimsyn.api.sweep import COLUMNS
from pimsyn.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = str(ROOT / "test" / "data" / "networks" / "alexnet.json")
SPACE_ARGS = ["--ratios", "0.3", "--xbars", "256", "--cell-resolutions", "2", "--dac-resolutions", "1"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("sweep")
    result = CliRunner().invoke(main, ["sweep", ALEXNET, "--total-power", "10,45:50:10", "--macro-reuse", "both",
                                       "--effort", "0.1", "--jobs", "1", "-q", "-o", str(outdir), *SPACE_ARGS])
    assert result.exit_code == 0, result.output
    with open(outdir / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return outdir, rows, result.output


def test_one_row_per_run_with_every_column(swept):
    outdir, rows, output = swept
    assert [r["run"] for r in rows] == [
        "alexnet-10W-specified", "alexnet-10W-specified-noshare", "alexnet-45W-specified",
        "alexnet-45W-specified-noshare"]
    assert list(rows[0]) == list(COLUMNS)
    # 10 W cannot hold AlexNet's weights: a row that says why, and the sweep went on
    assert [r["status"] for r in rows[:2]] == ["infeasible", "infeasible"]
    assert "cannot hold the weights" in rows[0]["error"]
    for row in rows[2:]:
        assert row["status"] == "ok"
        assert float(row["allocated_peak_power_w"]) <= float(row["total_power_w"]) + 1e-9
        energy = sum(float(row[c]) for c in COLUMNS if c.startswith("energy_") and c != "energy_per_inference_nj")
        assert energy == pytest.approx(float(row["energy_per_inference_nj"]), rel=1e-9)
        # the run's own outputs agree with its row
        import json

        acc = json.loads((outdir / row["outdir"] / "accelerator.json").read_text())
        assert acc["metrics"]["power_efficiency_gops_per_w"] == float(row["power_efficiency_gops_per_w"])
    assert "2/4 runs found a design" in output


def test_the_pareto_column_is_the_front(swept):
    _, rows, _ = swept
    ok = [r for r in rows if r["status"] == "ok"]
    points = [(float(r["throughput_inferences_per_s"]), float(r["power_efficiency_gops_per_w"])) for r in ok]
    for row, (x, y) in zip(ok, points):
        dominated = any(a >= x and b >= y and (a, b) != (x, y) for a, b in points)
        assert (row["pareto"] == "True") == (not dominated)
    assert any(r["pareto"] == "True" for r in ok)


def test_parquet_holds_the_same_table(swept):
    pq = pytest.importorskip("pyarrow.parquet")
    outdir, rows, _ = swept
    table = pq.read_table(outdir / "sweep.parquet").to_pylist()
    assert [r["run"] for r in table] == [r["run"] for r in rows]
    for parquet_row, csv_row in zip(table, rows):
        for key in ("power_efficiency_gops_per_w", "throughput_inferences_per_s", "area_mm2"):
            assert (parquet_row[key] is None) == (csv_row[key] == "")
            if parquet_row[key] is not None:
                assert parquet_row[key] == float(csv_row[key])
        assert parquet_row["macro_reuse"] == (csv_row["macro_reuse"] == "True")


def test_the_pareto_plot_is_a_png(swept):
    pytest.importorskip("matplotlib")
    import matplotlib.image

    outdir, _, _ = swept
    image = matplotlib.image.imread(outdir / "pareto.png")
    assert image.shape[0] > 100 and image.shape[1] > 100 and image.std() > 0


@given(st.lists(st.one_of(st.none(), st.tuples(st.integers(0, 5), st.integers(0, 5))), max_size=12))
def test_pareto_flags_keep_exactly_the_non_dominated(points):
    flags = pareto_flags(points)
    present = [p for p in points if p is not None]
    for point, flag in zip(points, flags):
        if point is None:
            assert not flag
            continue
        dominated = any(q[0] >= point[0] and q[1] >= point[1] and q != point for q in present)
        assert flag == (not dominated)


@pytest.mark.parametrize("args, message", [
    (["--total-power", "0"], "total-power"),
    (["--total-power", "10:5:1"], "total-power"),
    (["--total-power", "49,49"], "twice"),
    (["--total-power", "49", "--effort", "nan"], "effort"),
    (["--total-power", "49", "--xbars", "100"], "xbars"),
])
def test_bad_input_is_one_line(args, message, tmp_path):
    result = CliRunner().invoke(main, ["sweep", ALEXNET, *args, "-q", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert not (tmp_path / "out" / "sweep.csv").exists()


def test_a_missing_model_is_one_line_before_any_run(tmp_path):
    result = CliRunner().invoke(main, ["sweep", ALEXNET, str(tmp_path / "none.onnx"), "--total-power", "49",
                                       "-q", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "none.onnx" in result.output
    assert not (tmp_path / "out" / "runs").exists()
