"""Macro-partition genes: our two-array form and the reference's integer encoding.

A gene assigns macros to the weight layers in gene order (convs, then FCs, each in network
order). We hold it as two int arrays:

* ``macros[i]``: macros owned by layer i (>= 1);
* ``partners[i]``: gene index of the layer that shares its macros with layer i, or -1. The
  relation is symmetric and pairs only (paper Sec. IV-C1 rule b: *two* layers can share a
  set of macros).

The reference (spec 4.1, paper Sec. IV-C2) packs both into one integer per layer,
``g_i = 1000 * t_i + c_i``, with c_i the macro count (< 1000) and t_i the 1-based owner
index: t_i = i + 1 for a layer with its own macros, and for a pair x < i the later layer
carries t_i = x + 1. We read and write that form for output/compatibility, with the
*intended* partner (the reference decodes t_i as a 0-based index, spec A8; we do not).
"""

from __future__ import annotations

import numpy as np

#: c_i must stay below the 1000 multiplier of the encoding.
MAX_MACROS_PER_LAYER = 999
_OWNER_MULTIPLIER = 1000
NO_PARTNER = -1


class GeneError(ValueError):
    """A gene that is not a valid macro partition (bad encoding, pairing or counts)."""


def check_pairing(partners: np.ndarray) -> None:
    """Partners must be -1 or another index, symmetric (i <-> p), so every group is a pair."""
    partners = np.asarray(partners, dtype=np.int64)
    count = partners.size
    for i, partner in enumerate(partners.tolist()):
        if partner == NO_PARTNER:
            continue
        if not 0 <= partner < count or partner == i:
            raise GeneError(f"layer {i}: partner {partner} is not another layer of the gene")
        if partners[partner] != i:
            raise GeneError(f"layer {i} shares with layer {partner}, but layer {partner} does not share back")


def pairs(partners: np.ndarray) -> list[tuple[int, int]]:
    """The sharing pairs (x, i) with x < i, in increasing order of x."""
    return [(i, int(p)) for i, p in enumerate(np.asarray(partners).tolist()) if p > i]


def gene_key(macros: np.ndarray, partners: np.ndarray) -> bytes:
    """A hashable identity of a gene (for memoising fitness)."""
    return np.asarray(macros, dtype=np.int64).tobytes() + np.asarray(partners, dtype=np.int64).tobytes()


def encode_gene(macros: np.ndarray, partners: np.ndarray) -> list[int]:
    """Spec 4.1 integer form: g_i = 1000 * (owner + 1) + c_i, owner = min(i, partner)."""
    macros = np.asarray(macros, dtype=np.int64)
    partners = np.asarray(partners, dtype=np.int64)
    if macros.shape != partners.shape or macros.ndim != 1:
        raise GeneError("macros and partners must be 1-D arrays of the same length")
    check_pairing(partners)
    encoded = []
    for i, (count, partner) in enumerate(zip(macros.tolist(), partners.tolist())):
        if not 1 <= count <= MAX_MACROS_PER_LAYER:
            raise GeneError(f"layer {i}: {count} macros is outside 1..{MAX_MACROS_PER_LAYER}")
        owner = i if partner == NO_PARTNER else min(i, partner)
        encoded.append(_OWNER_MULTIPLIER * (owner + 1) + count)
    return encoded


def decode_gene(encoded: list[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`encode_gene`; t_i = x + 1 with x < i means layer i shares with x."""
    values = [int(v) for v in np.asarray(encoded).reshape(-1).tolist()]
    macros = np.empty(len(values), dtype=np.int64)
    partners = np.full(len(values), NO_PARTNER, dtype=np.int64)
    for i, value in enumerate(values):
        owner, count = divmod(value, _OWNER_MULTIPLIER)
        owner -= 1
        if count < 1:
            raise GeneError(f"gene entry {i} = {value}: a layer needs at least one macro")
        if owner == i:
            macros[i] = count
            continue
        if not 0 <= owner < i:
            raise GeneError(f"gene entry {i} = {value}: owner {owner + 1} is not an earlier layer (1-based)")
        if values[owner] // _OWNER_MULTIPLIER != owner + 1:
            raise GeneError(f"gene entry {i} = {value}: layer {owner + 1} does not own its macros")
        if partners[owner] != NO_PARTNER:
            raise GeneError(f"gene entry {i} = {value}: layer {owner + 1} already shares with another layer")
        macros[i] = count
        partners[i] = owner
        partners[owner] = i
    return macros, partners
