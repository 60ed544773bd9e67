"""The complete PIMCOMP-NN config writer (pimsyn.backend.pimcomp_config)."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pimsyn.backend.errors import BackendError
from pimsyn.backend.pimcomp_config import (
    PIMCOMP_ARITHMETIC_PRECISION, PIMCOMP_MAX_CORES, PimcompCore, default_pimcomp_config, key_tree_mismatches,
    pimcomp_config, pimcomp_config_text,
)

#: PIMCOMP-NN's own config.json, outside the repository (a clone may lack it).
SHARED_DEFAULT = Path(__file__).resolve().parents[3] / "shared/data/pimcomp/config.json"

#: The ResNet-18 design of the validation run (xbar 256, 2-bit cells, 9 x 8 macros).
SAMPLE = PimcompCore(
    cell_precision=2, xbar_size=256, xbar_array_count=203, dac_resolution=1, dac_count=256 * 203,
    adc_resolution=9, adc_count=1909, mesh_rows=9, mesh_cols=8, core_count=69,
)


def test_config_has_exactly_the_key_tree_of_the_bundled_default():
    assert key_tree_mismatches(default_pimcomp_config(), pimcomp_config(SAMPLE)) == []
    assert key_tree_mismatches(default_pimcomp_config(), json.loads(pimcomp_config_text(SAMPLE))) == []


def test_config_has_exactly_the_key_tree_of_pimcomp_nn_config_json():
    if not SHARED_DEFAULT.exists():
        pytest.skip(f"PIMCOMP-NN's config.json is not at {SHARED_DEFAULT} in this checkout")
    reference = json.loads(SHARED_DEFAULT.read_text())
    assert key_tree_mismatches(reference, pimcomp_config(SAMPLE)) == []
    assert default_pimcomp_config() == reference  # the bundled copy is that file


def test_our_values_land_in_the_right_keys():
    config = pimcomp_config(SAMPLE)
    chip = config["chip_config"]
    matrix = chip["core_config"]["matrix_config"]
    assert matrix["cell_precision"] == 2
    assert matrix["xbar_size"] == [256, 256]
    assert matrix["xbar_array_count"] == 203
    assert matrix["dac_resolution"] == 1
    assert matrix["dac_count"] == 256  # per crossbar: 256 * 203 DACs over 203 crossbars
    assert matrix["adc_resolution"] == 9
    assert matrix["adc_count"] == PIMCOMP_ARITHMETIC_PRECISION == 16  # PIMCOMP-NN's ArithmeticPrecision
    assert chip["network_config"]["layout"] == [9, 8]
    assert chip["core_cnt"] == 69


def test_values_our_design_does_not_decide_keep_the_default():
    default, ours = default_pimcomp_config(), pimcomp_config(SAMPLE)
    assert ours["sim_config"] == default["sim_config"]
    assert ours["chip_config"]["global_memory_config"] == default["chip_config"]["global_memory_config"]
    assert ours["chip_config"]["core_config"]["local_memory_config"] == \
        default["chip_config"]["core_config"]["local_memory_config"]
    for key in ("xbar_latency", "xbar_read_power", "adc_latency_cycle", "adc_static_power", "period"):
        assert ours["chip_config"]["core_config"]["matrix_config"][key] == \
            default["chip_config"]["core_config"]["matrix_config"][key]


@pytest.mark.parametrize(("dacs", "expected"), [(256 * 203, 256), (256, 2), (1, 1), (10**9, 256)])
def test_dacs_per_crossbar(dacs, expected):
    config = pimcomp_config(replace(SAMPLE, dac_count=dacs))
    assert config["chip_config"]["core_config"]["matrix_config"]["dac_count"] == expected


def test_checker_detects_missing_extra_and_type_changes():
    reference = default_pimcomp_config()
    missing = default_pimcomp_config()
    del missing["chip_config"]["core_config"]["matrix_config"]["adc_count"]
    assert key_tree_mismatches(reference, missing) == ["missing: chip_config.core_config.matrix_config.adc_count"]
    extra = default_pimcomp_config()
    extra["chip_config"]["network_config"]["hops"] = 3
    assert key_tree_mismatches(reference, extra) == ["extra: chip_config.network_config.hops"]
    retyped = default_pimcomp_config()
    retyped["chip_config"]["network_config"]["layout"] = "12x12"
    retyped["chip_config"]["core_config"]["matrix_config"]["pipeline_mode"] = 1  # bool is not a number
    problems = key_tree_mismatches(reference, retyped)
    assert len(problems) == 2 and all(p.startswith("type: ") for p in problems)
    assert any("chip_config.network_config.layout" in p for p in problems)
    assert any("matrix_config.pipeline_mode" in p for p in problems)
    short = default_pimcomp_config()
    short["chip_config"]["core_config"]["matrix_config"]["xbar_size"] = [128]
    assert key_tree_mismatches(reference, short) == ["missing: chip_config.core_config.matrix_config.xbar_size[1]"]
    assert key_tree_mismatches(reference, {}) == ["missing: chip_config", "missing: sim_config"]


def test_int_and_float_are_both_json_numbers():
    reference = default_pimcomp_config()
    candidate = default_pimcomp_config()
    candidate["chip_config"]["core_config"]["matrix_config"]["xbar_latency"] = 7.5
    assert key_tree_mismatches(reference, candidate) == []


def test_default_is_not_mutated_between_calls():
    before = default_pimcomp_config()
    first = pimcomp_config(SAMPLE)
    first["chip_config"]["core_config"]["matrix_config"]["xbar_size"].append(1)
    first["sim_config"].clear()
    default_pimcomp_config()["chip_config"].clear()
    assert default_pimcomp_config() == before
    assert pimcomp_config(SAMPLE) == pimcomp_config(SAMPLE)
    assert before["chip_config"]["network_config"]["layout"] == [12, 12]
    assert before["chip_config"]["core_config"]["matrix_config"]["adc_count"] == 16


def test_oversized_mesh_is_an_error():
    with pytest.raises(BackendError, match=r"32x32 = 1024 cores .* at most 1000") as info:
        pimcomp_config(replace(SAMPLE, mesh_rows=32, mesh_cols=32, core_count=69))
    assert "\n" not in str(info.value)
    rows, cols = 25, PIMCOMP_MAX_CORES // 25  # exactly the limit is fine
    assert pimcomp_config(replace(SAMPLE, mesh_rows=rows, mesh_cols=cols))["chip_config"]["network_config"][
        "layout"] == [rows, cols]


@pytest.mark.parametrize("change", [
    {"core_count": 73}, {"xbar_array_count": 0}, {"cell_precision": -2}, {"mesh_rows": 2.5}, {"adc_count": True},
])
def test_values_pimcomp_cannot_take(change):
    with pytest.raises(BackendError):
        pimcomp_config(replace(SAMPLE, **change))
