"""Compact chips, first slice (`hw/compact.py`, docs/compact.md): splitting a network into
parts that fit on the chip, and the dynamic duplication (DDM) of a part."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pimsyn.frontend import load_model
from pimsyn.hw import cost_network, load_hardware
from pimsyn.hw.compact import CompactError, Part, Slice, dynamic_duplication, layer_slices, split_into_parts

NETS = Path(__file__).resolve().parents[1] / "data" / "networks"


@pytest.fixture(scope="module")
def resnet():
    return cost_network(load_model(NETS / "resnet18.json"), load_hardware(), 128, 2)


def covered(slices, a, b):
    grid = np.zeros((a, b), dtype=int)
    for s in slices:
        grid[s.rows[0]:s.rows[1], s.cols[0]:s.cols[1]] += 1
    return grid


@settings(max_examples=40, deadline=None)
@given(capacity=st.integers(min_value=8, max_value=4000))
def test_slices_tile_the_layer_exactly_within_capacity(resnet, capacity):
    layer = int(np.argmax(resnet.set_size))  # the largest weight layer
    a, b, R = int(resnet.row_tiles[layer]), int(resnet.col_tiles[layer]), int(resnet.weight_slices)
    slices = layer_slices(resnet, layer, capacity)
    assert (covered(slices, a, b) == 1).all()
    assert all(s.crossbars == R * (s.rows[1] - s.rows[0]) * (s.cols[1] - s.cols[0]) <= capacity for s in slices)
    assert (len(slices) == 1) == (a * b * R <= capacity) == slices[0].whole


def test_a_tile_set_larger_than_the_chip_is_an_error(resnet):
    with pytest.raises(CompactError, match="one weight tile spans 8 crossbars"):
        layer_slices(resnet, int(np.argmax(resnet.set_size)), 7)


@pytest.mark.parametrize("macros", [68, 40, 22, 9, 3])
def test_parts_are_consecutive_fit_and_fewest(resnet, macros):
    parts = split_into_parts(resnet, macros, 96)
    order = [layer for part in parts for layer in part.layers]
    assert order == sorted(order) and sorted(set(order)) == list(range(resnet.num_layers))
    for part in parts:
        assert part.macros(96) <= macros
    for layer in np.flatnonzero(resnet.is_weight):  # every weight tile exactly once
        slices = [s for part in parts for s in part.slices if s.layer == layer]
        assert (covered(slices, int(resnet.row_tiles[layer]), int(resnet.col_tiles[layer])) == 1).all()
    for this, following in zip(parts, parts[1:]):  # greedy: the next slice did not fit
        assert this.macros(96) + -(-following.slices[0].crossbars // 96) > macros


def test_everything_fits_in_one_part(resnet):
    need = sum(-(-int(x) // 96) for x in resnet.set_size[resnet.is_weight])
    assert need == 68
    assert len(split_into_parts(resnet, need, 96)) == 1
    assert len(split_into_parts(resnet, need - 1, 96)) == 2


def test_ddm_by_hand():
    """Two convs: L0 (100 output pixels, 10 crossbars), L1 (50 pixels, 20 crossbars);
    macros of 10 crossbars, a chip of 6. Free 3: L0 -> 2 copies (free 2); tie 50/50 goes
    to the earlier layer: L0 -> 3 (free 1); L1 is the bottleneck (50 vs 33) but its next
    copy needs 2 macros: skipped; L0 -> 4 (free 0)."""
    cnet = SimpleNamespace(is_conv=np.array([True, True]), pixels=np.array([100, 50]))
    part = Part(slices=(Slice(0, (0, 1), (0, 1), 10), Slice(1, (0, 1), (0, 2), 20)), layers=(0, 1))
    assert dynamic_duplication(cnet, part, macros=6, macro_crossbars=10) == {0: 4, 1: 1}
    with pytest.raises(CompactError, match="needs 1 more macros"):
        dynamic_duplication(cnet, part, macros=2, macro_crossbars=10)


def test_ddm_respects_the_chip_and_one_copy_per_pixel(resnet):
    for part in split_into_parts(resnet, 22, 96):
        dup = dynamic_duplication(resnet, part, 22, 96)
        assert part.macros(96, dup) <= 22
        assert all(1 <= d <= int(resnet.pixels[layer]) for layer, d in dup.items())
        assert all(d == 1 for layer, d in dup.items() if not resnet.is_conv[layer])
