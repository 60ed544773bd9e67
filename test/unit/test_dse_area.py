"""Synthesis under a power budget and an area limit (`pimsyn synth --area-mm2`,
docs/compact.md): a limit the network fits in changes nothing; a tighter one is honoured."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pimsyn.dse.driver import ImpossibleBudgetError, synthesize
from pimsyn.dse.result import SynthesisOptions
from pimsyn.dse.space import DesignSpace
from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw import load_hardware
from pimsyn.hw.metrics import metrics_dict

NETS = Path(__file__).resolve().parents[1] / "data" / "networks"
SPACE = DesignSpace(rram_ratios=(0.25, 0.3), cell_resolutions=(2,), xbar_sizes=(256,), dac_resolutions=(1,))


@pytest.fixture(scope="module")
def setting():
    net, hw = load_network_json(NETS / "alexnet.json"), load_hardware()
    options = SynthesisOptions(total_power_w=49.0, seed=2, jobs=1, effort=0.1, space=SPACE, progress=False)
    return net, hw, options, synthesize(net, hw, options)


def area_of(result) -> float:
    return metrics_dict(result.design, result.evaluation)["area_mm2"]


def test_a_limit_the_network_fits_in_gives_the_power_only_design(setting):
    net, hw, options, plain = setting
    roomy = synthesize(net, hw, replace(options, area_mm2=1e5))
    d0, d1 = plain.design, roomy.design
    assert (d0.rram_ratio, d0.conv_dup, d0.macros, d0.partners, d0.dac_res) == \
        (d1.rram_ratio, d1.conv_dup, d1.macros, d1.partners, d1.dac_res)
    assert roomy.evaluation.power_efficiency_gops_per_w == plain.evaluation.power_efficiency_gops_per_w
    assert d1.area_limit_mm2 == 1e5


def test_a_tighter_limit_is_honoured(setting):
    """The allocation shrinks to keep the chip within the area (allocate_within_budget's
    second constraint): at 80 % and 50 % of the power-only chip's area a design exists and
    fits."""
    net, hw, options, plain = setting
    for share in (0.8, 0.5):
        limit = share * area_of(plain)
        tight = synthesize(net, hw, replace(options, area_mm2=limit))
        assert tight.evaluation.feasible and area_of(tight) <= limit
        assert tight.evaluation.allocated_peak_power_w <= 49.0


def test_an_impossible_area_is_one_line(setting):
    net, hw, options, _ = setting
    with pytest.raises(ImpossibleBudgetError, match="within 1 mm²"):
        synthesize(net, hw, replace(options, area_mm2=1.0))
