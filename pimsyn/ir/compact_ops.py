"""A compact design in the IR: a chip smaller than the network's weights, run part by part
(docs/compact.md, "Compact synthesis")::

    pim.compact "isaac" macros 2 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.245 dram lpddr5 batch 16 area_limit_mm2 0.5 {
      pim.part 0 layers ["conv1", "pool1"] duplication ddm cycles_ddm 4352.0 cycles_sa 8704.0 {
        pim.resident "conv1" rows [0, 1] cols [0, 1] crossbars 8 dup 2 ddm 2 sa 1 macros 1
        pim.dram_load "conv1" weights bytes 32768
        pim.dram_load "data" activations bytes 1536 into "conv1"
        pim.dram_store "pool1" activations bytes 512
      }
      pim.part 1 layers ["fc1"] duplication ddm cycles_ddm 96.0 cycles_sa 96.0 overlap { ... }
      pim.batch_point 16 throughput 1.2e5 latency_ns 1.3e5 energy_nj 2.1e3 tops_per_w 0.8 dram_share 0.4 reloads 0.125 gops_per_mm2 12.0 throughput_ddm 1.2e5 throughput_sa 1.1e5
    }

* ``pim.compact``: the one physical chip (``macros`` macros of the organisation, each of
  ``macro_crossbars`` crossbars of ``xbar`` x ``xbar`` ``cell_res``-bit cells, with their
  DACs/ADCs), its area per macro, the off-chip DRAM, the batch the design runs, and the
  limits it was made for (``area_limit_mm2``, ``max_crossbars``, ``total_power_w``).
* ``pim.part``: layers whose weights are resident together, in run order; ``duplication``
  the one kept (``ddm``: the paper's Algorithm 1, ``sa``: PIMSYN's SA filter) with both
  pipeline times T_p(batch) in clock cycles; ``overlap``: its weight reload overlaps the
  previous part's tail (the paper's case 3).
* ``pim.resident``: one layer's (or one slice's) weights resident during the part: row and
  column tiles [lo, hi), crossbars of one copy, copies kept and under each duplication,
  macros taken; ``split``: a slice of a layer larger than the chip.
* ``pim.dram_load`` / ``pim.dram_store``: the reload points. Weights are read once per
  batch at the start of the part (none when the whole network stays resident);
  activations (bytes per input) are read from the part that wrote them (``from``; none:
  the network input) into a layer of this part, and stored when a later part or the
  network output needs them.
* ``pim.batch_point``: the metrics at one batch size (the batch table of report.md).

The verifiers check each op's fields and, in ``pim.compact``, the parts against the chip
and the module's layer ops; messages name the op and the field.
"""

from __future__ import annotations

import math
from typing import ClassVar

from xdsl.dialects.builtin import ArrayAttr, DenseArrayBase, FloatAttr, IntegerAttr, ModuleOp, StringAttr, UnitAttr
from xdsl.ir import Attribute, Block
from xdsl.irdl import irdl_op_definition, opt_prop_def, prop_def, region_def, traits_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import NoTerminator

from pimsyn.ir import syntax
from pimsyn.ir.chip_ops import _FieldOp
from pimsyn.ir.syntax import FLAG, FLOAT, INT, INTS, STRING, STRINGS, WORD, Field

DRAMS = ("lpddr3", "lpddr4", "lpddr5")
DUPLICATIONS = ("ddm", "sa")
LOAD_KINDS = ("weights", "activations")


class _LeadFieldOp(_FieldOp):
    """A field op whose `value` also reads the leading string (the layer, the organisation)."""

    def value(self, key: str):
        if key == self.LEAD:
            return self.properties[key].data  # type: ignore[attr-defined]
        return super().value(key)


@irdl_op_definition
class ResidentOp(_LeadFieldOp):
    """Weights of one layer (or slice) resident while the part runs."""

    name = "pim.resident"
    LEAD: ClassVar[str] = "layer"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("rows", INTS), Field("cols", INTS), Field("crossbars", INT), Field("dup", INT), Field("ddm", INT),
        Field("sa", INT), Field("macros", INT), Field("split", FLAG),
    )
    layer = prop_def(StringAttr)
    rows = prop_def(DenseArrayBase)
    cols = prop_def(DenseArrayBase)
    crossbars = prop_def(IntegerAttr)
    dup = prop_def(IntegerAttr)
    ddm = prop_def(IntegerAttr)
    sa = prop_def(IntegerAttr)
    macros = prop_def(IntegerAttr)
    split = opt_prop_def(UnitAttr)

    def _label(self) -> str:
        return f'"{self.value("layer")}"'

    def verify_(self) -> None:
        for key in ("rows", "cols"):
            span = self.value(key)
            if len(span) != 2 or not 0 <= span[0] < span[1]:
                self._fail(f"{key} must be [lo, hi) tiles with 0 <= lo < hi, got {list(span)}")
        for key in ("crossbars", "dup", "ddm", "sa", "macros"):
            if self.value(key) < 1:
                self._fail(f"{key} must be >= 1, got {self.value(key)}")


