"""Dataflow-level ops of the ``pim`` dialect (paper Table II) and their ``pim.dataflow`` region.

Each op is one IR of Table II: ``pim.mvm`` (MVM: DAC + crossbar + sample-hold), ``pim.adc``,
``pim.alu`` (shift-add, addition, pool, relu, sigmoid, eltwise), ``pim.load`` and
``pim.store`` (intra-macro communication), ``pim.merge`` and ``pim.transfer`` (inter-macro
communication). Every op names its ``layer`` and covers a range of computation blocks
(``cnt``) and input bits (``bit``); it yields a ``!pim.token`` and takes the tokens it waits
for (spec 5.12: inter-op, inter-block, inter-bit and inter-layer dependencies).

Two forms:

* **compact** (``pim.dataflow { ... }``): one op per (layer, op kind) covering every block
  and bit. The intra-layer dependencies are implied by the ranges and the op order; the
  op list of a layer is a chain (each op takes the previous op's token), and the first op
  of a layer takes the token of each provider layer's last op, with ``parent_blocks``
  giving, per provider and per consumer block c, the producer block c needs
  (spec 5.12, "Which producer block a consumer block needs").
* **unrolled** (``pim.dataflow unrolled { ... }``): one op per (layer, block, op, bit) with
  every dependency as an explicit token operand (written by the ``unroll`` pass).

Syntax::

    %3 = pim.mvm "conv1" cnt 0 to 3025 bit 0 to 16 xb_num 12 after %2
    %9 = pim.load "conv2" cnt 0 to 729 vec_width 1600 after %8 parent_blocks [[0, 0, 1, ...]]
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import ArrayAttr, DenseArrayBase, FloatAttr, IntegerAttr, ModuleOp, StringAttr, UnitAttr
from xdsl.ir import Attribute, Block, Region
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import VerifyException

from pimsyn.ir import syntax
from pimsyn.ir.attributes import RangeAttr
from pimsyn.ir.syntax import FLOAT, INT, INT_ARRAYS, INTS, RANGE, WORD, Field
from pimsyn.ir.types import TokenType

ALU_OPS = ("shiftadd", "add", "pool", "relu", "sigmoid", "eltwise", "leakyrelu", "prelu", "hardsigmoid",
           "hardswish", "elu", "selu", "softplus", "swish", "gelu", "mish", "instancenorm", "layernorm")

_INDEX_FIELDS = (Field("cnt", RANGE), Field("bit", RANGE, default=(0, 1)))
#: written by the `schedule` pass: the cycle block 0 (bit 0) starts and the op's latency in
#: clock cycles per block (per bit for the bit-level ops), spec 5.11/5.13
_SCHEDULE_FIELDS = (Field("start", INT, required=False), Field("latency", INT, required=False))
_TAIL_FIELDS = (*_SCHEDULE_FIELDS, Field("parent_blocks", INT_ARRAYS, required=False))
_VEC = Field("vec_width", INT)


class DataflowOp(IRDLOperation):
    """Common part of the Table II ops."""

    FIELDS: ClassVar[tuple[Field, ...]] = (*_INDEX_FIELDS, *_TAIL_FIELDS)
    #: Integer parameters that must be >= 1.
    POSITIVE: ClassVar[tuple[str, ...]] = ()

    deps = var_operand_def(TokenType)
    layer = prop_def(StringAttr)
    cnt = prop_def(RangeAttr)
    bit = prop_def(RangeAttr)
    parent_blocks = opt_prop_def(ArrayAttr[DenseArrayBase])
    start = opt_prop_def(IntegerAttr)
    latency = opt_prop_def(IntegerAttr)
    token = result_def(TokenType)

    @property
    def kind(self) -> str:
        """Op kind as the hardware sees it: mvm, adc, load, ..., or the ALU op."""
        return self.name.split(".", 1)[1]

    @property
    def layer_name(self) -> str:
        return self.layer.data

    def param(self, key: str) -> int:
        return self.properties[key].value.data  # type: ignore[attr-defined]

    def optional_param(self, key: str) -> int | None:
        attr = self.properties.get(key)
        return attr.value.data if attr is not None else None  # type: ignore[attr-defined]

    def ints(self, key: str) -> tuple[int, ...] | None:
        attr = self.properties.get(key)
        return tuple(attr.get_values()) if attr is not None else None  # type: ignore[attr-defined]

    def parent_block_rows(self) -> tuple[tuple[int, ...], ...]:
        if self.parent_blocks is None:
            return ()
        return tuple(tuple(row.get_values()) for row in self.parent_blocks.data)  # type: ignore[union-attr]

    def _fail(self, message: str) -> None:
        raise VerifyException(f"{self.name} \"{self.layer.data}\": {message}")

    def verify_(self) -> None:
        if not self.layer.data:
            raise VerifyException(f"{self.name}: layer name must not be empty")
        for key in self.POSITIVE:
            if self.param(key) < 1:
                self._fail(f"{key} must be >= 1, got {self.param(key)}")
        for key in ("start", "latency"):
            value = self.optional_param(key)
            if value is not None and value < 0:
                self._fail(f"{key} must be >= 0, got {value}")
        for i, row in enumerate(self.parent_block_rows()):
            if len(row) != self.cnt.size:
                self._fail(
                    f"parent_blocks[{i}] has {len(row)} entries, expected one per block ({self.cnt.size})"
                )
            if row and min(row) < 0:
                self._fail(f"parent_blocks[{i}] has a negative block index")
        self.verify_kind()

    def verify_kind(self) -> None:
        """Checks specific to one op kind."""

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.layer.data)
        syntax.print_fields(printer, self, self.FIELDS, positional=True)
        syntax.print_fields(printer, self, self.FIELDS, positional=False, exclude=("parent_blocks",))
        if self.deps:
            printer.print_string(" after ")
            printer.print_list(self.deps, printer.print_operand)
        syntax.print_fields(
            printer, self, [f for f in self.FIELDS if f.key == "parent_blocks"], positional=False
        )
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> DataflowOp:
        properties: dict[str, Attribute] = {
            "layer": StringAttr(parser.parse_str_literal(f" (the layer name of {cls.name})"))
        }
        syntax.parse_positional(parser, cls.FIELDS, properties)
        deps = []

        def parse_deps() -> None:
            if deps:
                parser.raise_error(f"{cls.name}: 'after' given twice")
            token = TokenType()
            deps.append(parser.parse_operand(token))
            while parser.parse_optional_punctuation(",") is not None:
                deps.append(parser.parse_operand(token))

        syntax.parse_keyword_fields(parser, cls.name, cls.FIELDS, properties, extra={"after": parse_deps})
        attributes = parser.parse_optional_attr_dict()
        properties = syntax.in_field_order(properties, "layer", cls.FIELDS)
        return cls.create(
            operands=deps, result_types=[TokenType()], properties=properties, attributes=attributes
        )


@irdl_op_definition
class MvmOp(DataflowOp):
    """Matrix-vector multiply of one input bit over ``xb_num`` crossbars (with DAC, S&H)."""

    name = "pim.mvm"
    FIELDS: ClassVar[tuple[Field, ...]] = (*_INDEX_FIELDS, Field("xb_num", INT), *_TAIL_FIELDS)
    POSITIVE: ClassVar[tuple[str, ...]] = ("xb_num",)
    xb_num = prop_def(IntegerAttr)


@irdl_op_definition
class AdcOp(DataflowOp):
    """Analog-to-digital conversion of ``vec_width`` column outputs."""

    name = "pim.adc"
    FIELDS: ClassVar[tuple[Field, ...]] = (*_INDEX_FIELDS, _VEC, *_TAIL_FIELDS)
    POSITIVE: ClassVar[tuple[str, ...]] = ("vec_width",)
    vec_width = prop_def(IntegerAttr)


@irdl_op_definition
class AluOp(DataflowOp):
    """Vector ALU op (``aluop``: shiftadd, add, pool, relu, sigmoid, eltwise)."""

    name = "pim.alu"
    FIELDS: ClassVar[tuple[Field, ...]] = (Field("aluop", WORD, positional=True), *_INDEX_FIELDS, _VEC, *_TAIL_FIELDS)
    POSITIVE: ClassVar[tuple[str, ...]] = ("vec_width",)
    aluop = prop_def(StringAttr)
    vec_width = prop_def(IntegerAttr)

    @property
    def kind(self) -> str:
        return self.aluop.data

    def verify_kind(self) -> None:
        if self.aluop.data not in ALU_OPS:
            self._fail(f"unknown aluop '{self.aluop.data}' (expected one of {', '.join(ALU_OPS)})")


@irdl_op_definition
class LoadOp(DataflowOp):
    """Load ``vec_width`` inputs of a block from the macro's scratchpad."""

    name = "pim.load"
    FIELDS: ClassVar[tuple[Field, ...]] = (*_INDEX_FIELDS, _VEC, *_TAIL_FIELDS)
    POSITIVE: ClassVar[tuple[str, ...]] = ("vec_width",)
    vec_width = prop_def(IntegerAttr)


