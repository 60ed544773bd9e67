"""Workloads, memory latencies, power check and component allocation (spec 5.6-5.10),
against the per-layer tables of spec 8.2 (design B-hist, memory[64])."""

from pathlib import Path

import numpy as np
import pytest

from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw.allocation import (
    allocate_components, component_table, component_workloads, min_power_w, sequential_sum,
)
from pimsyn.hw.config import load_hardware
from pimsyn.hw.layers import apply_duplication, cost_network
from pimsyn.hw.memory import capacity_entry, memory_cost, memory_volumes
from pimsyn.hw.placement import noc_traffic, place_macros, plan_macros

DATA = Path(__file__).resolve().parents[1] / "data" / "networks"
HW = load_hardware()
GENE_MACROS = [11, 10, 5, 5, 3, 18, 8, 4]
P_COMP = 49 - 49 * 0.3


@pytest.fixture(scope="module")
def design_b():
    cnet = cost_network(load_network_json(DATA / "alexnet.json"), HW, 256, 2)
    history = apply_duplication(cnet, [119, 26, 6, 6, 6]).blocks.copy()
    history[1] = 29
    state = apply_duplication(cnet, [119, 26, 6, 6, 6], history)
    plan = plan_macros(cnet, GENE_MACROS)
    traffic = noc_traffic(cnet, state, plan, place_macros(cnet, plan), HW.data_res, HW.noc_bw_bits)
    table = component_table(cnet, HW, 1, 9, bits=16)
    workloads = component_workloads(cnet, state, HW.vfu_width)
    volumes = memory_volumes(cnet, state, traffic.input_split, traffic.dup_split, HW.data_res, HW.memory_bw_bits)
    mem = memory_cost(volumes, state, HW.memory(64), plan.total_macros)
    return cnet, state, plan, table, workloads, mem


def _by_layer(cnet, values):
    out = [dict() for _ in range(cnet.num_layers)]
    for layer, comp, value in zip(cnet.item_layer.tolist(), cnet.item_component, np.asarray(values).tolist()):
        out[layer][comp] = value
    return out


# spec 8.2: lambda^LD, lambda^ST (ns), wl DAC, ADC, SHIFTADD, ADDITION|POOL,
# alloc specified (ADC, SHIFTADD, ADD|POOL), alloc unified
TABLE = [
    (249.993632, 5.600672, (345576, 487424, 15232.0, 59.5), (4743, 593, 6), (4752, 594, 11)),
    (119.141568, 13.237952, (52.0,), (11,), (11,)),
    (264.759040, 4.073216, (332800, 372736, 11648.0, 45.5), (3627, 454, 5), (4320, 540, 10)),
    (82.482624, 9.164736, (36.0,), (8,), (11,)),
    (264.249888, 4.073216, (165888, 172032, 5376.0, 10.5), (1674, 210, 2), (2160, 270, 5)),
    (264.249888, 2.545760, (165888, 172032, 5376.0, 21.0), (1674, 210, 3), (2160, 270, 5)),
    (293.271552, 4.073216, (110592, 110592, 3456.0, 13.5), (1076, 135, 2), (1296, 162, 3)),
    (36.658944, 4.073216, (16.0,), (4,), (11,)),
    (4.073216, 4.073216, (16.0,), (4,), (11,)),
    (521.371648, 32.585728, (100, 100, 100, 1), (1, 4, 1), (7776, 972, 18)),
    (521.371648, 32.585728, (100, 100, 100, 1), (1, 4, 1), (3456, 432, 8)),
    (260.685824, 8.146432, (100, 100, 41, 1), (1, 2, 1), (1728, 216, 4)),
]


@pytest.mark.parametrize("layer", range(12))
def test_workloads_and_memory_latencies(design_b, layer):
    cnet, state, plan, table, workloads, mem = design_b
    ld, st, wl, _, _ = TABLE[layer]
    assert mem.ld_latency_ns[layer] == pytest.approx(ld, rel=1e-12)
    assert mem.st_latency_ns[layer] == pytest.approx(st, rel=1e-12)
    assert tuple(_by_layer(cnet, workloads)[layer].values()) == wl


