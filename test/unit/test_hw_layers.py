"""Cost view of a network (spec 1.1), duplication state (2.3) and crossbar budget (Eq. 3)."""

from pathlib import Path

import numpy as np
import pytest

from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw.config import load_hardware
from pimsyn.hw.layers import apply_duplication, cost_network, crossbar_budget
from pimsyn.model.network import Network, Node

DATA = Path(__file__).resolve().parents[1] / "data" / "networks"
HW = load_hardware()


@pytest.fixture(scope="module")
def alexnet():
    return cost_network(load_network_json(DATA / "alexnet.json"), HW, 256, 2)


def test_alexnet_layer_table(alexnet):
    """Spec 8.1 table: kinds, C, W, In, a, b, set = 8*a*b."""
    assert alexnet.kinds == ("conv", "pool", "conv", "pool", "conv", "conv", "conv", "pool", "pool", "fc", "fc", "fc")
    assert alexnet.channels.tolist() == [64, 64, 192, 192, 384, 256, 256, 256, 256, 4096, 4096, 1000]
    assert alexnet.out_w.tolist() == [55, 27, 27, 13, 13, 13, 13, 6, 6, 1, 1, 1]
    assert alexnet.in_len.tolist() == [363, 0, 1600, 0, 1728, 3456, 2304, 0, 0, 9216, 4096, 4096]
    assert alexnet.row_tiles.tolist() == [2, 0, 7, 0, 7, 14, 9, 0, 0, 36, 16, 16]
    assert alexnet.col_tiles.tolist() == [1, 0, 1, 0, 2, 1, 1, 0, 0, 16, 16, 4]
    assert alexnet.set_size.tolist() == [16, 0, 56, 0, 112, 112, 72, 0, 0, 4608, 2048, 512]
    assert alexnet.weight_slices == 8
    assert alexnet.gene_layers.tolist() == [0, 2, 4, 5, 6, 9, 10, 11]
    assert alexnet.ops == 1_428_376_960  # spec 8.1
    assert alexnet.providers == ((),) + tuple((i,) for i in range(11))
    assert alexnet.base_ops[0] == ("LD", "DAC", "ADC", "SHIFTADD", "ADDITION", "ST")
    assert alexnet.base_ops[1] == ("LD", "POOL", "ST")


def test_crossbar_budget_of_spec_8(alexnet):
    budget = crossbar_budget(HW, 49, 0.3, 256, 2, alexnet)
    assert budget.rram_power_w == 49 * 0.3
    assert budget.total_crossbars == 12250
    assert budget.fc_crossbars == 7168
    assert budget.conv_crossbars == 5082
    assert budget.compute_power_w == 49 - 49 * 0.3
    assert not budget.rejected


def test_crossbar_budget_rejects_when_no_spare_crossbar(alexnet):
    # 8.6 W * 0.3 / 12e-4 = 2150 crossbars; 2150 - 7168 < 368 -> rejected (spec 2.2 step 5)
    assert crossbar_budget(HW, 8.6, 0.3, 256, 2, alexnet).rejected
    assert crossbar_budget(HW, 49, 0.3, 256, 2).conv_crossbars == 12250  # no network: no reservation


def test_apply_duplication_fresh_and_with_history(alexnet):
    fresh = apply_duplication(alexnet, [119, 26, 6, 6, 6])
    assert fresh.blocks.tolist() == [26, 26, 29, 29, 29, 29, 29, 29, 29, 1, 1, 1]
    assert fresh.dup.tolist() == [119, 29, 26, 6, 6, 6, 6, 2, 2, 1, 1, 1]  # B-fresh: first pool d = 29
    history = fresh.blocks.copy()
    history[1] = 29  # spec 8.2 B-hist: the first pool carries n = 29 from an earlier candidate
    hist = apply_duplication(alexnet, [119, 26, 6, 6, 6], history)
    assert hist.dup[1] == 26 and hist.blocks[1] == 29
    assert hist.used_crossbars(alexnet) == 5136 + 7168
    design_a = apply_duplication(alexnet, [110, 26, 6, 7, 6])  # spec 8.3 state
    assert design_a.blocks.tolist() == [28, 28, 29, 29, 29, 25, 29, 29, 29, 1, 1, 1]
    assert design_a.dup[[1, 3, 7, 8]].tolist() == [27, 6, 2, 2]


def test_history_never_decreases_pool_blocks(alexnet):
    first = apply_duplication(alexnet, [60, 26, 6, 6, 6])  # n1 = 51
    later = apply_duplication(alexnet, [119, 26, 6, 6, 6], first.blocks)
    assert later.blocks[1] == 51 and later.dup[1] == 15  # ceil(729/51)
    with pytest.raises(ValueError, match="expected 5 conv duplications"):
        apply_duplication(alexnet, [1, 2])