@irdl_op_definition
class StoreOp(DataflowOp):
    """Store ``vec_width`` outputs of a block to the macro's scratchpad."""

    name = "pim.store"
    FIELDS: ClassVar[tuple[Field, ...]] = (*_INDEX_FIELDS, _VEC, *_TAIL_FIELDS)
    POSITIVE: ClassVar[tuple[str, ...]] = ("vec_width",)
    vec_width = prop_def(IntegerAttr)


def _check_macro_ids(op: DataflowOp, keys: tuple[str, ...]) -> None:
    for key in keys:
        ids = op.ints(key)
        if ids is not None and (not ids or min(ids) < 0):
            op._fail(f"{key} must list macro ids >= 0, got {list(ids)}")


@irdl_op_definition
class MergeOp(DataflowOp):
    """Gather the partial outputs of a layer's ``macro_num`` macros at its merge macro.

    After placement: ``src`` the macros that send, ``dst`` the merge macro, ``bytes`` what
    one source sends per block (spec 5.5: dpm * C words of w bits)."""

    name = "pim.merge"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        *_INDEX_FIELDS, Field("macro_num", INT), _VEC, Field("src", INTS, required=False),
        Field("dst", INTS, required=False), Field("bytes", INT), *_TAIL_FIELDS,
    )
    POSITIVE: ClassVar[tuple[str, ...]] = ("macro_num", "vec_width", "bytes")
    macro_num = prop_def(IntegerAttr)
    vec_width = prop_def(IntegerAttr)
    src = opt_prop_def(DenseArrayBase)
    dst = opt_prop_def(DenseArrayBase)
    bytes = prop_def(IntegerAttr)

    def verify_kind(self) -> None:
        _check_macro_ids(self, ("src", "dst"))
        dst = self.ints("dst")
        if dst is not None and len(dst) != 1:
            self._fail(f"dst must name the one merge macro, got {list(dst)}")
        if (self.src is None) != (self.dst is None):
            self._fail("src and dst are placed together: give both or neither")


