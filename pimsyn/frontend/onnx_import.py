"""ONNX model -> :class:`Network`, following the PIMCOMP frontend's operator mapping.

Mapping (shared/docs/network-json-format.md, "ONNX -> operation map"):

* layers: Conv -> conv; Gemm, and MatMul with a constant right operand, -> fc;
  MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool -> pool; Add / Sum / Mul / Sub
  between activations -> eltwise (Sum with N operands is one N-operand eltwise);
  Concat on the channel axis -> concat. Nodes are named by their first output tensor.
* folded: BatchNormalization, and Add / Sub / Mul / Div with one constant operand (per-channel
  scale and bias, e.g. densenet's BN written as Mul + Add): they vanish; a BN directly on a
  single-consumer conv/fc output sets ``batchnorm_folded``, a constant Add directly after a
  bias-less fc sets ``bias`` (MatMul + Add = FC with bias).
* activations Relu / Sigmoid / Tanh / Clip: fused as ``activation`` into the conv/fc that
  produces their input when that conv/fc output (after folded BN) has this activation as its
  single consumer (PIMCOMP fuses only then); otherwise appended to the producer's ``post_ops``.
* Pad: merged into the pads of its Conv / pooling consumers.
* pass-through (Flatten, Reshape, Transpose, Dropout, LRN, Softmax, Identity, Squeeze,
  Unsqueeze): dissolved; their consumers read the producer.
* shape arithmetic (Shape, Gather, Constant, ConstantOfShape, anything on static inputs):
  skipped, see :mod:`pimsyn.frontend.onnx_tensors`.

Anything else raises :class:`UnsupportedOperatorError` naming the operator and node.
Shapes come from one ``onnx.shape_inference.infer_shapes`` pass; the input file is only read.
"""

from __future__ import annotations

import math
from pathlib import Path

import onnx
from onnx import checker, helper, shape_inference

from pimsyn.frontend.errors import MalformedModelError, ModelNotFoundError, UnsupportedOperatorError, one_line
from pimsyn.frontend.onnx_geometry import window_geometry
from pimsyn.frontend.onnx_tensors import TensorTable
from pimsyn.model.network import Network, NetworkError, Node

_ELTWISE_OPS = {"Add": "add", "Sum": "add", "Mul": "mul", "Sub": "sub"}
_FOLDABLE_ARITHMETIC = frozenset({"Add", "Sum", "Mul", "Sub", "Div"})
_ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Clip": "clip"}
_PASS_THROUGH = frozenset({
    "Flatten", "Reshape", "Transpose", "Dropout", "LRN", "Softmax", "Identity", "Squeeze", "Unsqueeze",
})
_POOLS = {"MaxPool": "max", "AveragePool": "avg"}
_GLOBAL_POOLS = {"GlobalAveragePool": "avg", "GlobalMaxPool": "max"}
_KNOWN_OPERATORS = (
    frozenset({"Conv", "Gemm", "MatMul", "Concat", "BatchNormalization", "Pad"})
    | _FOLDABLE_ARITHMETIC | frozenset(_ACTIVATIONS) | _PASS_THROUGH | frozenset(_POOLS) | frozenset(_GLOBAL_POOLS)
)
_SUPPORTED_SUMMARY = (
    "Conv, Gemm, MatMul, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Add, Sum, Sub, Mul, "
    "Concat, BatchNormalization, Relu, Sigmoid, Tanh, Clip, Pad and pass-through ops "
    "(Flatten, Reshape, Transpose, Dropout, LRN, Softmax, Identity, Squeeze, Unsqueeze)"
)
_NO_PADS = (0, 0, 0, 0)
#: ONNX Clip bounds default to the float limits (finite, so they survive JSON).
_FLOAT32_MAX = 3.4028234663852886e38


def load_onnx(path: str | Path) -> Network:
    """Import an ONNX file; the network is named after the file stem."""
    path = Path(path)
    if not path.is_file():
        raise ModelNotFoundError(f"{path}: no such model file")
    try:
        model = onnx.load_model(str(path), load_external_data=False)
    except OSError as err:
        raise MalformedModelError(f"{path}: cannot read ONNX file ({err.strerror or one_line(err)})") from None
    except Exception as err:  # protobuf DecodeError and friends: not an ONNX file
        raise MalformedModelError(f"{path}: not a valid ONNX model ({one_line(err)})") from None
    try:
        return network_from_onnx_model(model, path.stem)
    except NetworkError as err:
        raise type(err)(f"{path}: {err}") from None


