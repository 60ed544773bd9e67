"""The physical design of a ``pim`` module: the chip, its macros and the layer mapping.

Written by the ``place`` pass (docs/architecture.md, "The physical design in the IR"),
read by every backend::

    pim.chip mesh [2, 2] {
      pim.macro 0 at [0, 0] layers ["conv1"] size 8 crossbars 8 dac 216 sh 8 adc 308 alu <SHIFTADD = 39, ADDITION = 1, POOL = 2> spm_kb 64
      pim.map "conv1" macros [0] crossbars [8] merge 0 units <ADC = 308, SHIFTADD = 39, ADDITION = 1>
      pim.map "pool1" macros [0] merge 0 units <POOL = 2>
    }

* ``pim.macro``: one macro (paper Fig. 2: scratchpad, PE array of crossbars with DACs and
  sample-and-holds, ADC bank, ALUs, router). Macro ids are the serpentine positions of spec
  5.2 (``at`` = [row, col] on the mesh). ``layers`` are the weight layers whose dataflow
  runs on it: one, or a sharing pair (paper Section IV-C2), home layer first. ``size`` is
  its crossbar slots (spec 6: ceil(X/c) of its layer, or the unified size), ``crossbars``
  the slots holding weights; ``dac``/``sh``/``adc``/``alu`` its units (``sh``: one
  sample-and-hold bank of S columns per crossbar); ``spm_kb`` its eDRAM scratchpad (spec
  5.14-5.15: one capacity for every macro of a PIMSYN design).
* ``pim.map``: where one layer lives. A conv/FC layer: its home macros (the gene's c
  macros) with the crossbars each holds, the merge macro, the partner it shares its run
  with, and its units per home macro (spec 6 per-macro counts). A pool/eltwise layer: the
  one macro whose ALUs run it, with its units.

The module verifier (``pimsyn.ir.physical.verify_physical``) checks the sums and references
across ops; each op checks its own fields here.
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import ArrayAttr, DenseArrayBase, IntegerAttr, ModuleOp, StringAttr
from xdsl.ir import Attribute, Block, Region
from xdsl.irdl import IRDLOperation, irdl_op_definition, opt_prop_def, prop_def, region_def, traits_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import VerifyException

from pimsyn.ir import syntax
from pimsyn.ir.attributes import AllocAttr
from pimsyn.ir.syntax import COUNTS, INT, INTS, STRING, STRINGS, Field


class _FieldOp(IRDLOperation):
    """An op printed as ``name [positional] keyword value ...`` from its FIELDS."""

    FIELDS: ClassVar[tuple[Field, ...]] = ()
    LEAD: ClassVar[str] = ""  # property printed first as a string literal ("" = none)

    def value(self, key: str):
        field = next(f for f in self.FIELDS if f.key == key)
        return syntax.from_attr(field.kind, self.properties.get(key))

    def _fail(self, message: str) -> None:
        raise VerifyException(f"{self.name} {self._label()}: {message}")

    def _label(self) -> str:
        return ""

    def print(self, printer: Printer) -> None:
        if self.LEAD:
            printer.print_string(" ")
            printer.print_string_literal(self.properties[self.LEAD].data)  # type: ignore[attr-defined]
        syntax.print_fields(printer, self, self.FIELDS, positional=True)
        syntax.print_fields(printer, self, self.FIELDS, positional=False)
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser):
        properties: dict[str, Attribute] = {}
        if cls.LEAD:
            properties[cls.LEAD] = StringAttr(parser.parse_str_literal(f" (the {cls.LEAD} of {cls.name})"))
        syntax.parse_positional(parser, cls.FIELDS, properties)
        syntax.parse_keyword_fields(parser, cls.name, cls.FIELDS, properties)
        attributes = parser.parse_optional_attr_dict()
        properties = syntax.in_field_order(properties, cls.LEAD, cls.FIELDS)
        return cls.create(properties=properties, attributes=attributes)

    def _check_nonnegative(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            value = self.value(key)
            values = value if isinstance(value, tuple) else (value,)
            if value is not None and any(v < 0 for v in values):
                self._fail(f"{key} must be >= 0, got {value if isinstance(value, int) else list(value)}")


@irdl_op_definition
class MacroOp(_FieldOp):
    """One macro of the chip."""

    name = "pim.macro"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("id", INT, positional=True), Field("at", INTS), Field("layers", STRINGS),
        Field("size", INT), Field("crossbars", INT), Field("dac", INT), Field("sh", INT),
        Field("adc", INT), Field("alu", COUNTS), Field("spm_kb", INT),
    )
    id = prop_def(IntegerAttr)
    at = prop_def(DenseArrayBase)
    layers = prop_def(ArrayAttr[StringAttr])
    size = prop_def(IntegerAttr)
    crossbars = prop_def(IntegerAttr)
    dac = prop_def(IntegerAttr)
    sh = prop_def(IntegerAttr)
    adc = prop_def(IntegerAttr)
    alu = prop_def(AllocAttr)
    spm_kb = prop_def(IntegerAttr)

    @property
    def macro_id(self) -> int:
        return self.id.value.data

    @property
    def position(self) -> tuple[int, int]:
        return tuple(self.at.get_values())  # type: ignore[return-value]

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(s.data for s in self.layers.data)

    def count(self, key: str) -> int:
        return self.properties[key].value.data  # type: ignore[attr-defined]

    def _label(self) -> str:
        return str(self.macro_id)

    def verify_(self) -> None:
        self._check_nonnegative(("id", "at", "size", "crossbars", "dac", "sh", "adc", "spm_kb"))
        if len(self.position) != 2:
            self._fail(f"at must be [row, col], got {list(self.position)}")
        if not 1 <= len(self.layer_names) <= 2:
            self._fail(f"a macro serves one layer or a sharing pair, got {len(self.layer_names)} layers")
        if len(set(self.layer_names)) != len(self.layer_names):
            self._fail(f"layers names '{self.layer_names[0]}' twice")
        if self.count("crossbars") > self.count("size"):
            self._fail(f"crossbars {self.count('crossbars')} exceed the macro size {self.count('size')}")


@irdl_op_definition
class MapOp(_FieldOp):
    """Where one layer lives: its macros, crossbars per macro, merge macro and units."""

    name = "pim.map"
    LEAD: ClassVar[str] = "layer"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("macros", INTS), Field("crossbars", INTS, required=False), Field("merge", INT),
        Field("shared_with", STRING, required=False), Field("units", COUNTS),
    )
    layer = prop_def(StringAttr)
    macros = prop_def(DenseArrayBase)
    crossbars = opt_prop_def(DenseArrayBase)
    merge = prop_def(IntegerAttr)
    shared_with = opt_prop_def(StringAttr)
    units = prop_def(AllocAttr)

    @property
    def layer_name(self) -> str:
        return self.layer.data

    @property
    def macro_ids(self) -> tuple[int, ...]:
        return tuple(self.macros.get_values())  # type: ignore[return-value]

    @property
    def crossbar_counts(self) -> tuple[int, ...]:
        return tuple(self.crossbars.get_values()) if self.crossbars is not None else ()  # type: ignore[return-value]

    @property
    def partner(self) -> str | None:
        return self.shared_with.data if self.shared_with is not None else None

    def _label(self) -> str:
        return f'"{self.layer_name}"'

    def verify_(self) -> None:
        self._check_nonnegative(("macros", "crossbars", "merge"))
        if not self.macro_ids:
            self._fail("macros must list at least one macro")
        if len(set(self.macro_ids)) != len(self.macro_ids):
            self._fail(f"macros lists a macro twice: {list(self.macro_ids)}")
        if self.crossbars is not None and len(self.crossbar_counts) != len(self.macro_ids):
            self._fail(f"crossbars has {len(self.crossbar_counts)} entries but macros has {len(self.macro_ids)}")
        if self.partner == self.layer_name:
            self._fail("a layer cannot share macros with itself")


@irdl_op_definition
class ChipOp(IRDLOperation):
    """The chip: a rows x cols macro mesh, its macros and maps."""

    name = "pim.chip"
    FIELDS: ClassVar[tuple[Field, ...]] = (Field("mesh", INTS),)
    mesh = prop_def(DenseArrayBase)
    body = region_def("single_block")
    traits = traits_def(NoTerminator())

    def __init__(self, rows: int, cols: int, ops: list[IRDLOperation]) -> None:
        super().__init__(regions=[Region(Block(ops))], properties={"mesh": syntax.ints_attr((rows, cols))})

    @property
    def rows(self) -> int:
        return int(self.mesh.get_values()[0])  # type: ignore[arg-type]

    @property
    def cols(self) -> int:
        return int(self.mesh.get_values()[1])  # type: ignore[arg-type]

    def macro_ops(self) -> list[MacroOp]:
        return [op for op in self.body.block.ops if isinstance(op, MacroOp)]

    def map_ops(self) -> list[MapOp]:
        return [op for op in self.body.block.ops if isinstance(op, MapOp)]

    def verify_(self) -> None:
        mesh = tuple(self.mesh.get_values())
        if len(mesh) != 2 or min(mesh) < 1:  # type: ignore[type-var]
            raise VerifyException(f"pim.chip: mesh must be [rows, cols] with both >= 1, got {list(mesh)}")
        for op in self.body.block.ops:
            if not isinstance(op, (MacroOp, MapOp)):
                raise VerifyException(f"pim.chip: '{op.name}' is not a pim.macro or pim.map op")
        module = self.parent_op()
        if isinstance(module, ModuleOp):
            from pimsyn.ir.physical import verify_chip

            verify_chip(self, module)

    def print(self, printer: Printer) -> None:
        syntax.print_fields(printer, self, self.FIELDS, positional=False)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)

    @classmethod
    def parse(cls, parser: Parser) -> ChipOp:
        properties: dict[str, Attribute] = {}
        syntax.parse_keyword_fields(parser, cls.name, cls.FIELDS, properties)
        region = parser.parse_region()
        if not region.blocks:
            region.add_block(Block())
        return cls.create(regions=[region], properties=properties)


CHIP_OPS = (ChipOp, MacroOp, MapOp)