@irdl_op_definition
class TransferOp(DataflowOp):
    """Send the providers' outputs over the NoC to the layer's macros.

    After placement: ``src`` the merge macro of each provider (provider order), ``dst``
    every macro the layer's dataflow runs on, ``bytes`` what one destination receives per
    block (spec 5.5 words of w bits)."""

    name = "pim.transfer"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        *_INDEX_FIELDS, Field("src", INTS, required=False), Field("dst", INTS, required=False),
        Field("bytes", INT), *_TAIL_FIELDS,
    )
    POSITIVE: ClassVar[tuple[str, ...]] = ("bytes",)
    src = opt_prop_def(DenseArrayBase)
    dst = opt_prop_def(DenseArrayBase)
    bytes = prop_def(IntegerAttr)

    def verify_kind(self) -> None:
        _check_macro_ids(self, ("src", "dst"))
        if (self.src is None) != (self.dst is None):
            self._fail("src and dst are placed together: give both or neither")


DATAFLOW_OPS: tuple[type[DataflowOp], ...] = (MvmOp, AdcOp, AluOp, LoadOp, StoreOp, MergeOp, TransferOp)


def layer_groups(ops: list[DataflowOp]) -> list[list[DataflowOp]]:
    """Split a compact op list into runs of consecutive ops of one layer."""
    groups: list[list[DataflowOp]] = []
    for op in ops:
        if groups and groups[-1][0].layer.data == op.layer.data:
            groups[-1].append(op)
        else:
            groups.append([op])
    return groups