def test_resnet18_residual_edges_and_eltwise_ops():
    cnet = cost_network(load_network_json(DATA / "resnet18.json"), HW, 256, 2)
    eltwise = [i for i, k in enumerate(cnet.kinds) if k == "eltwise"]
    assert len(eltwise) == 8
    for i in eltwise:
        assert len(cnet.providers[i]) == 2
        assert list(cnet.providers[i]) == sorted(cnet.providers[i])  # network order
        assert cnet.base_ops[i] == ("LD", "ELTWISE", "RELU", "ST")  # ReLU node after the add
    # gene order: 20 convs (incl. 3 downsample 1x1) then the FC
    assert cnet.gene_length == 21 and cnet.kinds[cnet.gene_layers[-1]] == "fc"


def _node(name, kind, inputs, shape, **kw):
    return Node(name=name, kind=kind, inputs=inputs, shape=shape, **kw)


def test_concat_and_input_are_transparent_and_pass_post_ops():
    """conv a, conv b -> concat (+ReLU node after it) -> conv c: c's providers are a and b,
    and the concat's ReLU is costed in a and b (the reference's consumer walk)."""
    conv = dict(kernel=(3, 3), pads=(1, 1, 1, 1))
    net = Network("toy", (
        _node("in", "input", (), (1, 3, 8, 8)),
        _node("a", "conv", (0,), (1, 4, 8, 8), in_channels=3, out_channels=4, **conv),
        _node("b", "conv", (0,), (1, 4, 8, 8), in_channels=3, out_channels=4, **conv),
        _node("cat", "concat", (1, 2), (1, 8, 8, 8), post_ops=("relu",)),
        _node("c", "conv", (3,), (1, 8, 8, 8), in_channels=8, out_channels=8, **conv),
        _node("cat2", "concat", (3, 4), (1, 16, 8, 8)),
        _node("p", "pool", (5,), (1, 16, 4, 4), kernel=(2, 2), stride=(2, 2)),
    ))
    cnet = cost_network(net, HW, 128, 1)
    assert cnet.names == ("a", "b", "c", "p")
    assert cnet.providers == ((), (), (0, 1), (0, 1, 2))  # deduplicated, network order
    assert cnet.base_ops[0][-2] == "RELU" and cnet.base_ops[1][-2] == "RELU"
    assert "RELU" not in cnet.base_ops[2]


def test_grouped_conv_block_diagonal_mapping():
    """Depthwise 3x3 conv, 64 channels, S = 128: rows_g = 9, cols_g = 1; 14 groups per tile
    (128 // 9), ceil(64/14) = 5 tile groups of ceil(126/128) x ceil(14/128) = 1 x 1 crossbars:
    a = 5, b = 1, set = R*5 (dense would be R*ceil(576/128)*1 = 5R too, but MACs are 1/64)."""
    net = Network("dw", (
        _node("in", "input", (), (1, 64, 16, 16)),
        _node("dw", "conv", (0,), (1, 64, 16, 16), kernel=(3, 3), pads=(1, 1, 1, 1), groups=64,
              in_channels=64, out_channels=64),
        _node("pw", "conv", (1,), (1, 256, 16, 16), in_channels=64, out_channels=256),
    ))
    cnet = cost_network(net, HW, 128, 2)
    assert cnet.in_len.tolist() == [576, 64]
    assert cnet.row_tiles.tolist() == [5, 1]
    assert cnet.col_tiles.tolist() == [1, 2]
    assert cnet.set_size.tolist() == [40, 16]
    assert cnet.ops == 2 * (9 * 256 * 64) + 2 * (64 * 256 * 256)


def test_grouped_conv_with_large_groups():
    """groups = 2, rows_g = 3*3*256/2 = 1152 > S = 256: one group per tile group,
    a = 2 * ceil(1152/256) = 10, b = ceil(128/256) = 1."""
    net = Network("g2", (
        _node("in", "input", (), (1, 256, 8, 8)),
        _node("g", "conv", (0,), (1, 256, 8, 8), kernel=(3, 3), pads=(1, 1, 1, 1), groups=2,
              in_channels=256, out_channels=256),
    ))
    cnet = cost_network(net, HW, 256, 4)
    assert (cnet.row_tiles[0], cnet.col_tiles[0], cnet.set_size[0]) == (10, 1, 40)
    assert np.array_equal(cnet.is_conv, [True])
