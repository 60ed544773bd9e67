"""Layer-level ops of the ``pim`` dialect: one op per network layer kind.

The ops mirror :class:`pimsyn.model.network.Node` (one op per node, operands = the node's
inputs, result = its output feature map), so a network is a straight-line list of ops whose
SSA def-use edges are the network edges. Syntax (defaults left out)::

    %conv1 = pim.conv %data "conv1" kernel [11, 11] stride [4, 4] pads [2, 2, 2, 2] in 3 out 64
             activation relu : tensor<1x3x224x224xi16> -> tensor<1x64x55x55xi16>

Synthesis passes annotate the ops with discardable attributes (the design): ``dup``
(weight duplication WtDup, paper Eq. 2), ``blocks`` (computation blocks n = ceil(HW/dup)),
``macros`` (macro count of MacAlloc), ``share_with`` (the layer whose macros this layer
shares, paper rule IV-C1b) and ``alloc`` (CompAlloc, Eq. 5/6).
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    IntegerAttr,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    opt_attr_def,
    opt_prop_def,
    prop_def,
    result_def,
    var_operand_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from pimsyn.ir import syntax
from pimsyn.ir.attributes import AllocAttr
from pimsyn.ir.syntax import FLAG, FLOATS, INT, INTS, WORD, WORDS, Field
from pimsyn.ir.types import tensor_shape
from pimsyn.model.network import ACTIVATIONS, POST_OPS

POOL_METHODS = ("max", "avg")
ELTWISE_OPS = ("add", "mul", "sub")
#: Discardable design attributes a layer op may carry (written by synthesis passes).
DESIGN_INT_ATTRS = ("dup", "blocks", "macros", "crossbars")

_COMMON_FIELDS = (
    Field("post_ops", WORDS, required=False),
    Field("clip_range", FLOATS, keyword="clip", required=False),
    Field("batchnorm_folded", FLAG, keyword="bn_folded"),
)
_GEOMETRY_FIELDS = (
    Field("kernel", INTS),
    Field("stride", INTS, default=(1, 1)),
    Field("pads", INTS, default=(0, 0, 0, 0)),
)
_WEIGHT_FIELDS = (
    Field("in_channels", INT, keyword="in"),
    Field("out_channels", INT, keyword="out"),
    Field("bias", FLAG),
    Field("activation", WORD, required=False),
)


class LayerOp(IRDLOperation):
    """Common part of every layer op: name, inputs, output, post-ops, design attributes."""

    FIELDS: ClassVar[tuple[Field, ...]] = _COMMON_FIELDS
    #: Number of operands the kind takes: (minimum, maximum or None).
    ARITY: ClassVar[tuple[int, int | None]] = (1, 1)

    inputs = var_operand_def(TensorType)
    layer_name = prop_def(StringAttr, prop_name="name")
    post_ops = opt_prop_def(ArrayAttr[StringAttr])
    clip_range = opt_prop_def(DenseArrayBase, prop_name="clip_range")
    batchnorm_folded = opt_prop_def(UnitAttr)
    output = result_def(TensorType)

    dup = opt_attr_def(IntegerAttr)
    blocks = opt_attr_def(IntegerAttr)
    macros = opt_attr_def(IntegerAttr)
    share_with = opt_attr_def(StringAttr)
    alloc = opt_attr_def(AllocAttr)

    # -- convenience accessors (plain Python values) -----------------------------------
    @property
    def kind(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def layer(self) -> str:
        return self.layer_name.data

    def field(self, key: str) -> object:
        """Python value of the property ``key`` (see :mod:`pimsyn.ir.syntax`)."""
        for field in self.FIELDS:
            if field.key == key:
                return syntax.from_attr(field.kind, self.properties.get(key))
        raise KeyError(key)

    @property
    def out_shape(self) -> tuple[int, ...]:
        return tensor_shape(self.output.type)

    # -- verification ---------------------------------------------------------------
    def _fail(self, message: str) -> None:
        raise VerifyException(f"{self.name} \"{self.layer_name.data}\": {message}")

    def verify_(self) -> None:
        if not self.layer_name.data:
            raise VerifyException(f"{self.name}: layer name must not be empty")
        low, high = self.ARITY
        count = len(self.inputs)
        if count < low or (high is not None and count > high):
            want = f"{low}" if low == high else f"at least {low}" if high is None else f"{low} to {high}"
            self._fail(f"takes {want} operand(s), got {count}")
        shape = self.out_shape
        if len(shape) not in (2, 4) or any(d <= 0 for d in shape):
            self._fail(f"result must be a static 2-D or 4-D tensor with positive sizes, got {self.output.type}")
        for op_name in self.field("post_ops") or ():
            if op_name not in POST_OPS:
                self._fail(f"unknown post-op '{op_name}' (expected one of {', '.join(POST_OPS)})")
        clip = self.field("clip_range")
        if clip is not None and (len(clip) != 2 or clip[0] > clip[1]):
            self._fail(f"clip range must be [min, max] with min <= max, got {list(clip)}")
        for key in DESIGN_INT_ATTRS:
            attr = self.attributes.get(key)
            if attr is None:
                continue
            if not isinstance(attr, IntegerAttr) or attr.value.data < 1:
                self._fail(f"design attribute '{key}' must be an integer >= 1, got {attr}")
        share = self.attributes.get("share_with")
        if share is not None and (not isinstance(share, StringAttr) or not share.data):
            self._fail("design attribute 'share_with' must name a layer")
        if isinstance(share, StringAttr) and share.data == self.layer_name.data:
            self._fail("a layer cannot share macros with itself")
        self.verify_kind()

    def verify_kind(self) -> None:
        """Checks specific to one layer kind."""

    def _check_positive(self, key: str) -> None:
        values = self.field(key)
        values = (values,) if isinstance(values, int) else values
        if any(v <= 0 for v in values):  # type: ignore[union-attr]
            self._fail(f"{key} must be positive, got {list(values)}")  # type: ignore[arg-type]

    def _check_geometry(self) -> None:
        for key, size in (("kernel", 2), ("stride", 2), ("pads", 4)):
            values = self.field(key)
            if len(values) != size:  # type: ignore[arg-type]
                self._fail(f"{key} needs {size} values, got {list(values)}")  # type: ignore[arg-type]
        self._check_positive("kernel")
        self._check_positive("stride")
        if any(p < 0 for p in self.field("pads")):  # type: ignore[union-attr]
            self._fail(f"pads must be >= 0, got {list(self.field('pads'))}")  # type: ignore[arg-type]
        if len(self.out_shape) != 4:
            self._fail(f"result must be a 4-D feature map, got {self.output.type}")

    def _check_activation(self) -> None:
        act = self.field("activation")
        if act is not None and act not in ACTIVATIONS:
            self._fail(f"unknown activation '{act}' (expected one of {', '.join(ACTIVATIONS)})")

    # -- custom syntax ------------------------------------------------------------------
    def print(self, printer: Printer) -> None:
        if self.inputs:
            printer.print_string(" ")
            printer.print_list(self.inputs, printer.print_operand)
        printer.print_string(" ")
        printer.print_string_literal(self.layer_name.data)
        syntax.print_fields(printer, self, self.FIELDS, positional=True)
        syntax.print_fields(printer, self, self.FIELDS, positional=False)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        if self.inputs:
            printer.print_list((v.type for v in self.inputs), printer.print_attribute)
            printer.print_string(" -> ")
        printer.print_attribute(self.output.type)

    @classmethod
    def parse(cls, parser: Parser) -> LayerOp:
        unresolved = []
        if (first := parser.parse_optional_unresolved_operand()) is not None:
            unresolved.append(first)
            while parser.parse_optional_punctuation(",") is not None:
                unresolved.append(parser.parse_unresolved_operand())
        properties: dict[str, Attribute] = {
            "name": StringAttr(parser.parse_str_literal(f" (the layer name of {cls.name})"))
        }
        syntax.parse_positional(parser, cls.FIELDS, properties)
        syntax.parse_keyword_fields(parser, cls.name, cls.FIELDS, properties)
        attributes = parser.parse_optional_attr_dict()
        properties = syntax.in_field_order(properties, "name", cls.FIELDS)
        parser.parse_punctuation(":")
        operand_types: list[Attribute] = []
        if unresolved:
            operand_types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
            if len(operand_types) != len(unresolved):
                parser.raise_error(
                    f"{cls.name}: {len(unresolved)} operand(s) but {len(operand_types)} operand type(s)"
                )
            parser.parse_punctuation("->")
        result_type = parser.parse_type()
        operands = [parser.resolve_operand(u, t) for u, t in zip(unresolved, operand_types)]
        return cls.create(
            operands=operands, result_types=[result_type], properties=properties, attributes=attributes
        )


@irdl_op_definition
class InputOp(LayerOp):
    """The network input (no operands)."""

    name = "pim.input"
    ARITY: ClassVar[tuple[int, int | None]] = (0, 0)


@irdl_op_definition
class ConvOp(LayerOp):
    """Convolution; ``in`` is the full input channel count (not divided by groups)."""

    name = "pim.conv"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        *_GEOMETRY_FIELDS,
        Field("dilation", INTS, default=(1, 1)),
        Field("groups", INT, default=1),
        *_WEIGHT_FIELDS,
        *_COMMON_FIELDS,
    )

    kernel = prop_def(DenseArrayBase)
    stride = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    dilation = prop_def(DenseArrayBase)
    groups = prop_def(IntegerAttr)
    in_channels = prop_def(IntegerAttr)
    out_channels = prop_def(IntegerAttr)
    bias = opt_prop_def(UnitAttr)
    activation = opt_prop_def(StringAttr)

    def verify_kind(self) -> None:
        self._check_geometry()
        if len(self.field("dilation")) != 2:  # type: ignore[arg-type]
            self._fail(f"dilation needs 2 values, got {list(self.field('dilation'))}")  # type: ignore[arg-type]
        for key in ("dilation", "groups", "in_channels", "out_channels"):
            self._check_positive(key)
        groups = self.groups.value.data
        c_in, c_out = self.in_channels.value.data, self.out_channels.value.data
        if c_in % groups or c_out % groups:
            self._fail(f"groups {groups} must divide in {c_in} and out {c_out}")
        if c_out != self.out_shape[1]:
            self._fail(f"out {c_out} does not match the result's channel dimension {self.out_shape[1]}")
        self._check_activation()


@irdl_op_definition
class FcOp(LayerOp):
    """Fully connected layer; result ``tensor<NxCxi16>``."""

    name = "pim.fc"
    FIELDS: ClassVar[tuple[Field, ...]] = (*_WEIGHT_FIELDS, *_COMMON_FIELDS)

    in_channels = prop_def(IntegerAttr)
    out_channels = prop_def(IntegerAttr)
    bias = opt_prop_def(UnitAttr)
    activation = opt_prop_def(StringAttr)

    def verify_kind(self) -> None:
        self._check_positive("in_channels")
        self._check_positive("out_channels")
        if len(self.out_shape) != 2:
            self._fail(f"result must be a 2-D tensor NxC, got {self.output.type}")
        c_out = self.out_channels.value.data
        if c_out != self.out_shape[1]:
            self._fail(f"out {c_out} does not match the result's channel dimension {self.out_shape[1]}")
        self._check_activation()


@irdl_op_definition
class PoolOp(LayerOp):
    """Max or average pooling (``global`` for global pooling)."""

    name = "pim.pool"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("method", WORD, positional=True),
        Field("global", FLAG),
        *_GEOMETRY_FIELDS,
        *_COMMON_FIELDS,
    )

    method = prop_def(StringAttr)
    global_pool = opt_prop_def(UnitAttr, prop_name="global")
    kernel = prop_def(DenseArrayBase)
    stride = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)

    def verify_kind(self) -> None:
        if self.method.data not in POOL_METHODS:
            self._fail(f"pool method must be max or avg, got '{self.method.data}'")
        self._check_geometry()


@irdl_op_definition
class EltwiseOp(LayerOp):
    """Element-wise add/mul/sub of feature maps of one shape (mul: or a per-channel gate)."""

    name = "pim.eltwise"
    ARITY: ClassVar[tuple[int, int | None]] = (2, None)
    FIELDS: ClassVar[tuple[Field, ...]] = (Field("op", WORD, positional=True), *_COMMON_FIELDS)

    op = prop_def(StringAttr)

    def verify_kind(self) -> None:
        if self.op.data not in ELTWISE_OPS:
            self._fail(f"eltwise op must be one of {', '.join(ELTWISE_OPS)}, got '{self.op.data}'")
        out = self.out_shape
        # a squeeze-excite gate: the map times a per-channel (N, C, 1, 1) scale
        gate = (*out[:2], 1, 1) if len(out) == 4 and self.op.data == "mul" else None
        shapes = [tensor_shape(value.type) for value in self.inputs]
        for i, shape in enumerate(shapes):
            if shape != out and shape != gate:
                self._fail(
                    f"operand #{i} has shape {list(shape)}, the result has {list(out)}; eltwise shapes "
                    "must be equal (a mul may also take a per-channel [N, C, 1, 1] gate)"
                )
        if out not in shapes:
            self._fail(f"no operand has the result shape {list(out)}")


@irdl_op_definition
class ConcatOp(LayerOp):
    """Concatenation along ``axis``."""

    name = "pim.concat"
    ARITY: ClassVar[tuple[int, int | None]] = (1, None)
    FIELDS: ClassVar[tuple[Field, ...]] = (Field("axis", INT, default=1), *_COMMON_FIELDS)

    axis = prop_def(IntegerAttr)

    def verify_kind(self) -> None:
        axis = self.axis.value.data
        shape = self.out_shape
        if not 0 <= axis < len(shape):
            self._fail(f"axis {axis} is out of range for a {len(shape)}-D result")
        in_shapes = [tensor_shape(value.type) for value in self.inputs]
        if any(len(s) != len(shape) for s in in_shapes):
            # A dissolved Reshape/Flatten before the concat (spec 1.1): only the element
            # counts can be compared.
            elements = sum(_numel(s) for s in in_shapes)
            if elements != _numel(shape):
                self._fail(f"operands hold {elements} elements, the flattened result {_numel(shape)}")
            return
        total = 0
        for i, value in enumerate(self.inputs):
            in_shape = tensor_shape(value.type)
            if len(in_shape) != len(shape) or any(
                a != b for d, (a, b) in enumerate(zip(in_shape, shape)) if d != axis
            ):
                self._fail(
                    f"operand #{i} shape {list(in_shape)} differs from the result {list(shape)} "
                    f"outside axis {axis}"
                )
            total += in_shape[axis]
        if total != shape[axis]:
            self._fail(f"operand sizes along axis {axis} sum to {total}, the result has {shape[axis]}")


LAYER_OPS: tuple[type[LayerOp], ...] = (InputOp, ConvOp, FcOp, PoolOp, EltwiseOp, ConcatOp)
LAYER_OP_BY_KIND: dict[str, type[LayerOp]] = {op.name.split(".", 1)[1]: op for op in LAYER_OPS}


def _numel(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count