@irdl_op_definition
class DramLoadOp(_LeadFieldOp):
    """A DRAM read at the start of a part: weights (per batch) or activations (per input)."""

    name = "pim.dram_load"
    LEAD: ClassVar[str] = "layer"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("kind", WORD, positional=True), Field("bytes", INT), Field("from_part", INT, keyword="from", required=False),
        Field("into", STRING, required=False),
    )
    layer = prop_def(StringAttr)
    kind = prop_def(StringAttr)
    bytes = prop_def(IntegerAttr)
    from_part = opt_prop_def(IntegerAttr)
    into = opt_prop_def(StringAttr)

    def _label(self) -> str:
        return f'"{self.value("layer")}"'

    def verify_(self) -> None:
        self._check_nonnegative(("bytes", "from_part"))
        kind = self.value("kind")
        if kind not in LOAD_KINDS:
            self._fail(f"kind must be one of {', '.join(LOAD_KINDS)}, got '{kind}'")
        if kind == "weights" and (self.value("from_part") is not None or self.value("into") is not None):
            self._fail("a weights load takes neither 'from' nor 'into'")
        if kind == "activations" and self.value("into") is None:
            self._fail("an activations load needs 'into' (the layer of the part that reads them)")


@irdl_op_definition
class DramStoreOp(_LeadFieldOp):
    """A DRAM write of a part's output activations (bytes per input)."""

    name = "pim.dram_store"
    LEAD: ClassVar[str] = "layer"
    FIELDS: ClassVar[tuple[Field, ...]] = (Field("kind", WORD, positional=True), Field("bytes", INT))
    layer = prop_def(StringAttr)
    kind = prop_def(StringAttr)
    bytes = prop_def(IntegerAttr)

    def _label(self) -> str:
        return f'"{self.value("layer")}"'

    def verify_(self) -> None:
        self._check_nonnegative(("bytes",))
        if self.value("kind") != "activations":
            self._fail(f"kind must be activations, got '{self.value('kind')}'")


BATCH_FIELDS = ("throughput", "latency_ns", "energy_nj", "tops_per_w", "dram_share", "reloads", "gops_per_mm2",
                "throughput_ddm", "throughput_sa")


@irdl_op_definition
class BatchPointOp(_LeadFieldOp):
    """The metrics at one batch size."""

    name = "pim.batch_point"
    FIELDS: ClassVar[tuple[Field, ...]] = (Field("batch", INT, positional=True),
                                           *(Field(key, FLOAT) for key in BATCH_FIELDS))
    batch = prop_def(IntegerAttr)
    throughput = prop_def(FloatAttr)
    latency_ns = prop_def(FloatAttr)
    energy_nj = prop_def(FloatAttr)
    tops_per_w = prop_def(FloatAttr)
    dram_share = prop_def(FloatAttr)
    reloads = prop_def(FloatAttr)
    gops_per_mm2 = prop_def(FloatAttr)
    throughput_ddm = prop_def(FloatAttr)
    throughput_sa = prop_def(FloatAttr)

    def _label(self) -> str:
        return str(self.value("batch"))

    def verify_(self) -> None:
        if self.value("batch") < 1:
            self._fail(f"batch must be >= 1, got {self.value('batch')}")
        for key in BATCH_FIELDS:
            value = self.value(key)
            if not (math.isfinite(value) and value >= 0):
                self._fail(f"{key} must be a finite number >= 0, got {value}")
        if self.value("dram_share") > 1:
            self._fail(f"dram_share must be at most 1, got {self.value('dram_share')}")