@irdl_op_definition
class DataflowRegionOp(IRDLOperation):
    """Holds the dataflow DAG of the module: ``pim.dataflow [unrolled] { ... }``."""

    name = "pim.dataflow"
    #: written by the `schedule` pass: the clock period and the cycles of one inference
    #: (the pipeline period: one inference every `cycles` clock cycles, spec 5.13/5.16)
    FIELDS: ClassVar[tuple[Field, ...]] = (Field("clock_ns", FLOAT, required=False), Field("cycles", INT, required=False))
    body = region_def("single_block")
    unrolled = opt_prop_def(UnitAttr)
    clock_ns = opt_prop_def(FloatAttr)
    cycles = opt_prop_def(IntegerAttr)
    traits = traits_def(NoTerminator())

    def __init__(self, ops: list[DataflowOp] | None = None, unrolled: bool = False) -> None:
        super().__init__(
            regions=[Region(Block(ops or []))],
            properties={"unrolled": UnitAttr()} if unrolled else {},
        )

    @property
    def is_unrolled(self) -> bool:
        return self.unrolled is not None

    @property
    def is_scheduled(self) -> bool:
        return self.cycles is not None

    def dataflow_ops(self) -> list[DataflowOp]:
        return list(self.body.block.ops)  # type: ignore[arg-type]

    def verify_(self) -> None:
        ops = list(self.body.block.ops)
        for op in ops:
            if not isinstance(op, DataflowOp):
                raise VerifyException(f"pim.dataflow: '{op.name}' is not a dataflow op")
        if (self.clock_ns is None) != (self.cycles is None):
            raise VerifyException("pim.dataflow: clock_ns and cycles are written together by 'schedule'")
        if self.clock_ns is not None and not self.clock_ns.value.data > 0:
            raise VerifyException(f"pim.dataflow: clock_ns must be positive, got {self.clock_ns.value.data}")
        if self.cycles is not None:
            if self.cycles.value.data < 1:
                raise VerifyException(f"pim.dataflow: cycles must be >= 1, got {self.cycles.value.data}")
            for op in ops:
                for key in ("start", "latency"):
                    value = op.optional_param(key)  # type: ignore[attr-defined]
                    if value is None:
                        op._fail(f"a scheduled dataflow has no '{key}' on this op")  # type: ignore[attr-defined]
                # spec 5.13: the schedule's cycles are 1 + the last start step
                if op.param("start") >= self.cycles.value.data:  # type: ignore[attr-defined]
                    op._fail(f"start {op.param('start')} is not within the {self.cycles.value.data} cycles "  # type: ignore[attr-defined]
                             "of the schedule (1 + the last start, spec 5.13)")
            if not self.is_unrolled:
                for group in layer_groups(ops):  # type: ignore[arg-type]
                    for prev, op in zip(group, group[1:]):
                        ready = prev.param("start") + prev.param("latency")
                        if op.param("start") < ready:
                            op._fail(f"start {op.param('start')} is before the previous op of its layer "
                                     f"finishes block 0 (start {prev.param('start')} + latency "
                                     f"{prev.param('latency')})")
        module = self.parent_op()
        if isinstance(module, ModuleOp):
            from pimsyn.ir.layer_ops import LayerOp

            layer_names = {op.layer_name.data for op in module.ops if isinstance(op, LayerOp)}
            for op in ops:
                if op.layer.data not in layer_names:  # type: ignore[attr-defined]
                    raise VerifyException(
                        f"pim.dataflow: {op.name} names layer \"{op.layer.data}\" "  # type: ignore[attr-defined]
                        "that is not a layer op of the module"
                    )
            from pimsyn.ir.physical import verify_endpoints

            verify_endpoints(self, module)
        if self.is_unrolled:
            for op in ops:
                assert isinstance(op, DataflowOp)
                if not (op.cnt.is_single and op.bit.is_single):
                    op._fail("an unrolled dataflow op must cover one block and one bit")
            return
        self._verify_compact(ops)  # type: ignore[arg-type]

    def _verify_compact(self, ops: list[DataflowOp]) -> None:
        seen: set[str] = set()
        last_of: dict[int, DataflowOp] = {}  # id(op) -> op, for providers' last ops
        for group in layer_groups(ops):
            layer = group[0].layer.data
            if layer in seen:
                group[0]._fail("ops of one layer must be consecutive in a compact pim.dataflow")
            seen.add(layer)
            for prev, op in zip(group, group[1:]):
                if op.cnt != group[0].cnt:
                    op._fail(f"covers blocks {op.cnt} but the layer's first op covers {group[0].cnt}")
                if len(op.deps) != 1 or op.deps[0].owner is not prev:
                    op._fail("in compact form an op depends on exactly the previous op of its layer")
                if op.parent_blocks is not None:
                    op._fail("only the first op of a layer takes parent_blocks")
            first = group[0]
            rows = first.parent_block_rows()
            if len(rows) != len(first.deps):
                first._fail(
                    f"has {len(first.deps)} provider token(s) but {len(rows)} parent_blocks row(s)"
                )
            for i, (dep, row) in enumerate(zip(first.deps, rows)):
                provider = dep.owner
                if id(provider) not in last_of:
                    first._fail(f"token #{i} must come from the last op of an earlier layer")
                p_cnt = provider.cnt  # type: ignore[union-attr]
                if row and (min(row) < p_cnt.start or max(row) >= p_cnt.end):
                    first._fail(
                        f"parent_blocks[{i}] names blocks outside the provider "
                        f"\"{provider.layer.data}\"'s range {p_cnt.start} to {p_cnt.end}"  # type: ignore[union-attr]
                    )
            last_of[id(group[-1])] = group[-1]

    def print(self, printer: Printer) -> None:
        if self.is_unrolled:
            printer.print_string(" unrolled")
        syntax.print_fields(printer, self, self.FIELDS, positional=False)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)

    @classmethod
    def parse(cls, parser: Parser) -> DataflowRegionOp:
        unrolled = parser.parse_optional_keyword("unrolled") is not None
        properties: dict[str, Attribute] = {"unrolled": UnitAttr()} if unrolled else {}
        syntax.parse_keyword_fields(parser, cls.name, cls.FIELDS, properties)
        region = parser.parse_region()
        if not region.blocks:
            region.add_block(Block())
        return cls.create(regions=[region], properties=properties)
