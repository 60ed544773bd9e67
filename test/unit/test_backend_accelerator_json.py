"""The accelerator JSON (spec 6) against spec 8.2 / 8.3 and the reference's alexnet file."""

import json

import pytest
from backend_designs import (
    DESIGN_A_DUP, DESIGN_A_UNIFIED_GOPS_PER_W, REFERENCE_ALEXNET, alexnet_design, design_a, design_b,
)

from pimsyn.backend.accelerator_json import accelerator_json, accelerator_json_text
from pimsyn.backend.errors import BackendError
from pimsyn.hw.metrics import metrics_dict

TOP_KEYS = ["rram_ratio", "rram_res", "xbar_size", "power_efficiency", "dac_res", "adc_res", "macro_h",
            "macro_w", "spm_capacity"]
WEIGHT_KEYS = ["duplication", "macro_num", "macro_sharing", "macro_size", "ADC", "SHIFTADD", "ADDITION"]


def reference():
    return json.loads(REFERENCE_ALEXNET.read_text())


def test_design_a_unified_top_level():
    design, evaluation = design_a("unified")
    record = accelerator_json(design, evaluation)
    layer_names = [node.name for node in design.network.nodes if node.kind != "input"]
    assert list(record) == TOP_KEYS + layer_names + ["metrics"]
    assert record["power_efficiency"] == DESIGN_A_UNIFIED_GOPS_PER_W  # spec 8.3, bit for bit
    assert [record[k] for k in TOP_KEYS] == [0.3, 2, 256, DESIGN_A_UNIFIED_GOPS_PER_W, 1, 9, 8, 8, 64]


def test_design_a_unified_layers():
    """Spec 8.3: unified per-macro maxima ADC 401 / SHIFTADD 51 / ADDITION 1 / POOL 11."""
    design, evaluation = design_a("unified")
    record = accelerator_json(design, evaluation)
    convs_fcs = [n.name for n in design.network.nodes if n.kind in ("conv", "fc")]
    pools = [n.name for n in design.network.nodes if n.kind == "pool"]
    for name, macros in zip(convs_fcs, [11, 10, 5, 5, 3, 18, 8, 4]):
        assert list(record[name]) == WEIGHT_KEYS
        assert record[name]["macro_num"] == macros
        assert record[name]["macro_sharing"] == "None"
        assert record[name]["macro_size"] == 256  # unified size, spec 6 / B19
        assert (record[name]["ADC"], record[name]["SHIFTADD"], record[name]["ADDITION"]) == (401, 51, 1)
    assert [record[name]["duplication"] for name in convs_fcs] == list(DESIGN_A_DUP) + [1, 1, 1]
    # spec 8.3: pool duplications [27, 6, 2, 2]
    assert [record[name] for name in pools] == [
        {"duplication": 27, "POOL": 11}, {"duplication": 6, "POOL": 11},
        {"duplication": 2, "POOL": 11}, {"duplication": 2, "POOL": 11},
    ]


def test_specified_mode_writes_per_layer_macro_sizes():
    """Specified mode: macro_size = ceil(X / c) per layer (spec 6). Design A's used crossbars
    X: conv set 8*a*b times d (spec 8.1 table), FCs their set."""
    design, evaluation = design_a("specified")
    record = accelerator_json(design, evaluation)
    crossbars = [16 * 110, 56 * 26, 112 * 6, 112 * 7, 72 * 6, 4608, 2048, 512]
    names = [n.name for n in design.network.nodes if n.kind in ("conv", "fc")]
    for name, x, c in zip(names, crossbars, [11, 10, 5, 5, 3, 18, 8, 4]):
        assert record[name]["macro_size"] == -(-x // c)
    assert record[names[0]]["macro_size"] == 160
    assert record["power_efficiency"] == 663.0168201154678  # spec 8.3, A specified


def test_b_hist_reproduces_every_layer_field_of_the_reference_file():
    """Spec 8.2: B-hist unified gives every field of output/alexnet.json but power_efficiency."""
    design, evaluation = design_b(history=True)
    ours = accelerator_json(design, evaluation)
    ref = reference()
    assert list(ours)[:-1] == list(ref)
    del ours["metrics"]
    assert ours.pop("power_efficiency") == pytest.approx(555.0694004434256, rel=1e-12)  # spec 8.2 B-hist
    del ref["power_efficiency"]  # 572.307...: the reference's mixed design (A3)
    assert ours == ref


def test_b_fresh_matches_the_design_independent_fields():
    """B-fresh (Design.evaluate(), no pool history) against the reference file.

    Independent of the pool history: key order, conv/FC duplication, macro_num,
    macro_sharing, the unified macro_size 256 (max ceil(X/c) = 4608/18 over the same X),
    ADDITION 1 and POOL 11, macro_h/w 8. History-dependent: the first pool's duplication
    (29 fresh, 26 in the file, spec 8.2), spm_capacity (128 KB fresh, spec 8.2 table) and
    so the clock and the unified ADC/SHIFTADD maxima (432/54 hold for B-hist only)."""
    design, evaluation = design_b(history=False)
    ours = accelerator_json(design, evaluation)
    ref = reference()
    assert list(ours)[:-1] == list(ref)
    assert (ours["macro_h"], ours["macro_w"], ours["spm_capacity"]) == (8, 8, 128)
    assert ours["power_efficiency"] == 522.8731691145955  # spec 8.2, B-fresh unified
    for name, entry in ref.items():
        if not isinstance(entry, dict):
            continue
        assert list(ours[name]) == list(entry), name
        if "macro_num" in entry:
            for key in ("duplication", "macro_num", "macro_sharing", "macro_size", "ADDITION"):
                assert ours[name][key] == entry[key], (name, key)
        else:
            assert ours[name]["POOL"] == entry["POOL"] == 11
    first_pool = "/features/features.2/MaxPool_output_0"
    assert (ours[first_pool]["duplication"], ref[first_pool]["duplication"]) == (29, 26)
    # every conv/FC of a unified design has the same per-macro counts
    assert len({(e["ADC"], e["SHIFTADD"]) for e in ours.values() if isinstance(e, dict) and "ADC" in e}) == 1


def test_metrics_key_is_the_metrics_dict():
    design, evaluation = design_a("unified")
    assert accelerator_json(design, evaluation)["metrics"] == metrics_dict(design, evaluation)


def test_text_is_4_space_json():
    design, evaluation = design_a("unified")
    text = accelerator_json_text(design, evaluation)
    assert text.startswith('{\n    "rram_ratio": 0.3,\n    "rram_res": 2,\n')
    assert json.loads(text) == accelerator_json(design, evaluation)


def test_sharing_partner_is_written_by_name():
    design = alexnet_design(partners=(-1, -1, -1, 4, 3, -1, -1, -1), macro_setting="specified")
    evaluation = design.evaluate()
    record = accelerator_json(design, evaluation)
    convs = [n.name for n in design.network.nodes if n.kind == "conv"]
    assert record[convs[3]]["macro_sharing"] == convs[4]
    assert record[convs[4]]["macro_sharing"] == convs[3]
    assert record[convs[0]]["macro_sharing"] == "None"


def test_infeasible_design_is_a_clear_error():
    design = alexnet_design(total_power_w=5.0)
    evaluation = design.evaluate()
    assert not evaluation.feasible
    with pytest.raises(BackendError, match="infeasible"):
        accelerator_json(design, evaluation)