@pytest.mark.parametrize("unified", [False, True])
def test_allocations_both_modes(design_b, unified):
    cnet, state, plan, table, workloads, mem = design_b
    avail = (P_COMP - mem.static_power_w) - HW.noc_power_w
    assert avail == pytest.approx(33.32544, rel=1e-12)
    alloc = allocate_components(cnet, plan, workloads, table, avail, unified)
    per_layer = _by_layer(cnet, alloc.units)
    for layer, row in enumerate(TABLE):
        expected = row[4] if unified else row[3]
        got = tuple(n for comp, n in per_layer[layer].items() if comp != "DAC")
        assert got == expected, cnet.names[layer]
        if "DAC" in per_layer[layer]:
            assert per_layer[layer]["DAC"] == row[2][0]  # DAC allocation = DAC workload
    dac_units = sum(layer.get("DAC", 0) for layer in per_layer)
    assert dac_units == 1_121_044
    assert alloc.dac_power_w == pytest.approx(4.3720716, rel=1e-12)
    assert alloc.power_after_dac_w == 28.953368400000006  # exact, spec 8.2
    assert alloc.latency_power_sum == pytest.approx(2975.9356, rel=1e-12)
    assert alloc.kappa_ns == 102.78374380785344
    assert alloc.clock_ns == 102.78066914498142
    assert alloc.per_macro_max == {"ADC": 432, "SHIFTADD": 54, "ADDITION": 1, "POOL": 11}


def test_min_power_and_memory_energy(design_b):
    cnet, state, plan, table, workloads, mem = design_b
    assert min_power_w(cnet, plan, workloads, table) == pytest.approx(4.5292716, rel=1e-12)
    assert mem.dynamic_energy_nj == pytest.approx(20899.863192, rel=1e-12)
    assert mem.static_power_w == 64 * 13.6025e-3


def test_fc_clamp_keeps_small_workloads():
    """FC3 SHIFTADD: 1*4*256*16*8/32 = 4096 -> ceil(40.96) = 41; ADDITION 16*8/32 = 4 -> 1."""
    cnet = cost_network(load_network_json(DATA / "alexnet.json"), HW, 256, 2)
    wl = _by_layer(cnet, component_workloads(cnet, apply_duplication(cnet, [1, 1, 1, 1, 1]), 32))
    assert wl[11] == {"DAC": 100, "ADC": 100, "SHIFTADD": 41, "ADDITION": 1}


def test_sharing_zeroes_the_smaller_adc_user(design_b):
    cnet, state, _, table, workloads, mem = design_b
    plan = plan_macros(cnet, GENE_MACROS, [-1, -1, -1, -1, 0, -1, -1, -1])  # conv5 shares with conv1
    alloc = allocate_components(cnet, plan, workloads, table, 33.0, unified=False)
    per_layer = _by_layer(cnet, alloc.units)
    assert per_layer[6]["ADC"] == 0  # conv5 ADC workload 110592 < conv1's 487424
    assert per_layer[0]["ADC"] > 0


def test_sequential_sum_is_left_to_right():
    values = np.array([1e16, 1.0, -1e16, 1.0])
    assert sequential_sum(values) == ((1e16 + 1.0) - 1e16) + 1.0
    assert sequential_sum(np.array([0.1, 0.2]), 0.3) == (0.3 + 0.1) + 0.2
    assert sequential_sum(np.zeros(0), 2.5) == 2.5


def test_capacity_entry_rounds_up_to_the_table():
    assert capacity_entry(HW, 64) == 64
    assert capacity_entry(HW, 32) == 64  # the reference fails here; we use the smallest entry
    assert capacity_entry(HW, 4096) == 4096
    assert capacity_entry(HW, 8192) is None


@pytest.mark.parametrize("unified", [False, True])
@pytest.mark.parametrize("partners", [[-1] * 8, [4, -1, -1, -1, 0, 6, 5, -1]])
def test_bisection_units_equal_the_full_allocation(design_b, unified, partners):
    """`allocate_within_budget` bisects on the power with `ComponentAllocator.units`, the
    units alone; they and P_a must be those of the whole allocation (`allocation`, as
    checked against spec 8.2 above) at every power the bisection can try, bit for bit."""
    from pimsyn.hw.allocation import ComponentAllocator

    cnet, state, _, table, workloads, _ = design_b
    plan = plan_macros(cnet, GENE_MACROS, partners)
    units_for = ComponentAllocator(cnet, plan, workloads, table, unified).units
    rng = np.random.default_rng(3)
    for power in np.concatenate(([4.5, 33.32544, 28.953368400000006], rng.uniform(4.4, 40.0, 40))):
        full = allocate_components(cnet, plan, workloads, table, float(power), unified)
        power_after_dac, units = units_for(float(power))
        assert power_after_dac == full.power_after_dac_w
        assert np.array_equal(units, full.units), power
