"""``unroll``: expand the compact dataflow into one op per (layer, block, op, bit).

Implements the DAG of spec 5.12 / paper Fig. 4 with explicit ``!pim.token`` operands. For
op k of a layer (compact op list order), block c and bit b, the unrolled op waits for, in
this operand order:

1. inter-op    (b = first bit, k > 0): op k-1 of the same block, first bit;
2. inter-block (b = first bit, c > first block): op k of block c-1, first bit;
3. inter-layer (k = 0, b = first bit): for each provider p in operand order, p's last op at
   block ``parent_blocks[p][c]``, first bit;
4. inter-bit   (b > first bit): op k of the same block, bit b-1.

Ops are created in the spec's creation order: layers in order, then blocks, ops, bits.
Options: ``limit`` (refuse above this many unrolled ops) and ``force`` (unroll anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter
from xdsl.utils.exceptions import DiagnosticException, PassFailedException

from pimsyn.ir.attributes import RangeAttr
from pimsyn.ir.dataflow_ops import DataflowOp, DataflowRegionOp, layer_groups
from pimsyn.ir.design import dataflow_region
from pimsyn.ir.types import TokenType

DEFAULT_LIMIT = 20000


def unrolled_op_count(region: DataflowRegionOp) -> int:
    """Ops the unrolled form of a compact region would hold."""
    return sum(op.cnt.size * op.bit.size for op in region.dataflow_ops())


def unroll_region(region: DataflowRegionOp) -> DataflowRegionOp:
    """The unrolled twin of a compact ``pim.dataflow`` op (the input is left untouched)."""
    token = TokenType()
    ranges: dict[int, RangeAttr] = {}

    def single(index: int) -> RangeAttr:
        if index not in ranges:
            ranges[index] = RangeAttr(index)
        return ranges[index]

    new_ops: list[DataflowOp] = []
    # id(compact op) -> tokens[block - first block][bit - first bit]
    tokens: dict[int, list[list[SSAValue]]] = {}
    for group in layer_groups(region.dataflow_ops()):
        cnt = group[0].cnt
        for op in group:
            tokens[id(op)] = []
        first = group[0]
        providers = [dep.owner for dep in first.deps]
        parent_rows = first.parent_block_rows()
        for c in range(cnt.start, cnt.end):
            for k, op in enumerate(group):
                bits = op.bit
                base_props: dict[str, Attribute] = {
                    key: value for key, value in op.properties.items() if key not in ("parent_blocks", "start")
                }
                base_props["cnt"] = single(c)
                row: list[SSAValue] = []
                for b in range(bits.start, bits.end):
                    deps: list[SSAValue] = []
                    if b == bits.start:
                        if k > 0:
                            deps.append(tokens[id(group[k - 1])][c - cnt.start][0])
                        if c > cnt.start:
                            deps.append(tokens[id(op)][c - cnt.start - 1][0])
                        if k == 0:
                            for provider, parents in zip(providers, parent_rows):
                                p_cnt = provider.cnt  # type: ignore[union-attr]
                                deps.append(tokens[id(provider)][parents[c - cnt.start] - p_cnt.start][0])
                    else:
                        deps.append(row[-1])
                    props = dict(base_props)
                    props["bit"] = single(b)
                    new_op = type(op).create(
                        operands=deps, result_types=[token], properties=props, attributes=dict(op.attributes)
                    )
                    new_ops.append(new_op)
                    row.append(new_op.results[0])
                tokens[id(op)].append(row)
    return DataflowRegionOp(new_ops, unrolled=True)


@dataclass(frozen=True)
class UnrollPass(ModulePass):
    """Expand the compact ``pim.dataflow`` into explicit per-(block, bit) ops."""

    name = "unroll"

    limit: int = DEFAULT_LIMIT
    force: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        region = dataflow_region(op)
        if region is None or region.is_unrolled:
            return
        try:
            region.verify()
        except DiagnosticException as err:
            raise PassFailedException(f"unroll: {str(err).splitlines()[0]}") from None
        count = unrolled_op_count(region)
        if count > self.limit and not self.force:
            raise PassFailedException(
                f"unroll: the unrolled dataflow would hold {count} ops, over the limit of {self.limit} "
                "(raise limit=N or pass force=true)"
            )
        Rewriter.replace_op(region, unroll_region(region))