def network_from_onnx_model(model: onnx.ModelProto, name: str = "network") -> Network:
    """Import an in-memory ONNX model (not modified)."""
    try:
        checker.check_model(model)
    except Exception as err:  # onnx.checker.ValidationError, or C++ errors on garbage
        raise MalformedModelError(f"fails the ONNX checker: {one_line(err)}") from None
    model = _with_unit_batch(model)
    try:
        inferred = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as err:
        raise MalformedModelError(f"shape inference failed: {one_line(err)}") from None
    table = TensorTable(inferred.graph)
    return _GraphWalker(table).walk(inferred.graph, name)


def _with_unit_batch(model: onnx.ModelProto) -> onnx.ModelProto:
    """Copy of the model with a symbolic batch dimension of the real inputs fixed to 1.

    The network description is per inference (batch 1, as in the network JSON files); other
    unknown input dimensions are an error since every layer size depends on them.
    """
    initializers = {init.name for init in model.graph.initializer}
    to_fix = []
    for position, value_info in enumerate(model.graph.input):
        if value_info.name in initializers:
            continue
        dims = value_info.type.tensor_type.shape.dim
        for axis, dim in enumerate(dims):
            if not dim.HasField("dim_value") or dim.dim_value <= 0:
                if axis != 0:
                    label = dim.dim_param or "?"
                    raise NetworkError(
                        f"input '{value_info.name}' has an unknown dimension {axis} ('{label}'); "
                        "pimsyn needs a fixed input shape"
                    )
                to_fix.append(position)
    if not to_fix:
        return model
    fixed = onnx.ModelProto()
    fixed.CopyFrom(model)
    for position in to_fix:
        batch = fixed.graph.input[position].type.tensor_type.shape.dim[0]
        batch.Clear()
        batch.dim_value = 1
    # declared output shapes still say 'N': drop them so that inference fills in batch 1
    for value_info in fixed.graph.output:
        dims = value_info.type.tensor_type.shape.dim
        if any(not dim.HasField("dim_value") for dim in dims):
            value_info.type.tensor_type.ClearField("shape")
    return fixed


