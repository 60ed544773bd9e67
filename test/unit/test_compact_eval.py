"""Compact chips over a batch (`hw/compact_eval.py`, `pimsyn explore-batch`, docs/compact.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from pimsyn.dse.compact import evaluate_compact
from pimsyn.frontend.network_json_export import network_to_json
from pimsyn.frontend.resnet_family import build_resnet
from pimsyn.hw import cost_network, load_hardware
from pimsyn.hw.compact import split_into_parts
from pimsyn.hw.compact_eval import CLOCK_NS, CompactChip, chip_for_area, evaluate_batch, layer_cycles, tile_area_mm2
from pimsyn.hw.dram import DramTrace, bursts, dram_spec
from pimsyn.tools.cli import main

BATCHES = (1, 2, 4, 8, 16, 32, 64)


@pytest.fixture(scope="module")
def hw():
    return load_hardware()


@pytest.fixture(scope="module")
def small(hw):
    """ResNet-18 for CIFAR-100: a small network."""
    return cost_network(build_resnet("resnet18", "cifar100"), hw, 128, 2)


def full_macros(cnet, per=96):
    return sum(-(-int(x) // per) for x in cnet.set_size[cnet.is_weight])


def test_dram_energy_share_falls_as_the_batch_grows(hw, small):
    chip = CompactChip(macros=full_macros(small) // 3)
    shares = [evaluate_batch(small, hw, chip, n).dram_energy_share for n in BATCHES]
    assert len(split_into_parts(small, chip.macros, 96)) > 1
    assert all(a > b for a, b in zip(shares, shares[1:])), shares


def test_one_part_time_by_hand(hw, small):
    """A chip that holds every weight: one resident part, no reloads; T(n) = sum t_l +
    (n - 1) max t_l with t_l = blocks x 16 bit slices (weight layers) x 100 ns."""
    chip = CompactChip(macros=full_macros(small))
    for n in (1, 5):
        result = evaluate_compact(small, hw, chip, n, duplication="none")
        t = layer_cycles(small, {}, 16) * CLOCK_NS
        assert result.parts == 1 and result.reloads_per_inference == 0.0
        assert result.dram_bytes["weights_read"] == 0
        assert result.compute_ns == pytest.approx(t.sum() + (n - 1) * t.max())
        assert result.throughput_inferences_per_s == pytest.approx(n * 1e9 / result.time_ns)


def test_ddm_never_slower_and_faster_on_a_third_of_resnet34(hw):
    """The paper's Fig. 6 setting: ResNet-34 on a third of the area the whole network needs."""
    cnet = cost_network(build_resnet("resnet34", "imagenet"), hw, 128, 2)
    chip = CompactChip(macros=full_macros(cnet) // 3)
    for n in (1, 8, 64):
        ddm = evaluate_compact(cnet, hw, chip, n, duplication="ddm")
        plain = evaluate_compact(cnet, hw, chip, n, duplication="none")
        assert ddm.throughput_inferences_per_s > plain.throughput_inferences_per_s


def test_weights_are_read_once_per_batch(hw, small):
    chip = CompactChip(macros=full_macros(small) // 3)
    one, many = evaluate_batch(small, hw, chip, 1), evaluate_batch(small, hw, chip, 16)
    assert one.dram_bytes["weights_read"] == many.dram_bytes["weights_read"] > 0
    assert many.dram_bytes["activations_read"] == 16 * one.dram_bytes["activations_read"]
    assert many.reloads_per_inference == pytest.approx(one.parts / 16)


def test_trace_records_every_burst_in_time_order(hw, small):
    chip = CompactChip(macros=full_macros(small) // 3)
    trace = DramTrace(dram_spec("lpddr5"))
    result = evaluate_batch(small, hw, chip, 4, trace=trace)
    times = np.array([row[0] for row in trace.rows])
    assert (np.diff(times) >= 0).all()
    assert len(trace) >= bursts(dram_spec("lpddr5"), sum(result.dram_bytes.values()))
    assert trace.csv_text().splitlines()[0] == "time_ns,type,address"


@pytest.mark.parametrize("area, message", [
    ("0", "--area-mm2 must be positive"), ("-2", "--area-mm2 must be positive"),
    ("nan", "--area-mm2 must be a finite number"), ("0.01", "is smaller than one isaac macro"),
    ("big", "--area-mm2 must be a number"),
])
def test_bad_areas_are_one_line(tmp_path, area, message):
    net = tmp_path / "net.json"
    net.write_text(json.dumps(network_to_json(build_resnet("resnet18", "cifar100"))))
    res = CliRunner().invoke(main, ["explore-batch", str(net), "--area-mm2", area])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_explore_batch_json(tmp_path, hw):
    net = tmp_path / "net.json"
    net.write_text(json.dumps(network_to_json(build_resnet("resnet18", "cifar100"))))
    trace = tmp_path / "dram.csv"
    res = CliRunner().invoke(main, ["explore-batch", str(net), "--area-mm2", "4", "--batches", "1,4",
                                    "--json", "--dram-trace", str(trace)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [row["batch"] for row in data["batches"]] == [1, 4]
    assert data["macros"] == int(4 // tile_area_mm2(hw))
    assert trace.read_text().startswith("time_ns,type,address")
    assert chip_for_area(hw, 4.0).macros == data["macros"]


def test_explore_size_reports_the_family_and_requirements(tmp_path):
    res = CliRunner().invoke(main, ["explore-size", "--area-mm2", "10", "--batch", "4", "--json",
                                    "--min-throughput", "500"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    rows = data["networks"]
    assert [r["network"] for r in rows] == ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]
    weights = [r["weights_m"] for r in rows]
    assert weights == sorted(weights)
    assert [r["parts"] for r in rows] == sorted(r["parts"] for r in rows)
    meeting = [r["network"] for r in rows if r["throughput_inferences_per_s"] >= 500]
    assert data["largest_meeting_requirements"] == (meeting[-1] if meeting else None)
    drops = [a["throughput_inferences_per_s"] / b["throughput_inferences_per_s"] for a, b in zip(rows, rows[1:])]
    assert data["steepest_throughput_drop_at"] == rows[1 + drops.index(max(drops))]["network"]


def test_explore_size_plot(tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "size.png"
    res = CliRunner().invoke(main, ["explore-size", "--area-mm2", "10", "--plot", str(plot)])
    assert res.exit_code == 0, res.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "steepest throughput drop" in res.output


def test_sa_inside_parts_fits_and_best_keeps_the_better(hw):
    from pimsyn.search.compact_duplication import sa_part_duplication

    cnet = cost_network(build_resnet("resnet34", "imagenet"), hw, 128, 2)
    chip = CompactChip(macros=full_macros(cnet) // 3)
    parts = split_into_parts(cnet, chip.macros, 96)
    for part in parts:
        dup = sa_part_duplication(cnet, part, chip.macros, 96, seed=3)
        assert part.macros(96, dup) <= chip.macros
        assert dup == sa_part_duplication(cnet, part, chip.macros, 96, seed=3)  # seeded
    for n in (1, 16):
        best = evaluate_compact(cnet, hw, chip, n).compute_ns
        assert best <= evaluate_compact(cnet, hw, chip, n, duplication="ddm").compute_ns
        assert best <= evaluate_compact(cnet, hw, chip, n, duplication="sa").compute_ns
