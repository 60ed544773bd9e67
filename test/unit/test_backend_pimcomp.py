"""The PIMCOMP files (spec 6, shared/docs/network-json-format.md)."""

import json
from dataclasses import replace

import pytest
from backend_designs import REFERENCE_ALEXNET_PIMCOMP, design_a, design_b

from pimsyn.backend.errors import BackendError
from pimsyn.backend.pimcomp_config import PIMCOMP_MAX_CORES, default_pimcomp_config, key_tree_mismatches
from pimsyn.backend.pimcomp import (
    core_shape, pimcomp_config_json, pimcomp_json, pimcomp_json_text,
)


@pytest.mark.parametrize(("macro_size", "expected"), [
    (256, (16, 16)), (1, (1, 1)), (2, (2, 1)), (160, (13, 13)), (128, (12, 11)), (255, (16, 16)), (257, (17, 16)),
])
def test_core_shape(macro_size, expected):
    """CoreH = ceil(sqrt(ms)), CoreW = ceil(ms / CoreH); e.g. 160: sqrt 12.6 -> 13, 160/13 -> 13."""
    assert core_shape(macro_size) == expected
    core_h, core_w = expected
    assert core_h * core_w >= macro_size


def test_design_a_unified_matches_the_reference_pimcomp_file():
    """Spec 8.2: CellPrecision 2, CrossbarH/W 256, ChipH/W 8, CoreH/W 16 (ms = 256)."""
    design, evaluation = design_a("unified")
    ours = pimcomp_json(design, evaluation)
    reference = json.loads(REFERENCE_ALEXNET_PIMCOMP.read_text())
    assert list(ours) == list(reference)
    assert ours == reference
    assert json.loads(pimcomp_json_text(design, evaluation)) == reference


def test_b_hist_matches_the_reference_pimcomp_file():
    design, evaluation = design_b(history=True)
    assert pimcomp_json(design, evaluation) == json.loads(REFERENCE_ALEXNET_PIMCOMP.read_text())


def test_specified_mode_uses_the_largest_layer_macro_size():
    """Design A specified: per-layer ceil(X/c) = 160, 146, 135, 157, 144, 256, 256, 128."""
    design, evaluation = design_a("specified")
    assert max(layer.macro_size for layer in evaluation.layers) == 256
    assert pimcomp_json(design, evaluation)["CoreH"] == 16
    assert pimcomp_json(design, evaluation)["CoreW"] == 16


def test_config_structure_and_values():
    """A complete PIMCOMP-NN config: the default's key tree, our values where the design
    decides them (design A unified: 8 x 8 mesh, 64 macros of 256 crossbars)."""
    design, evaluation = design_a("unified")
    config = pimcomp_config_json(design, evaluation)
    assert key_tree_mismatches(default_pimcomp_config(), config) == []
    matrix = config["chip_config"]["core_config"]["matrix_config"]
    assert matrix["cell_precision"] == 2
    assert matrix["xbar_size"] == [256, 256]
    # 256 physical 2-bit crossbars per macro = 256 / ceil(16/2) logical ones
    assert matrix["xbar_array_count"] == 32
    assert matrix["adc_count"] == 16  # PIMCOMP-NN reads it as the arithmetic precision
    assert (matrix["dac_resolution"], matrix["adc_resolution"]) == (1, 9)
    assert config["chip_config"]["network_config"]["layout"] == [8, 8]
    assert config["chip_config"]["core_cnt"] == 64
    assert config["sim_config"] == default_pimcomp_config()["sim_config"]


def test_config_rounds_logical_crossbars_up():
    """A macro of 250 physical crossbars at 8 slices needs ceil(250/8) = 32 logical ones."""
    design, evaluation = design_a("unified")
    evaluation = replace(evaluation, unified_macro_size=250)
    assert pimcomp_config_json(design, evaluation)["chip_config"]["core_config"]["matrix_config"][
        "xbar_array_count"] == 32
    evaluation = replace(evaluation, unified_macro_size=249)
    assert pimcomp_config_json(design, evaluation)["chip_config"]["core_config"]["matrix_config"][
        "xbar_array_count"] == 32
    evaluation = replace(evaluation, unified_macro_size=257)
    assert pimcomp_config_json(design, evaluation)["chip_config"]["core_config"]["matrix_config"][
        "xbar_array_count"] == 33


def test_config_rejects_meshes_over_1000_cores():
    design, evaluation = design_a("unified")
    ok = replace(evaluation, mesh_rows=25, mesh_cols=40)
    assert pimcomp_config_json(design, ok)["chip_config"]["network_config"]["layout"] == [25, 40]
    too_big = replace(evaluation, mesh_rows=32, mesh_cols=32)
    with pytest.raises(BackendError, match=f"1024 cores .* at most {PIMCOMP_MAX_CORES}"):
        pimcomp_config_json(design, too_big)


def test_infeasible_design_is_a_clear_error():
    design, evaluation = design_a("unified")
    infeasible = replace(evaluation, feasible=False, reason="minimum power too high")
    with pytest.raises(BackendError, match="infeasible .minimum power too high"):
        pimcomp_json(design, infeasible)
    with pytest.raises(BackendError, match="infeasible"):
        pimcomp_config_json(design, infeasible)