class _RegionFieldOp(_LeadFieldOp):
    """A field op with one block of nested ops, printed after the fields (no attribute
    dictionary: its braces would read as the region's)."""

    def print(self, printer: Printer) -> None:
        if self.LEAD:
            printer.print_string(" ")
            printer.print_string_literal(self.properties[self.LEAD].data)  # type: ignore[attr-defined]
        syntax.print_fields(printer, self, self.FIELDS, positional=True)
        syntax.print_fields(printer, self, self.FIELDS, positional=False)
        printer.print_string(" ")
        printer.print_region(self.regions[0], print_entry_block_args=False, print_empty_block=False)

    @classmethod
    def parse(cls, parser: Parser):
        properties: dict[str, Attribute] = {}
        if cls.LEAD:
            properties[cls.LEAD] = StringAttr(parser.parse_str_literal(f" (the {cls.LEAD} of {cls.name})"))
        syntax.parse_positional(parser, cls.FIELDS, properties)
        syntax.parse_keyword_fields(parser, cls.name, cls.FIELDS, properties)
        region = parser.parse_region()
        if not region.blocks:
            region.add_block(Block())
        return cls.create(properties=syntax.in_field_order(properties, cls.LEAD, cls.FIELDS), regions=[region])


@irdl_op_definition
class PartOp(_RegionFieldOp):
    """Layers whose weights are resident together, with their reload points."""

    name = "pim.part"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("index", INT, positional=True), Field("layers", STRINGS), Field("duplication", WORD),
        Field("cycles_ddm", FLOAT), Field("cycles_sa", FLOAT), Field("overlap", FLAG),
    )
    index = prop_def(IntegerAttr)
    layers = prop_def(ArrayAttr[StringAttr])
    duplication = prop_def(StringAttr)
    cycles_ddm = prop_def(FloatAttr)
    cycles_sa = prop_def(FloatAttr)
    overlap = opt_prop_def(UnitAttr)
    body = region_def("single_block")
    traits = traits_def(NoTerminator())

    def _label(self) -> str:
        return str(self.value("index"))

    def ops_of(self, kind: type) -> list:
        return [op for op in self.body.block.ops if isinstance(op, kind)]

    def verify_(self) -> None:
        self._check_nonnegative(("index",))
        layers = self.value("layers")
        if not layers or len(set(layers)) != len(layers):
            self._fail(f"layers must name each layer once, at least one, got {list(layers)}")
        method = self.value("duplication")
        if method not in DUPLICATIONS:
            self._fail(f"duplication must be one of {', '.join(DUPLICATIONS)}, got '{method}'")
        for key in ("cycles_ddm", "cycles_sa"):
            if not (math.isfinite(self.value(key)) and self.value(key) > 0):
                self._fail(f"{key} must be a finite number > 0, got {self.value(key)}")
        resident = set()
        for op in self.body.block.ops:
            if not isinstance(op, (ResidentOp, DramLoadOp, DramStoreOp)):
                self._fail(f"'{op.name}' is not a pim.resident, pim.dram_load or pim.dram_store op")
            name = op.value("layer")
            if isinstance(op, ResidentOp):
                if name not in layers:
                    self._fail(f'pim.resident "{name}" is not one of the part\'s layers')
                if op.value("dup") != op.value(method):
                    self._fail(f'pim.resident "{name}": dup {op.value("dup")} is not its {method} duplication '
                               f'{op.value(method)}')
                resident.add(name)
        for op in self.ops_of(DramLoadOp):
            name = op.value("layer")
            if op.value("kind") == "weights" and name not in resident:
                self._fail(f'pim.dram_load "{name}": loads weights that are not resident in the part')
            if op.value("kind") == "activations":
                if op.value("into") not in layers:
                    self._fail(f'pim.dram_load "{name}": into "{op.value("into")}" is not one of the part\'s layers')
                source = op.value("from_part")
                if source is not None and source >= self.value("index"):
                    self._fail(f'pim.dram_load "{name}": from part {source} does not run before part '
                               f'{self.value("index")}')
        for op in self.ops_of(DramStoreOp):
            if op.value("layer") not in layers:
                self._fail(f'pim.dram_store "{op.value("layer")}" is not one of the part\'s layers')