class _GraphWalker:
    """Walks the (topologically sorted) ONNX nodes once, building Node field dicts."""

    def __init__(self, table: TensorTable) -> None:
        self.table = table
        self.fields: list[dict] = []  # Node keyword arguments, frozen at the end
        self.source: dict[str, int] = {}  # activation tensor -> index of the node producing it
        # tensors that are the untouched output of a conv/fc (BN and constant scale/bias
        # folded) with a single consumer at every step: an activation here can be fused
        self.fusable: set[str] = set()
        self.pending_pads: dict[str, tuple[int, int, int, int]] = {}  # Pad output -> pads

    # ---- driver -------------------------------------------------------------------------
    def walk(self, graph: onnx.GraphProto, name: str) -> Network:
        self._check_operators(graph)
        for value_info in self.table.real_inputs():
            shape = self.table.shape(value_info.name, value_info.name)
            if len(shape) not in (2, 4):
                raise NetworkError(
                    f"input '{value_info.name}' has shape {list(shape)}; pimsyn takes NCHW or (N, C) inputs"
                )
            self._add_node(value_info.name, dict(kind="input", inputs=(), shape=shape))
        for node in graph.node:
            if all(out in self.table.static for out in node.output if out):
                continue  # weights or shape arithmetic: known at compile time
            self._visit(node)
        return Network(name, tuple(Node(**fields) for fields in self.fields))

    def _check_operators(self, graph: onnx.GraphProto) -> None:
        """Report an unknown operator before anything else (e.g. before the input rank)."""
        for node in graph.node:
            if all(out in self.table.static for out in node.output if out):
                continue
            if node.domain not in ("", "ai.onnx"):
                self._unsupported(node, f"{node.domain}.{node.op_type}")
            if node.op_type not in _KNOWN_OPERATORS:
                self._unsupported(node, node.op_type)

    def _visit(self, node: onnx.NodeProto) -> None:
        op = node.op_type
        if op == "Conv":
            self._conv(node)
        elif op == "Gemm":
            self._gemm(node)
        elif op == "MatMul":
            self._matmul(node)
        elif op in _POOLS:
            self._pool(node)
        elif op in _GLOBAL_POOLS:
            self._global_pool(node)
        elif op in _FOLDABLE_ARITHMETIC:
            self._arithmetic(node)
        elif op == "Concat":
            self._concat(node)
        elif op in _ACTIVATIONS:
            self._activation(node)
        elif op == "BatchNormalization":
            self._batchnorm(node)
        elif op == "Pad":
            self._pad(node)
        elif op in _PASS_THROUGH:
            self._pass_through(node)
        else:  # unreachable after _check_operators; kept as a guard
            self._unsupported(node, op)

    # ---- helpers ------------------------------------------------------------------------
    @staticmethod
    def _label(node: onnx.NodeProto) -> str:
        return node.name or (node.output[0] if node.output else node.op_type)

    def _unsupported(self, node: onnx.NodeProto, what: str, detail: str = "") -> None:
        if detail:
            raise UnsupportedOperatorError(
                f"unsupported operator '{what}' (node '{self._label(node)}'): {detail}"
            )
        raise UnsupportedOperatorError(
            f"unsupported operator '{what}' (node '{self._label(node)}'); pimsyn maps {_SUPPORTED_SUMMARY}"
        )

    def _dynamic_inputs(self, node: onnx.NodeProto) -> list[str]:
        return [name for name in node.input if name and name not in self.table.static]

    def _operand(self, tensor: str, node: onnx.NodeProto, pads_allowed: bool = False) -> int:
        if tensor in self.pending_pads and not pads_allowed:
            self._unsupported(
                node, node.op_type, "reads the output of a Pad; pimsyn merges Pad only into Conv and pooling"
            )
        try:
            return self.source[tensor]
        except KeyError:
            raise NetworkError(
                f"node '{self._label(node)}': input tensor '{tensor}' has no producer in the graph"
            ) from None

    def _add_node(self, name: str, fields: dict) -> int:
        self.fields.append(dict(name=name, **fields))
        index = len(self.fields) - 1
        self.source[name] = index
        return index

    def _add_layer(self, node: onnx.NodeProto, fields: dict) -> None:
        out = node.output[0]
        self._add_node(out, fields)
        if fields["kind"] in ("conv", "fc") and self.table.consumer_count[out] == 1:
            self.fusable.add(out)

    def _forward(self, node: onnx.NodeProto, tensor: str, keep_fusable: bool) -> None:
        """The node's first output is the same activation as ``tensor`` (dissolved node)."""
        out = node.output[0]
        self.source[out] = self._operand(tensor, node)
        if keep_fusable and tensor in self.fusable and self.table.consumer_count[out] == 1:
            self.fusable.add(out)

    def _output_shape(self, node: onnx.NodeProto, ranks: tuple[int, ...]) -> tuple[int, ...]:
        shape = self.table.shape(node.output[0], self._label(node))
        if len(shape) not in ranks:
            self._unsupported(
                node, node.op_type,
                f"output has rank {len(shape)}; pimsyn handles {' or '.join(map(str, ranks))}-D tensors here",
            )
        return shape

    def _single_dynamic_input(self, node: onnx.NodeProto) -> str:
        dynamic = self._dynamic_inputs(node)
        if len(dynamic) != 1 or dynamic[0] != node.input[0]:
            self._unsupported(node, node.op_type, "expects one activation operand (the first input)")
        return dynamic[0]

    # ---- layers -------------------------------------------------------------------------
    def _conv(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        out_shape = self._output_shape(node, (4,))
        in_shape = self.table.shape(data, self._label(node))
        weight_shape = self.table.shape(node.input[1], self._label(node))
        merged = self.pending_pads.get(data, _NO_PADS)
        in_hw = (in_shape[2] - merged[0] - merged[2], in_shape[3] - merged[1] - merged[3])
        geometry = window_geometry(
            attrs, self._label(node), in_hw, out_shape[2:], tuple(weight_shape[2:4]), merged
        )
        self._add_layer(node, dict(
            kind="conv", inputs=(self._operand(data, node, pads_allowed=True),), shape=out_shape,
            kernel=geometry.kernel, stride=geometry.stride, pads=geometry.pads, dilation=geometry.dilation,
            groups=int(attrs.get("group", 1)), in_channels=in_shape[1], out_channels=out_shape[1],
            bias=len(node.input) > 2 and bool(node.input[2]),
        ))

    def _gemm(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if int(attrs.get("transA", 0)):
            self._unsupported(node, "Gemm", "transA=1 (transposed activations) is not a fully connected layer")
        weight_shape = self.table.shape(node.input[1], self._label(node))
        if len(weight_shape) != 2:
            self._unsupported(node, "Gemm", f"weight of rank {len(weight_shape)}")
        in_features, out_features = weight_shape[::-1] if int(attrs.get("transB", 0)) else weight_shape
        self._fc(node, data, in_features, out_features, bias=len(node.input) > 2 and bool(node.input[2]))

    def _matmul(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        in_shape = self.table.known_shape(data)
        weight_shape = self.table.shape(node.input[1], self._label(node))
        if len(weight_shape) != 2 or (in_shape is not None and len(in_shape) != 2):
            self._unsupported(node, "MatMul", "only (N, features) x constant matrix maps to a fully connected layer")
        self._fc(node, data, weight_shape[0], weight_shape[1], bias=False)

    def _fc(self, node: onnx.NodeProto, data: str, in_features: int, out_features: int, bias: bool) -> None:
        # features from the weight: the flattening Reshape in front may have no inferred
        # shape (onnx data propagation gaps); when it has one, it must agree
        in_shape = self.table.known_shape(data)
        if in_shape is not None and math.prod(in_shape[1:]) != in_features:
            raise NetworkError(
                f"node '{self._label(node)}': input has {math.prod(in_shape[1:])} features, weight expects {in_features}"
            )
        out_shape = self.table.known_shape(node.output[0]) or (1, out_features)
        if len(out_shape) != 2:
            self._unsupported(node, node.op_type, f"output has rank {len(out_shape)}; a fully connected layer gives (N, C)")
        self._add_layer(node, dict(
            kind="fc", inputs=(self._operand(data, node),), shape=out_shape,
            in_channels=in_features, out_channels=out_features, bias=bias,
        ))

    def _pool(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        out_shape = self._output_shape(node, (4,))
        in_shape = self.table.shape(data, self._label(node))
        merged = self.pending_pads.get(data, _NO_PADS)
        in_hw = (in_shape[2] - merged[0] - merged[2], in_shape[3] - merged[1] - merged[3])
        geometry = window_geometry(attrs, self._label(node), in_hw, out_shape[2:], None, merged)
        self._add_layer(node, dict(
            kind="pool", inputs=(self._operand(data, node, pads_allowed=True),), shape=out_shape,
            kernel=geometry.kernel, stride=geometry.stride, pads=geometry.pads, dilation=geometry.dilation,
            pool_method=_POOLS[node.op_type],
        ))

    def _global_pool(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        out_shape = self._output_shape(node, (4,))
        in_shape = self.table.shape(data, self._label(node))
        # written as in the PIMCOMP files: kernel = input H x W, stride 1, no padding
        self._add_layer(node, dict(
            kind="pool", inputs=(self._operand(data, node),), shape=out_shape,
            kernel=(in_shape[2], in_shape[3]), pool_method=_GLOBAL_POOLS[node.op_type], global_pool=True,
        ))

    def _arithmetic(self, node: onnx.NodeProto) -> None:
        dynamic = self._dynamic_inputs(node)
        if len(dynamic) == 1:
            self._fold_constant_arithmetic(node, dynamic[0])
            return
        if node.op_type not in _ELTWISE_OPS:
            self._unsupported(node, node.op_type, "between two activations")
        if len(dynamic) != len([name for name in node.input if name]):
            self._unsupported(node, node.op_type, "mixes activations and constants in more than two operands")
        out_shape = self._output_shape(node, (2, 4))
        operands = tuple(dict.fromkeys(self._operand(tensor, node) for tensor in dynamic))
        self._add_layer(node, dict(
            kind="eltwise", inputs=operands, shape=out_shape, eltwise_op=_ELTWISE_OPS[node.op_type],
        ))

    def _fold_constant_arithmetic(self, node: onnx.NodeProto, data: str) -> None:
        # per-channel scale / bias with a constant: folded into the weights, like a BN
        if node.op_type == "Div" and node.input[0] != data:
            self._unsupported(node, "Div", "a constant divided by an activation is no scale")
        producer = self.fields[self._operand(data, node)]
        if (
            node.op_type in ("Add", "Sum") and data in self.fusable and producer["kind"] == "fc"
            and not producer.get("bias", False)
        ):
            producer["bias"] = True  # MatMul + Add is an FC with bias
        self._forward(node, data, keep_fusable=True)

    def _concat(self, node: onnx.NodeProto) -> None:
        dynamic = self._dynamic_inputs(node)
        if len(dynamic) != len([name for name in node.input if name]):
            self._unsupported(node, "Concat", "concatenates an activation with a constant")
        out_shape = self._output_shape(node, (2, 4))
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        axis = int(attrs.get("axis", 1))
        if axis < 0:
            axis += len(out_shape)
        if axis != 1:
            self._unsupported(node, "Concat", f"on axis {axis}; pimsyn concatenates channels (axis 1) only")
        operands = tuple(dict.fromkeys(self._operand(tensor, node) for tensor in dynamic))
        self._add_layer(node, dict(kind="concat", inputs=operands, shape=out_shape, concat_axis=1))

    # ---- dissolved nodes ----------------------------------------------------------------
    def _activation(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        producer_index = self._operand(data, node)
        producer = self.fields[producer_index]
        activation = _ACTIVATIONS[node.op_type]
        if data in self.fusable and producer.get("activation", "none") == "none" and not producer.get("post_ops"):
            producer["activation"] = activation
            if activation == "clip":
                producer["clip_range"] = self._clip_range(node)
        else:
            producer["post_ops"] = producer.get("post_ops", ()) + (activation,)
        self.source[node.output[0]] = producer_index

    def _clip_range(self, node: onnx.NodeProto) -> tuple[float, float]:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        low, high = float(attrs.get("min", -_FLOAT32_MAX)), float(attrs.get("max", _FLOAT32_MAX))
        # opset >= 11: min / max are optional constant inputs
        for position, default in ((1, low), (2, high)):
            if len(node.input) > position and node.input[position]:
                value = self.table.constant_value(node.input[position])
                if value is None:
                    self._unsupported(node, "Clip", "bounds are not constants")
                if position == 1:
                    low = float(value)
                else:
                    high = float(value)
        return low, high

    def _batchnorm(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        producer = self.fields[self._operand(data, node)]
        if data in self.fusable:
            producer["batchnorm_folded"] = True
        self._forward(node, data, keep_fusable=True)

    def _pad(self, node: onnx.NodeProto) -> None:
        data = self._single_dynamic_input(node)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        pads = attrs.get("pads")
        if len(node.input) > 1 and node.input[1]:
            value = self.table.constant_value(node.input[1])
            if value is None:
                self._unsupported(node, "Pad", "pads are not a constant")
            pads = [int(v) for v in value.reshape(-1)]
        pads = [int(v) for v in (pads or [])]
        if len(pads) != 8:
            self._unsupported(node, "Pad", "only 4-D (NCHW) padding can be merged into a window")
        if any(v < 0 for v in pads) or pads[0] or pads[1] or pads[4] or pads[5]:
            self._unsupported(node, "Pad", "negative padding or padding of batch/channel axes")
        earlier = self.pending_pads.get(data, _NO_PADS)
        added = (pads[2], pads[3], pads[6], pads[7])  # (top, left, bottom, right)
        out = node.output[0]
        self.source[out] = self._operand(data, node, pads_allowed=True)
        self.pending_pads[out] = tuple(a + b for a, b in zip(earlier, added))

    def _pass_through(self, node: onnx.NodeProto) -> None:
        dynamic = self._dynamic_inputs(node)
        if len(dynamic) != 1:
            self._unsupported(node, node.op_type, "expects one activation operand")
        self._forward(node, dynamic[0], keep_fusable=False)
