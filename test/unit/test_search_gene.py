"""Gene encoding: our (macros, partners) arrays vs the reference's 1000*owner + count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pimsyn.search.gene import GeneError, check_pairing, decode_gene, encode_gene, gene_key, pairs

OUTPUT_GENE = [1011, 2010, 3005, 4005, 5003, 6018, 7008, 8004]  # spec 8.1


def test_reference_output_gene_decodes_without_sharing():
    macros, partners = decode_gene(OUTPUT_GENE)
    assert macros.tolist() == [11, 10, 5, 5, 3, 18, 8, 4]
    assert partners.tolist() == [-1] * 8
    assert encode_gene(macros, partners) == OUTPUT_GENE


def test_shared_layer_points_to_the_intended_earlier_layer():
    # Layer 3 (0-based) shares with layer 1: t_3 = 1 + 1 = 2 (spec 4.1), not layer 2 (A8).
    macros, partners = decode_gene([1004, 2003, 3002, 2005])
    assert partners.tolist() == [-1, 3, -1, 1]
    assert pairs(partners) == [(1, 3)]
    assert encode_gene(macros, partners) == [1004, 2003, 3002, 2005]


@pytest.mark.parametrize(
    "gene, message",
    [
        ([1004, 3003], "not an earlier layer"),  # points forward
        ([1004, 2000], "at least one macro"),
        ([1004, 1003, 1002], "already shares"),  # three layers on one set of macros
        ([2004, 1003], "not an earlier layer"),
    ],
)
def test_bad_encodings_raise_gene_error(gene, message):
    with pytest.raises(GeneError, match=message):
        decode_gene(gene)


def test_bad_arrays_raise_gene_error():
    with pytest.raises(GeneError, match="does not share back"):
        check_pairing(np.array([1, -1]))
    with pytest.raises(GeneError, match="not another layer"):
        check_pairing(np.array([0, -1]))
    with pytest.raises(GeneError, match="outside 1..999"):
        encode_gene(np.array([1000]), np.array([-1]))


@st.composite
def genes(draw):
    layers = draw(st.integers(1, 12))
    macros = np.array(draw(st.lists(st.integers(1, 999), min_size=layers, max_size=layers)))
    order = draw(st.permutations(range(layers)))
    partners = np.full(layers, -1)
    pair_count = draw(st.integers(0, layers // 2))
    for k in range(pair_count):
        a, b = order[2 * k], order[2 * k + 1]
        partners[a], partners[b] = b, a
    return macros, partners


@given(genes())
def test_encode_decode_round_trip(gene):
    macros, partners = gene
    encoded = encode_gene(macros, partners)
    decoded_macros, decoded_partners = decode_gene(encoded)
    assert decoded_macros.tolist() == macros.tolist()
    assert decoded_partners.tolist() == partners.tolist()
    assert all(value % 1000 == count for value, count in zip(encoded, macros.tolist()))
    assert gene_key(decoded_macros, decoded_partners) == gene_key(macros, partners)
