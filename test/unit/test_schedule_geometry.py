"""Spec 5.12 producer blocks and 5.14 pixel ranges, checked against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from pimsyn.hw.geometry import (
    GeometryError, MapGeometry, input_buffer_elements, parent_blocks, pixel_end, pixel_start,
)


def geom(kind="conv", blocks=1, dup=1, channels=1, rows=1, cols=None, kernel=(1, 1), stride=(1, 1),
         pad0=(0, 0), q=1, u=1, name="l"):
    return MapGeometry(name=name, kind=kind, blocks=blocks, dup=dup, channels=channels, rows=rows,
                       cols=rows if cols is None else cols, kernel=kernel, stride=stride, pad0=pad0,
                       input_split=q, dup_split=u)


# AlexNet design B-hist: conv1 55x55 d=119 n=26 -> maxpool 3x3 s2 27x27 d=26 n=29
CONV1 = geom(blocks=26, dup=119, channels=64, rows=55, kernel=(11, 11), stride=(4, 4), pad0=(2, 2))
POOL1 = geom(kind="pool", blocks=29, dup=26, channels=64, rows=27, kernel=(3, 3), stride=(2, 2))


def test_pool_parent_blocks_by_hand():
    parents = parent_blocks(POOL1, CONV1, np.arange(29))
    # block 0: x0 = 26 -> row 1, col 26 -> row' = 3, col' = min(55, 25*2+3) = 53
    #          dep = ceil((2*55 + 53) / 119) = ceil(163/119) = 2 -> c_p = 1
    assert parents[0] == 1
    # block 28: x0 = min(729, 754) = 729 -> row 27, col 27 -> (55, 55): ceil(3025/119) = 26
    assert parents[28] == 25
    assert np.all(parents >= 0) and np.all(parents <= 25)


def test_eltwise_and_fc_parent_blocks():
    producer = geom(blocks=5, dup=4, rows=4, cols=5)
    add = geom(kind="eltwise", blocks=7, dup=3, rows=4, cols=5)
    # x0 = min(20, 3(c+1)); dep = ceil(x0/4)
    assert parent_blocks(add, producer, np.arange(7)).tolist() == [0, 1, 2, 2, 3, 4, 4]
    fc = geom(kind="fc", blocks=1)
    assert parent_blocks(fc, producer, np.arange(1)).tolist() == [4]


def test_parent_block_out_of_range_is_a_clear_error():
    producer = geom(blocks=2, dup=4, rows=4)  # 2 blocks of 4 pixels cover only half the map
    consumer = geom(blocks=4, dup=4, rows=4)
    with pytest.raises(GeometryError, match="needs block 2 of 'l', which has blocks 0..1"):
        parent_blocks(consumer, producer, np.arange(4))


def test_non_square_map_uses_true_row_length():
    """2x3 map (rows=2, cols=3) consumed by a 1x1 conv: pixel x reads producer pixel x.
    The reference's W*W / producer-W arithmetic would read 2-pixel rows instead."""
    producer = geom(blocks=6, dup=1, rows=2, cols=3)
    consumer = geom(blocks=6, dup=1, rows=2, cols=3)
    assert parent_blocks(consumer, producer, np.arange(6)).tolist() == [0, 1, 2, 3, 4, 5]
    pixels = np.arange(1, 7)
    assert pixel_end(pixels, consumer, producer).tolist() == [1, 2, 3, 4, 5, 6]
    # a 3x3 'same' conv: pixel (r, c) needs producer pixel (min(2, r+1), min(3, c+1));
    # row-major index (row'-1)*3 + col' -> blocks [5, 6, 6, 5, 6, 6] - 1 (not monotone)
    same = geom(blocks=6, dup=1, rows=2, cols=3, kernel=(3, 3), pad0=(1, 1))
    assert parent_blocks(same, producer, np.arange(6)).tolist() == [4, 5, 5, 4, 5, 5]


def test_pixel_ranges_by_hand():
    # pool1 reading conv1 (55 wide): pixel 26 = row 1, col 26 -> cols 51..53 of rows 1..3
    assert pixel_start(np.array([26]), POOL1, CONV1).tolist() == [(1 - 1) * 55 + 51]
    assert pixel_end(np.array([26]), POOL1, CONV1).tolist() == [2 * 55 + 53]
    # the reference reads pixel index 0 as row 1, column W (spec 5.14)
    assert pixel_start(np.array([0]), POOL1, CONV1).tolist() == [53]
    # padding clips the start to 0 in the first row
    conv = geom(rows=27, kernel=(5, 5), pad0=(2, 2))
    producer = geom(rows=27)
    assert pixel_start(np.array([1]), conv, producer).tolist() == [0]


def test_input_buffer_of_pool1_block0():
    # s0 = 0 -> start 53; e0 = 0 + ceil(26/1) = 26 -> end 163; (163 - 53) * 64 / 1 = 7040
    value = input_buffer_elements(np.array([0]), POOL1, CONV1)
    assert value.tolist() == [7040.0]
