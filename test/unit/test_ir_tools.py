"""pimsyn-opt (in process), the pass registry and the xDSL universe entry point."""

from __future__ import annotations

from xdsl.universe import Universe

from pimsyn.tools.universe import PIMSYN_UNIVERSE
from pimsyn.passes.registry import PASSES
from pimsyn.tools.opt import main

_GOOD = '%d = pim.input "data" : tensor<1x3x8x8xi16>\npim.dataflow {\n  %0 = pim.load "data" cnt 0 to 3 vec_width 4\n}\n'


def test_registry_has_the_passes():
    assert {"unroll", "verify"} <= set(PASSES)
    assert PASSES["unroll"]().name == "unroll"
    assert PASSES["verify"]().name == "verify"


def test_multiverse_has_pim_and_no_clash():
    multiverse = Universe.get_multiverse()
    assert "pim" in multiverse.all_dialects
    assert "unroll" in multiverse.all_passes
    assert PIMSYN_UNIVERSE.all_dialects["pim"]().name == "pim"


def test_opt_runs_a_pipeline(tmp_path, capsys):
    src = tmp_path / "in.mlir"
    out = tmp_path / "out.mlir"
    src.write_text(_GOOD)
    assert main([str(src), "-p", "unroll", "-o", str(out)]) == 0
    text = out.read_text()
    assert "pim.dataflow unrolled" in text
    assert text.count("pim.load") == 3


def test_opt_bad_input_is_one_line_exit_2(tmp_path, capsys):
    src = tmp_path / "bad.mlir"
    src.write_text('%d = pim.input data : tensor<1x3x8x8xi16>\n')
    assert main([str(src)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pimsyn-opt: error: ") and "bad.mlir:1:16" in err


def test_opt_limit_error(tmp_path, capsys):
    src = tmp_path / "in.mlir"
    src.write_text(_GOOD)
    assert main([str(src), "-p", "unroll{limit=2}"]) == 2
    assert "would hold 3 ops, over the limit of 2" in capsys.readouterr().err


def test_opt_list_passes(capsys):
    assert main(["--list-passes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == sorted(lines)
    assert any(line.startswith("unroll: Expand the compact") for line in lines)
    assert any(line.startswith("verify: ") for line in lines)
