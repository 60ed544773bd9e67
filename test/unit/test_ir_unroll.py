"""The unroll pass: op counts, spec 5.12 dependency counts, creation order, limit."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import StringAttr
from xdsl.utils.exceptions import PassFailedException

from pimsyn.frontend.network_json import load_network_json
from pimsyn.ir.attributes import RangeAttr
from pimsyn.ir.build import network_to_module
from pimsyn.ir.context import parse_module, print_module, verify_module
from pimsyn.ir.dataflow_ops import AluOp, DataflowOp, DataflowRegionOp, LoadOp, MvmOp, StoreOp
from pimsyn.ir.design import dataflow_region
from pimsyn.ir.syntax import int_arrays_attr, int_attr
from pimsyn.ir.types import TokenType
from pimsyn.model.network import Network
from pimsyn.passes.unroll import UnrollPass, unrolled_op_count

NETWORKS = Path(__file__).parents[1] / "data" / "networks"
BITS = 3


def _op(cls, layer: str, blocks: int, bits: int, deps=(), parent_rows=None, **params) -> DataflowOp:
    props = {"layer": StringAttr(layer)}
    if cls is AluOp:
        props["aluop"] = StringAttr(params.pop("aluop"))
    props["cnt"] = RangeAttr(0, blocks)
    props["bit"] = RangeAttr(0, bits)
    for key, value in params.items():
        props[key] = int_attr(value)
    if parent_rows is not None:
        props["parent_blocks"] = int_arrays_attr(parent_rows)
    return cls.create(operands=list(deps), result_types=[TokenType()], properties=props)


def compact_dataflow(net: Network, max_blocks: int = 5) -> tuple[list[DataflowOp], dict[str, list[str]], dict[str, int]]:
    """A plausible compact dataflow: per cost layer [load, mvm/alu..., store], few blocks.

    Returns the ops, each layer's cost-layer providers, and its block count.
    """
    ops: list[DataflowOp] = []
    last: dict[str, DataflowOp] = {}
    blocks: dict[str, int] = {}
    providers: dict[str, list[str]] = {}
    # cost-layer providers, looking through input and concat nodes
    sources: list[list[str]] = []
    for node in net.nodes:
        if node.kind in ("input", "concat"):
            sources.append([p for i in node.inputs for p in sources[i]])
            continue
        provs = list(dict.fromkeys(p for i in node.inputs for p in sources[i]))
        h, w = node.spatial
        n = min(max_blocks, h * w)
        blocks[node.name] = n
        providers[node.name] = provs
        rows = [[min(blocks[p] - 1, (c * blocks[p]) // n) for c in range(n)] for p in provs]
        first = _op(LoadOp, node.name, n, 1, [last[p].results[0] for p in provs], rows if provs else None, vec_width=8)
        chain = [first]
        if node.kind in ("conv", "fc"):
            chain.append(_op(MvmOp, node.name, n, BITS, [chain[-1].results[0]], xb_num=2))
            chain.append(_op(AluOp, node.name, n, BITS, [chain[-1].results[0]], aluop="shiftadd", vec_width=4))
        else:
            aluop = "pool" if node.kind == "pool" else "eltwise"
            chain.append(_op(AluOp, node.name, n, 1, [chain[-1].results[0]], aluop=aluop, vec_width=4))
        chain.append(_op(StoreOp, node.name, n, 1, [chain[-1].results[0]], vec_width=4))
        ops.extend(chain)
        last[node.name] = chain[-1]
        sources.append([node.name])
    return ops, providers, blocks


def _module_with_dataflow(name: str):
    net = load_network_json(NETWORKS / f"{name}.json")
    module = network_to_module(net)
    ops, providers, blocks = compact_dataflow(net)
    module.body.block.add_op(DataflowRegionOp(ops))
    verify_module(module)
    return module, ops, providers, blocks


@pytest.mark.parametrize("name", ["alexnet", "resnet18", "msra_A"])
def test_unroll_counts_and_in_degrees(name: str):
    module, compact, providers, blocks = _module_with_dataflow(name)
    expected = sum(op.cnt.size * op.bit.size for op in compact)
    region = dataflow_region(module)
    assert region is not None and unrolled_op_count(region) == expected
    UnrollPass(limit=expected).apply(Context(), module)
    verify_module(module)
    region = dataflow_region(module)
    assert region is not None and region.is_unrolled
    unrolled = region.dataflow_ops()
    assert len(unrolled) == expected

    # op position k of each unrolled op within its layer's compact op list
    kinds = {}
    for op in compact:
        kinds.setdefault(op.layer_name, []).append((type(op), op.kind))
    seen_positions: dict[tuple[str, int], int] = {}
    order = []
    layer_rank = {layer: i for i, layer in enumerate(kinds)}
    for op in unrolled:
        layer, c, b = op.layer_name, op.cnt.start, op.bit.start
        count = seen_positions.get((layer, c), 0)
        # position: ops of a block appear in compact order, bits consecutively
        k = count if b == 0 else count - 1
        if b == 0:
            seen_positions[(layer, c)] = count + 1
        assert (type(op), op.kind) == kinds[layer][k]
        bit_level = kinds[layer][k][0] in (MvmOp,) or op.kind == "shiftadd"
        # spec 5.12 in-degree: [b=0 and k>0] + [b=0 and c>0] + [k=0]*|prov| + [bit-level and b>0]
        indeg = (b == 0 and k > 0) + (b == 0 and c > 0) + (k == 0) * len(providers[layer]) + (bit_level and b > 0)
        assert len(op.deps) == indeg, (layer, c, k, b)
        order.append((layer_rank[layer], c, k, b))
    # creation order: layers, then blocks, then op positions, then bits
    assert order == sorted(order)


def test_inter_layer_operand_is_the_parent_block_store():
    module, compact, providers, blocks = _module_with_dataflow("alexnet")
    first_of = {}
    for op in compact:
        first_of.setdefault(op.layer_name, op)
    UnrollPass().apply(Context(), module)
    region = dataflow_region(module)
    for op in region.dataflow_ops():
        if op.kind == "load" and providers[op.layer_name]:
            c = op.cnt.start
            rows = first_of[op.layer_name].parent_block_rows()
            inter_layer = op.deps[-len(providers[op.layer_name]):]
            for dep, provider, row in zip(inter_layer, providers[op.layer_name], rows):
                assert dep.owner.kind == "store"
                assert dep.owner.layer_name == provider
                assert dep.owner.cnt.start == row[c]


def test_unrolled_text_round_trips():
    module, *_ = _module_with_dataflow("alexnet")
    UnrollPass().apply(Context(), module)
    text = print_module(module)
    assert print_module(parse_module(text)) == text


def test_limit_refuses_and_force_overrides():
    module, compact, *_ = _module_with_dataflow("alexnet")
    total = sum(op.cnt.size * op.bit.size for op in compact)
    with pytest.raises(PassFailedException, match=f"would hold {total} ops, over the limit of {total - 1}"):
        UnrollPass(limit=total - 1).apply(Context(), module)
    assert not dataflow_region(module).is_unrolled  # untouched
    UnrollPass(limit=total - 1, force=True).apply(Context(), module)
    assert len(dataflow_region(module).dataflow_ops()) == total


def test_block_counts_follow_the_network():
    net = load_network_json(NETWORKS / "alexnet.json")
    _, _, blocks = compact_dataflow(net, max_blocks=10**9)
    conv1 = net.nodes[1]
    assert blocks[conv1.name] == conv1.spatial[0] * conv1.spatial[1] == 55 * 55
    assert math.prod(net.nodes[-1].spatial) == 1


def test_a_placed_design_with_shared_macros_unrolls_and_verifies():
    """Once unrolled, a transfer may also wait on an earlier op of its own layer (the previous
    block on the same macros); the placement check must not take that for a provider
    (regression: a synthesized AlexNet with sharing pairs failed `-p unroll`)."""
    from backend_designs import alexnet_design

    from pimsyn.ir.context import make_context, parse_module, print_module
    from pimsyn.passes.pipeline import design_to_module
    from pimsyn.passes.unroll import UnrollPass

    design = alexnet_design(partners=(4, -1, -1, -1, 0, 6, 5, -1), macro_setting="specified")
    module = design_to_module(design)
    UnrollPass(force=True).apply(make_context(), module)
    again = parse_module(print_module(module), "unrolled")  # parses and verifies
    transfers = [op for op in again.walk() if op.name == "pim.transfer"]
    assert transfers and any(dep.owner.layer_name == op.layer_name for op in transfers for dep in op.deps)