@irdl_op_definition
class CompactOp(_RegionFieldOp):
    """The one physical chip of a compact design, its parts and its batch table."""

    name = "pim.compact"
    LEAD: ClassVar[str] = "organisation"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("macros", INT), Field("macro_crossbars", INT), Field("xbar", INT), Field("cell_res", INT),
        Field("dac_res", INT), Field("adc_res", INT), Field("macro_area_mm2", FLOAT), Field("dram", WORD),
        Field("batch", INT), Field("area_limit_mm2", FLOAT, required=False),
        Field("max_crossbars", INT, required=False), Field("total_power_w", FLOAT, required=False),
    )
    organisation = prop_def(StringAttr)
    macros = prop_def(IntegerAttr)
    macro_crossbars = prop_def(IntegerAttr)
    xbar = prop_def(IntegerAttr)
    cell_res = prop_def(IntegerAttr)
    dac_res = prop_def(IntegerAttr)
    adc_res = prop_def(IntegerAttr)
    macro_area_mm2 = prop_def(FloatAttr)
    dram = prop_def(StringAttr)
    batch = prop_def(IntegerAttr)
    area_limit_mm2 = opt_prop_def(FloatAttr)
    max_crossbars = opt_prop_def(IntegerAttr)
    total_power_w = opt_prop_def(FloatAttr)
    body = region_def("single_block")
    traits = traits_def(NoTerminator())

    def _label(self) -> str:
        return f'"{self.value("organisation")}"'

    def parts(self) -> list[PartOp]:
        return [op for op in self.body.block.ops if isinstance(op, PartOp)]

    def batch_points(self) -> list[BatchPointOp]:
        return [op for op in self.body.block.ops if isinstance(op, BatchPointOp)]

    def verify_(self) -> None:
        for key in ("macros", "macro_crossbars", "xbar", "cell_res", "dac_res", "adc_res", "batch", "max_crossbars"):
            value = self.value(key)
            if value is not None and value < 1:
                self._fail(f"{key} must be >= 1, got {value}")
        for key in ("macro_area_mm2", "area_limit_mm2", "total_power_w"):
            value = self.value(key)
            if value is not None and not (math.isfinite(value) and value > 0):
                self._fail(f"{key} must be a finite number > 0, got {value}")
        if self.value("dram") not in DRAMS:
            self._fail(f"dram must be one of {', '.join(DRAMS)}, got '{self.value('dram')}'")
        for op in self.body.block.ops:
            if not isinstance(op, (PartOp, BatchPointOp)):
                self._fail(f"'{op.name}' is not a pim.part or pim.batch_point op")
        self._verify_parts()
        batches = [op.value("batch") for op in self.batch_points()]
        if batches != sorted(set(batches)):
            self._fail(f"batch points must have increasing batch sizes, got {batches}")
        if self.value("batch") not in batches:
            self._fail(f"no pim.batch_point for the design's batch {self.value('batch')}")
        module = self.parent_op()
        if isinstance(module, ModuleOp):
            self._verify_layers(module)

    def _verify_parts(self) -> None:
        macros, per_macro = self.value("macros"), self.value("macro_crossbars")
        for k, part in enumerate(self.parts()):
            if part.value("index") != k:
                self._fail(f"part {part.value('index')} is the {k}-th part (parts are numbered 0, 1, ... in order)")
            used = 0
            for op in part.ops_of(ResidentOp):
                need = -(-op.value("crossbars") * op.value("dup") // per_macro)
                if op.value("macros") != need:
                    self._fail(f'part {k}: pim.resident "{op.value("layer")}": macros {op.value("macros")}, but '
                               f'{op.value("dup")} copies of {op.value("crossbars")} crossbars take {need}')
                used += need
            if used > macros:
                self._fail(f"part {k}: its resident weights take {used} macros, the chip has {macros}")
        if not self.parts():
            self._fail("a compact design needs at least one pim.part")

    def _verify_layers(self, module: ModuleOp) -> None:
        from pimsyn.ir.design import layer_ops

        kinds = {op.layer: op.name for op in layer_ops(module)}
        placed = set()
        for part in self.parts():
            for name in part.value("layers"):
                if name not in kinds:
                    self._fail(f'part {part.value("index")}: layer "{name}" is not a layer op of the module')
            for op in part.ops_of(ResidentOp):
                if kinds.get(op.value("layer")) not in ("pim.conv", "pim.fc"):
                    self._fail(f'part {part.value("index")}: pim.resident "{op.value("layer")}" is not a conv or '
                               f'fc layer')
                placed.add(op.value("layer"))
        missing = [name for name, kind in kinds.items() if kind in ("pim.conv", "pim.fc") and name not in placed]
        if missing:
            self._fail(f'the weights of layer "{missing[0]}" are resident in no part')


def compact_of(module: ModuleOp) -> CompactOp | None:
    """The module's `pim.compact` op, if any."""
    found = [op for op in module.ops if isinstance(op, CompactOp)]
    return found[0] if found else None


COMPACT_OPS = (CompactOp, PartOp, ResidentOp, DramLoadOp, DramStoreOp, BatchPointOp)
