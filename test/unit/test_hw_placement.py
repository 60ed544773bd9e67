"""Macro counts, serpentine placement, hops, NoC conflicts and TRAN/MRG volumes (spec 5.1-5.5)."""

from pathlib import Path

import numpy as np
import pytest

from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw.config import load_hardware
from pimsyn.hw.layers import apply_duplication, cost_network
from pimsyn.hw.placement import (
    PlacementError, noc_traffic, place_macros, plan_macros, serpentine_coordinates,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "networks"
HW = load_hardware()
GENE_MACROS = [11, 10, 5, 5, 3, 18, 8, 4]  # spec 8.1 gene [1011, 2010, ..., 8004]


@pytest.fixture(scope="module")
def alexnet():
    return cost_network(load_network_json(DATA / "alexnet.json"), HW, 256, 2)


@pytest.fixture(scope="module")
def b_hist(alexnet):
    history = apply_duplication(alexnet, [119, 26, 6, 6, 6]).blocks.copy()
    history[1] = 29
    return apply_duplication(alexnet, [119, 26, 6, 6, 6], history)


def _design(cnet, state, macros=GENE_MACROS, partners=None):
    plan = plan_macros(cnet, macros, partners)
    placement = place_macros(cnet, plan)
    traffic = noc_traffic(cnet, state, plan, placement, HW.data_res, HW.noc_bw_bits)
    return plan, placement, traffic


# spec 8.2 per-layer table for design B-hist:
# m, q, u, ipm, dpm, T-hops, M-hops, D^T, D^M, first macro, last macro
TABLE_8_2 = [
    (11, 1, 11, 3, 11, 0, 6, 0, 182, (0, 0), (1, 5)),
    (1, 1, 1, 1, 26, 0, 0, 0, 0, (1, 5), (1, 5)),
    (10, 1, 10, 64, 3, 6, 5, 134, 149, (1, 4), (2, 4)),
    (1, 1, 1, 1, 6, 0, 0, 0, 0, (2, 4), (2, 4)),
    (5, 1, 5, 192, 2, 4, 2, 244, 194, (2, 5), (3, 6)),
    (5, 1, 5, 384, 2, 5, 4, 485, 132, (3, 5), (3, 1)),
    (3, 1, 3, 256, 2, 2, 2, 322, 130, (3, 0), (4, 1)),
    (1, 1, 1, 1, 2, 0, 0, 0, 0, (4, 1), (4, 1)),
    (1, 1, 1, 1, 2, 0, 0, 0, 0, (4, 1), (4, 1)),
    (18, 18, 1, 512, 1, 7, 6, 135, 1030, (4, 2), (6, 3)),
    (8, 8, 1, 512, 1, 5, 4, 133, 1028, (6, 4), (7, 4)),
    (4, 4, 1, 1024, 1, 4, 3, 260, 253, (7, 3), (7, 0)),
]


def test_mesh_of_spec_8(alexnet):
    plan = plan_macros(alexnet, GENE_MACROS)
    assert (plan.total_macros, plan.rows, plan.cols) == (64, 8, 8)
    plan = plan_macros(alexnet, [11, 10, 5, 5, 3, 18, 8, 5])  # M = 65 -> 9 x 8
    assert (plan.rows, plan.cols) == (9, 8)


@pytest.mark.parametrize("layer", range(12))
def test_per_layer_table_of_spec_8_2(alexnet, b_hist, layer):
    plan, placement, traffic = _design(alexnet, b_hist)
    m, q, u, ipm, dpm, t_hops, m_hops, d_t, d_m, first, last = TABLE_8_2[layer]
    assert plan.layer_macros[layer] == m
    assert (traffic.input_split[layer], traffic.dup_split[layer]) == (q, u)
    assert (traffic.inputs_per_macro[layer], traffic.dup_per_macro[layer]) == (ipm, dpm)
    assert (placement.tran_hops[layer], placement.mrg_hops[layer]) == (t_hops, m_hops)
    assert (traffic.tran_delay[layer], traffic.mrg_delay[layer]) == (d_t, d_m)
    start = placement.run_start[layer]
    end = start + placement.run_length[layer] - 1
    assert tuple(int(x) for x in serpentine_coordinates(start, plan.cols)) == first
    assert tuple(int(x) for x in serpentine_coordinates(end, plan.cols)) == last


def test_features_3_flits_by_hand(alexnet, b_hist):
    """Spec 8.2: F^M = ceil(3*192*16/64) = 144, F^T = ceil((3*1 + 5)*64*16/64) = 128."""
    _, _, traffic = _design(alexnet, b_hist)
    assert traffic.merge_flits[2] == 144 and traffic.transfer_flits[2] == 128


def test_op_lists_with_tran_and_mrg(alexnet, b_hist):
    _, _, traffic = _design(alexnet, b_hist)
    assert traffic.ops[0] == ("LD", "DAC", "ADC", "SHIFTADD", "ADDITION", "ST", "MRG")
    assert traffic.ops[1] == ("LD", "POOL", "ST")
    assert traffic.ops[2] == ("TRAN", "LD", "DAC", "ADC", "SHIFTADD", "ADDITION", "ST", "MRG")


def test_noc_conflict_pairs_of_spec_8_2(alexnet, b_hist):
    _, placement, _ = _design(alexnet, b_hist)
    expected = {frozenset({(i, "TRAN"), (i, "MRG")}) for i in (2, 4, 5, 6, 9, 10, 11)}
    assert placement.noc_conflicts == expected


def test_serpentine_order():
    rows, cols = serpentine_coordinates(np.arange(9), 4)
    assert list(zip(rows.tolist(), cols.tolist())) == [
        (0, 0), (0, 1), (0, 2), (0, 3), (1, 3), (1, 2), (1, 1), (1, 0), (2, 0)]


def test_tran_mrg_conflict_on_a_tiny_mesh(alexnet, b_hist):
    """10 macros -> 4 x 3 mesh. conv1 (0,0),(0,1) merges at (0,1), the pool runs there;
    conv2 on (0,2),(1,2): TRAN (0,1)->(0,2) and (0,1)->(0,2)->(1,2) (column first), MRG
    (0,2)->(1,2): the directed link (0,2)->(1,2) is shared."""
    plan, placement, _ = _design(alexnet, b_hist, macros=[2, 2, 1, 1, 1, 1, 1, 1])
    assert (plan.rows, plan.cols) == (4, 3)
    assert placement.tran_hops[2] == 2 and placement.mrg_hops[2] == 1
    assert frozenset({(2, "TRAN"), (2, "MRG")}) in placement.noc_conflicts


def _links_by_the_book(cnet, plan):
    """Spec 5.2-5.4 verbatim (cursor walk, per-route link lists, pairwise set tests)."""
    rows, cols = plan.rows, plan.cols
    r, c, direction = 0, -1, 1
    macro_list, merge = {}, {}
    for idx, kind in enumerate(cnet.kinds):
        if kind in ("conv", "fc"):
            coords = []
            for _ in range(int(plan.layer_macros[idx])):
                c += direction
                if c == cols:
                    c, r, direction = cols - 1, r + 1, -1
                if c == -1:
                    c, r, direction = 0, r + 1, 1
                coords.append((r, c))
            macro_list[idx], merge[idx] = coords, coords[-1]
        else:
            merge[idx] = merge[cnet.providers[idx][0]]
            macro_list[idx] = [merge[idx]]

    def route(src, dst):
        links = []
        y = src[1]
        while y != dst[1]:
            step = 1 if dst[1] > y else -1
            links.append(((src[0], y), (src[0], y + step)))
            y += step
        x = src[0]
        while x != dst[0]:
            step = 1 if dst[0] > x else -1
            links.append(((x, dst[1]), (x + step, dst[1])))
            x += step
        return links, abs(src[0] - dst[0]) + abs(src[1] - dst[1])

    sets, hops = {}, {}
    for idx in range(cnet.num_layers):
        for kind, pairs in (
            ("TRAN", [(merge[p], y) for p in cnet.providers[idx] for y in macro_list[idx]]),
            ("MRG", [(y, merge[idx]) for y in macro_list[idx]]),
        ):
            links, most = set(), 0
            for src, dst in pairs:
                route_links, h = route(src, dst)
                links.update(route_links)
                most = max(most, h)
            sets[(idx, kind)], hops[(idx, kind)] = links, most
    keys = list(sets)
    conflicts = {
        frozenset({a, b}) for i, a in enumerate(keys) for b in keys[i + 1:] if sets[a] & sets[b]
    }
    return conflicts, hops


@pytest.mark.parametrize("network", ["alexnet", "resnet18"])
def test_vectorised_routes_match_the_spec_walk(network):
    cnet = cost_network(load_network_json(DATA / f"{network}.json"), HW, 256, 2)
    rng = np.random.default_rng(7)
    seen_inter_layer = False
    for _ in range(25):
        macros = rng.integers(1, 9, size=cnet.gene_length)
        plan = plan_macros(cnet, macros)
        placement = place_macros(cnet, plan)
        conflicts, hops = _links_by_the_book(cnet, plan)
        assert placement.noc_conflicts == conflicts
        assert placement.tran_hops.tolist() == [hops[(i, "TRAN")] for i in range(cnet.num_layers)]
        assert placement.mrg_hops.tolist() == [hops[(i, "MRG")] for i in range(cnet.num_layers)]
        seen_inter_layer |= any(len({layer for layer, _ in pair}) == 2 for pair in conflicts)
    # ResNet's residual edges make different layers share links (AlexNet's chain never does)
    assert seen_inter_layer == (network == "resnet18")


def test_sharing_pair_macros_and_partner_placed_later(alexnet, b_hist):
    """Sharing (A8 fixed): conv2 (gene 1) shares with FC3 (gene 7), which comes later in
    network order. Both get m = 10 + 4; the run is placed at conv2 (B17 fixed), conv2 (the
    owner, earlier gene position) merges at the last macro, FC3 at the first."""
    partners = [-1, 7, -1, -1, -1, -1, -1, -1]
    plan, placement, traffic = _design(alexnet, b_hist, partners=partners)
    assert plan.total_macros == 64 and plan.sharing_pairs == ((2, 11),)
    assert plan.layer_macros[2] == plan.layer_macros[11] == 14
    assert plan.partners[7] == 1 and plan.partners[1] == 7
    assert placement.run_start[2] == placement.run_start[11] == 11
    assert placement.merge_pos[2] == 11 + 13 and placement.merge_pos[11] == 11
    # later layers move up by the 4 macros FC3 no longer places separately
    assert placement.run_start[4] == 25


def test_partner_from_the_later_side_is_equivalent(alexnet, b_hist):
    a = plan_macros(alexnet, GENE_MACROS, [-1, 7, -1, -1, -1, -1, -1, -1])
    b = plan_macros(alexnet, GENE_MACROS, [-1, -1, -1, -1, -1, -1, -1, 1])
    assert a.sharing_pairs == b.sharing_pairs
    assert np.array_equal(a.layer_macros, b.layer_macros)


@pytest.mark.parametrize(
    ("macros", "partners", "message"),
    [
        ([11, 10, 5], None, "expected 8 macro counts"),
        ([0, 10, 5, 5, 3, 18, 8, 4], None, "at least one macro"),
        (GENE_MACROS, [1, 0, 0, -1, -1, -1, -1, -1], "shares macros with two layers"),
        (GENE_MACROS, [0, -1, -1, -1, -1, -1, -1, -1], "not another conv/FC layer"),
        (GENE_MACROS, [8, -1, -1, -1, -1, -1, -1, -1], "not another conv/FC layer"),
    ],
)
def test_bad_macro_assignments(alexnet, macros, partners, message):
    with pytest.raises(PlacementError, match=message):
        plan_macros(alexnet, macros, partners)
