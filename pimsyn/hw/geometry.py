"""Feature-map geometry of the dataflow DAG (spec 5.12 producer blocks, 5.14 pixel ranges).

A layer computes its output in ``n`` blocks of ``d`` pixels each (block ``c`` covers pixel
indices ``d*c .. d*(c+1)-1`` in row-major order). Two questions link consecutive layers:

* which producer block must be finished before consumer block ``c`` may start
  (:func:`parent_blocks`, spec 5.12), and
* which range of producer pixels a consumer pixel index reads (:func:`pixel_start`,
  :func:`pixel_end`), from which the input-buffer need of one consumer block follows
  (:func:`input_buffer_elements`, spec 5.14).

Map shape. The reference reads ``output_dim`` as [N, C, W, H] although the frontend writes
NCHW, and then uses ``W*W`` as the pixel count and the producer's ``W`` as its row length
(quirk B8). :class:`MapGeometry` instead holds the true layout: ``rows`` = output_dim[2]
(the reference's W), ``cols`` = output_dim[3] (the reference's H), pixel count
``rows*cols``, row length ``cols``. For square maps (every map of the shipped models except
the 2x3 pool of msra_A) this is the reference's arithmetic exactly; for non-square maps it
is the correct mapping, where the reference crashes or reads the wrong pixels.

All functions take numpy integer arrays and are vectorised over blocks / pixel indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class GeometryError(ValueError):
    """A consumer block would depend on a producer block that does not exist."""


@dataclass(frozen=True)
class MapGeometry:
    """What the geometry functions need to know about one cost layer."""

    name: str
    kind: str  # 'conv' | 'fc' | 'pool' | 'eltwise'
    blocks: int  # n
    dup: int  # d: output pixels per block
    channels: int  # C
    rows: int  # output_dim[2] (the reference's "W")
    cols: int  # output_dim[3] (the reference's "H"); the row length
    kernel: tuple[int, int]  # (h, w)
    stride: tuple[int, int]  # (h, w)
    pad0: tuple[int, int]  # (pad_h0, pad_w0)
    input_split: int  # q
    dup_split: int  # u

    @property
    def pixels(self) -> int:
        return self.rows * self.cols


def _ceil_div(num: np.ndarray, den: int) -> np.ndarray:
    return -((-num) // den)


def _row_col(pixel: np.ndarray, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """1-based (row, col) of a 1-based pixel count, as the reference computes it.

    ``row = ceil(x / cols)``; ``col = x mod cols`` with 0 replaced by ``cols``. Pixel index
    0 becomes row 1, column ``cols`` (spec 5.14: the reference's reading of x = 0).
    """
    row = np.where(pixel > 0, _ceil_div(pixel, cols), 1)
    col = pixel % cols
    col = np.where(col == 0, cols, col)
    return row, col


def parent_blocks(consumer: MapGeometry, producer: MapGeometry, blocks: np.ndarray) -> np.ndarray:
    """Spec 5.12: the producer block ``c_p = dep(c) - 1`` that consumer block ``c`` waits for.

    conv/pool: the last producer pixel the block's last output pixel reads (bottom-right of
    its receptive field, clipped to the map); eltwise: the same pixel index; FC: the whole
    producer output. Raises :class:`GeometryError` unless ``0 <= c_p <= n_p - 1``.
    """
    blocks = np.asarray(blocks, dtype=np.int64)
    last_pixel = np.minimum(consumer.pixels, (blocks + 1) * consumer.dup)
    if consumer.kind in ("conv", "pool"):
        row, col = _row_col(last_pixel, consumer.cols)
        kh, kw = consumer.kernel
        sh, sw = consumer.stride
        ph, pw = consumer.pad0
        src_row = np.minimum(producer.rows, (row - 1) * sh + kh - ph)
        src_col = np.minimum(producer.cols, (col - 1) * sw + kw - pw)
        # a window that lies wholly in the top/left padding (pad >= kernel) reads no producer
        # pixel: it waits for the first block (found by the network JSON property test)
        dep = np.maximum(1, _ceil_div((src_row - 1) * producer.cols + src_col, producer.dup))
    elif consumer.kind == "eltwise" and producer.pixels == 1 < consumer.pixels:
        dep = np.full_like(blocks, producer.blocks)  # a per-channel gate (squeeze-excite): all of it
    elif consumer.kind == "eltwise":
        dep = _ceil_div(last_pixel, producer.dup)
    elif consumer.kind == "fc":
        dep = np.full_like(blocks, producer.blocks)
    else:
        raise GeometryError(f"layer '{consumer.name}': unknown layer kind '{consumer.kind}'")
    parent = dep - 1
    bad = (parent < 0) | (parent > producer.blocks - 1)
    if np.any(bad):
        c = int(blocks[np.argmax(bad)])
        raise GeometryError(
            f"layer '{consumer.name}' block {c} needs block {int(parent[np.argmax(bad)])} of "
            f"'{producer.name}', which has blocks 0..{producer.blocks - 1} "
            "(duplication/block counts inconsistent with the map sizes)"
        )
    return parent


def pixel_start(pixel: np.ndarray, consumer: MapGeometry, producer: MapGeometry) -> np.ndarray:
    """Spec 5.14 ``start(x)``: first producer pixel (row-major index) that pixel x reads."""
    pixel = np.asarray(pixel, dtype=np.int64)
    if consumer.kind in ("conv", "pool"):
        row, col = _row_col(pixel, consumer.cols)
        sh, sw = consumer.stride
        ph, pw = consumer.pad0
        row_start = (row - 1) * sh + 1 - ph
        col_start = np.maximum(0, (col - 1) * sw + 1 - pw)
        return np.where(row_start > 0, (row_start - 1) * producer.cols + col_start, 0)
    if consumer.kind == "eltwise" and producer.pixels > 1:
        return pixel
    return np.zeros_like(pixel)  # fc (and a per-channel gate) reads everything


def pixel_end(pixel: np.ndarray, consumer: MapGeometry, producer: MapGeometry) -> np.ndarray:
    """Spec 5.14 ``end(x)``: last producer pixel (row-major index) that pixel x reads."""
    pixel = np.asarray(pixel, dtype=np.int64)
    if consumer.kind in ("conv", "pool"):
        row, col = _row_col(pixel, consumer.cols)
        kh, kw = consumer.kernel
        sh, sw = consumer.stride
        ph, pw = consumer.pad0
        row_end = np.minimum(producer.rows, (row - 1) * sh + kh - ph)
        col_end = np.minimum(producer.cols, (col - 1) * sw + kw - pw)
        return (row_end - 1) * producer.cols + col_end
    if consumer.kind == "eltwise" and producer.pixels > 1:
        return pixel
    return np.full_like(pixel, producer.pixels)  # fc (and a per-channel gate)


def input_buffer_elements(
    blocks: np.ndarray, consumer: MapGeometry, producer: MapGeometry
) -> np.ndarray:
    """Spec 5.14 ``inbuf(c, p, l)``: producer elements one macro of block c holds.

    ``(end(s0 + ceil(d/u)) - start(s0)) * C_p / q`` with ``s0 = d*c``: the pixel range of
    the block's first per-macro share of duplicates, all producer channels, split over the
    q macros that share a duplicate's input rows. A float, as in the reference.
    """
    blocks = np.asarray(blocks, dtype=np.int64)
    first = consumer.dup * blocks
    last = first + -(-consumer.dup // consumer.dup_split)
    span = pixel_end(last, consumer, producer) - pixel_start(first, consumer, producer)
    return span * producer.channels / consumer.input_split
