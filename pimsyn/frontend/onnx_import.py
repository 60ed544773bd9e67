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
* activations Relu / Sigmoid / Tanh / Clip (Relu6 = Clip(0, 6)): fused as ``activation`` into
  the conv/fc that produces their input when that conv/fc output (after folded BN) has this
  activation as its single consumer (PIMCOMP fuses only then); otherwise appended to the
  producer's ``post_ops``.
* activations beyond the reference's (LeakyRelu, PRelu, HardSigmoid, HardSwish, Elu, Selu,
  Softplus, Gelu, Mish) and the gated forms ``x * f(x)`` found by :func:`_fuse_gates`
  (swish ``x * Sigmoid(x)``, ``x * HardSigmoid(x)`` and ``x * Relu6(x + 3) / 6`` = hardswish,
  GELU ``x * 0.5 * (1 + Erf(x / sqrt 2))``, Mish ``x * Tanh(Softplus(x))``): always a
  ``post_ops`` entry of the producer, each costed on its own ALU unit (hw/config.py
  ``OPTIONAL_ALU_COMPONENTS``), never a free fused activation.
* normalisations: InstanceNormalization, and LayerNormalization over the channel axis only
  (ConvNeXt's channels-last LayerNorm between two Transposes, or (N, C) features), become
  ``instancenorm`` / ``layernorm`` post-ops (ALU units).
* MatMul of a channels-last 4-D activation (after a Transpose, ConvNeXt's Linear) by a
  constant matrix -> a 1x1 conv.
* squeeze-excite gates (GlobalAveragePool -> Conv -> act -> Conv -> Sigmoid|HardSigmoid -> Mul
  with the block input) are the pool / convs / activations above and an eltwise ``mul``.
* Pad: merged into the pads of its Conv / pooling consumers.
* pass-through (Flatten, Reshape, Transpose, Dropout, LRN, Softmax, Identity, Squeeze,
  Unsqueeze): dissolved; their consumers read the producer.
* shape arithmetic (Shape, Gather, Constant, ConstantOfShape, anything on static inputs):
  skipped, see :mod:`pimsyn.frontend.onnx_tensors`.

Anything else raises :class:`UnsupportedOperatorError` naming the operator and node;
Resize / Upsample (no upsampling dataflow op) and an Erf outside the GELU pattern with a
reason. Shapes come from one ``onnx.shape_inference.infer_shapes`` pass; the input file is
only read; external data is looked up beside the model file.
"""

from __future__ import annotations

import math
from pathlib import Path

import onnx
from onnx import checker, external_data_helper, helper, shape_inference

from pimsyn.frontend.errors import MalformedModelError, ModelNotFoundError, UnsupportedOperatorError, one_line
from pimsyn.frontend.onnx_geometry import window_geometry
from pimsyn.frontend.onnx_tensors import TensorTable
from pimsyn.model.network import Network, NetworkError, Node

_ELTWISE_OPS = {"Add": "add", "Sum": "add", "Mul": "mul", "Sub": "sub"}
_FOLDABLE_ARITHMETIC = frozenset({"Add", "Sum", "Mul", "Sub", "Div"})
_ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Clip": "clip"}
#: activations on their own ALU unit: always costed post-ops (pimsyn.hw.layers.EXTENDED_POST_OPS)
_ALU_ACTIVATIONS = {
    "LeakyRelu": "leakyrelu", "PRelu": "prelu", "HardSigmoid": "hardsigmoid", "HardSwish": "hardswish",
    "Elu": "elu", "Selu": "selu", "Softplus": "softplus", "Gelu": "gelu", "Mish": "mish",
}
_NORMALIZATIONS = {"InstanceNormalization": "instancenorm", "LayerNormalization": "layernorm"}
#: domain of the nodes :func:`_fuse_gates` writes for a recognised ``x * f(x)``
_FUSED_DOMAIN = "pimsyn.fused"
_FUSED = {"Swish": "swish", "HardSwish": "hardswish", "Gelu": "gelu", "Mish": "mish"}
#: element-wise nonlinearities of a gate f(x), and which sets make which gated activation
_GATE_NONLINEAR = frozenset({"Sigmoid", "HardSigmoid", "Erf", "Tanh", "Softplus", "Clip"})
_GATES = {
    frozenset({"Sigmoid"}): "Swish", frozenset({"HardSigmoid"}): "HardSwish", frozenset({"Clip"}): "HardSwish",
    frozenset({"Erf"}): "Gelu", frozenset({"Softplus", "Tanh"}): "Mish",
}
_REJECTED = {
    "Resize": "upsampling has no dataflow op in pimsyn (YOLO-style upsample routes cannot be mapped)",
    "Upsample": "upsampling has no dataflow op in pimsyn (YOLO-style upsample routes cannot be mapped)",
    "Erf": "pimsyn maps Erf only inside GELU, x * 0.5 * (1 + Erf(x / sqrt(2)))",
}
_PASS_THROUGH = frozenset({
    "Flatten", "Reshape", "Transpose", "Dropout", "LRN", "Softmax", "Identity", "Squeeze", "Unsqueeze",
})
_POOLS = {"MaxPool": "max", "AveragePool": "avg"}
_GLOBAL_POOLS = {"GlobalAveragePool": "avg", "GlobalMaxPool": "max"}
_KNOWN_OPERATORS = (
    frozenset({"Conv", "Gemm", "MatMul", "Concat", "BatchNormalization", "Pad"})
    | _FOLDABLE_ARITHMETIC | frozenset(_ACTIVATIONS) | _PASS_THROUGH | frozenset(_POOLS) | frozenset(_GLOBAL_POOLS)
    | frozenset(_ALU_ACTIVATIONS) | frozenset(_NORMALIZATIONS)
)
_SUPPORTED_SUMMARY = (
    "Conv, Gemm, MatMul, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Add, Sum, Sub, Mul, "
    "Concat, BatchNormalization, InstanceNormalization, LayerNormalization, Relu, Sigmoid, Tanh, Clip, "
    "LeakyRelu, PRelu, HardSigmoid, HardSwish, Elu, Selu, Softplus, Gelu, Mish, Pad and pass-through ops "
    "(Flatten, Reshape, Transpose, Dropout, LRN, Softmax, Identity, Squeeze, Unsqueeze)"
)
#: tensors smaller than this many elements are read from external data at load time (shape
#: constants for shape inference); larger ones (weights) only when a value is needed
_SMALL_TENSOR = 4096
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
        return network_from_onnx_model(model, path.stem, model_path=path)
    except NetworkError as err:
        raise type(err)(f"{path}: {err}") from None


def network_from_onnx_model(
    model: onnx.ModelProto, name: str = "network", model_path: str | Path | None = None
) -> Network:
    """Import an in-memory ONNX model (not modified).

    ``model_path`` is the file the model was read from: external data is looked up in its
    folder (not in the current directory).
    """
    base_dir = str(Path(model_path).resolve().parent) if model_path is not None else ""
    try:
        # a path lets the checker find external data beside the model
        checker.check_model(str(model_path) if model_path is not None and _has_external_data(model) else model)
    except Exception as err:  # onnx.checker.ValidationError, or C++ errors on garbage
        raise MalformedModelError(f"fails the ONNX checker: {one_line(err)}") from None
    model = _with_unit_batch(model)
    if _has_external_data(model):
        model = _with_small_external_tensors(model, base_dir)
    try:
        inferred = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as err:
        raise MalformedModelError(f"shape inference failed: {one_line(err)}") from None
    table = TensorTable(inferred.graph, base_dir)
    if _fuse_gates(inferred.graph, table):
        table = TensorTable(inferred.graph, base_dir)  # consumer counts of the rewritten graph
    return _GraphWalker(table).walk(inferred.graph, name)


def _has_external_data(model: onnx.ModelProto) -> bool:
    return any(external_data_helper.uses_external_data(t) for t in model.graph.initializer)


def _with_small_external_tensors(model: onnx.ModelProto, base_dir: str) -> onnx.ModelProto:
    """Copy of the model with its small external tensors (shape constants) read from
    ``base_dir``; weights stay external and are read only when a value is needed."""
    loaded = onnx.ModelProto()
    loaded.CopyFrom(model)
    for tensor in loaded.graph.initializer:
        if external_data_helper.uses_external_data(tensor) and math.prod(tensor.dims) < _SMALL_TENSOR:
            try:
                external_data_helper.load_external_data_for_tensor(tensor, base_dir)
            except OSError as err:
                raise MalformedModelError(
                    f"cannot read external data of tensor '{tensor.name}' ({err.strerror or one_line(err)})"
                ) from None
            tensor.data_location = onnx.TensorProto.DEFAULT
            del tensor.external_data[:]
    return loaded


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
            if dim.HasField("dim_value") and dim.dim_value == 0:
                raise NetworkError(
                    f"input '{value_info.name}' has a zero-sized dimension {axis} (shape "
                    f"{[d.dim_value if d.HasField('dim_value') else (d.dim_param or '?') for d in dims]}); "
                    "pimsyn needs a non-empty input"
                )
            if not dim.HasField("dim_value") or dim.dim_value < 0:
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


def _fuse_gates(graph: onnx.GraphProto, table: TensorTable) -> bool:
    """Rewrite each gated activation ``x * f(x)`` into one node of :data:`_FUSED_DOMAIN`.

    A gate is a ``Mul`` of two activations where one operand is ``c * x`` (x, or x scaled by
    constants: ``x * 0.5`` in GELU) and the other is an element-wise chain from the same x:
    constant Add/Sub/Mul/Div and the nonlinearities of :data:`_GATE_NONLINEAR`; the set of
    nonlinearities names the activation (:data:`_GATES`). Every tensor inside the pattern
    must feed only the pattern (a value used elsewhere is computed anyway and the nodes
    stay as they are). The fused node reads x and writes the Mul's output, so trailing
    constant scales (``* 0.5``, ``/ 6``) are folded as usual. Returns whether anything changed.
    """
    nodes = []
    for node in graph.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        nodes.append(copy)
    producer = {out: index for index, node in enumerate(nodes) for out in node.output if out}
    count = table.consumer_count
    static = table.static

    def standard(index: int) -> bool:
        return nodes[index].domain in ("", "ai.onnx")

    def dynamic(node: onnx.NodeProto) -> list[str]:
        return [name for name in node.input if name and name not in static]

    def plain_roots(tensor: str) -> list[tuple[str, list[int]]]:
        """(x, interior nodes) for tensor = x and tensor = x scaled by constants (Mul/Div)."""
        found = [(tensor, [])]
        interior: list[int] = []
        while tensor in producer and standard(producer[tensor]) and count[tensor] == 1:
            node = nodes[producer[tensor]]
            inputs = dynamic(node)
            if node.op_type not in ("Mul", "Div") or len(inputs) != 1 or (
                node.op_type == "Div" and node.input[0] != inputs[0]
            ):
                break
            interior = interior + [producer[tensor]]
            tensor = inputs[0]
            found.append((tensor, interior))
        return found

    def gate_chain(tensor: str, root: str) -> tuple[frozenset[str], list[int]] | None:
        """Nonlinearities and nodes of an element-wise single-use chain from ``root`` to ``tensor``."""
        ops: set[str] = set()
        interior: list[int] = []
        while tensor != root:
            if count[tensor] != 1 or tensor not in producer or not standard(producer[tensor]):
                return None
            node = nodes[producer[tensor]]
            inputs = dynamic(node)
            if len(inputs) != 1 or (node.op_type == "Div" and node.input[0] != inputs[0]):
                return None
            if node.op_type in _GATE_NONLINEAR:
                if node.input[0] != inputs[0]:
                    return None
                ops.add(node.op_type)
            elif node.op_type not in _FOLDABLE_ARITHMETIC:
                return None
            interior.append(producer[tensor])
            tensor = inputs[0]
        return frozenset(ops), interior

    removed: set[int] = set()
    fused: dict[int, onnx.NodeProto] = {}
    for index, node in enumerate(nodes):
        if node.op_type != "Mul" or not standard(index):
            continue
        operands = dynamic(node)
        if len(operands) != 2 or operands[0] == operands[1]:
            continue
        match = None
        for plain, gated in ((operands[0], operands[1]), (operands[1], operands[0])):
            for root, plain_interior in plain_roots(plain):
                chain = gate_chain(gated, root)
                if chain is not None and chain[0] in _GATES:
                    match = root, _GATES[chain[0]], plain_interior + chain[1]
                    break
            if match is not None:
                break
        if match is None:
            continue
        root, kind, interior = match
        removed.update(interior)
        fused[index] = helper.make_node(
            kind, [root], [node.output[0]], name=node.name or node.output[0], domain=_FUSED_DOMAIN
        )
    if not fused:
        return False
    del graph.node[:]
    graph.node.extend(fused.get(i, node) for i, node in enumerate(nodes) if i not in removed)
    return True


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
        # axis order of a dissolved Transpose chain: layout[t][i] = axis of the producing
        # node's output that axis i of t is (absent: the producer's own order; None: a
        # reshape lost it). Tells LayerNormalization / MatMul which axis is the channel.
        self.layout: dict[str, tuple[int, ...] | None] = {}

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
            if node.domain == _FUSED_DOMAIN:
                continue
            if node.domain not in ("", "ai.onnx"):
                self._unsupported(node, f"{node.domain}.{node.op_type}")
            if node.op_type in _REJECTED:
                self._unsupported(node, node.op_type, _REJECTED[node.op_type])
            if node.op_type not in _KNOWN_OPERATORS:
                self._unsupported(node, node.op_type)

    def _visit(self, node: onnx.NodeProto) -> None:
        op = node.op_type
        if node.domain == _FUSED_DOMAIN:
            self._alu_activation(node, _FUSED[op])
        elif op == "Conv":
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
        elif op in _ALU_ACTIVATIONS:
            self._alu_activation(node, _ALU_ACTIVATIONS[op])
        elif op in _NORMALIZATIONS:
            self._normalization(node)
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
        self._same_layout(out, tensor)
        if keep_fusable and tensor in self.fusable and self.table.consumer_count[out] == 1:
            self.fusable.add(out)

    def _same_layout(self, out: str, tensor: str) -> None:
        if tensor in self.layout:
            self.layout[out] = self.layout[tensor]

    def _channel_axis(self, tensor: str, rank: int) -> int | None:
        """Axis of ``tensor`` holding the producer's channels (1), None when unknown."""
        if rank == 2:
            return 1  # (N, features): the features are the channels
        order = self.layout.get(tensor, tuple(range(rank)))
        if order is None or len(order) != rank:
            return None
        return order.index(1) if 1 in order else None

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
        if in_shape is not None and len(in_shape) == 4 and len(weight_shape) == 2:
            self._channels_last_matmul(node, data, in_shape, weight_shape)
            return
        if len(weight_shape) != 2 or (in_shape is not None and len(in_shape) != 2):
            self._unsupported(node, "MatMul", "only (N, features) x constant matrix maps to a fully connected layer")
        self._fc(node, data, weight_shape[0], weight_shape[1], bias=False)

    def _channels_last_matmul(
        self, node: onnx.NodeProto, data: str, in_shape: tuple[int, ...], weight_shape: tuple[int, ...]
    ) -> None:
        """A Linear over the channels of a channels-last map (ConvNeXt): a 1x1 conv."""
        if self._channel_axis(data, 4) != 3 or in_shape[3] != weight_shape[0]:
            self._unsupported(
                node, "MatMul",
                "a 4-D activation times a matrix maps to a 1x1 conv only when its last axis is the channel "
                "axis (a Linear after a channels-last Transpose)",
            )
        order = self.layout[data]
        out_shape = self.table.shape(node.output[0], self._label(node))
        shape = [0, 0, 0, 0]
        for axis, producer_axis in enumerate(order):
            shape[producer_axis] = out_shape[axis]
        self._add_layer(node, dict(
            kind="conv", inputs=(self._operand(data, node),), shape=tuple(shape), kernel=(1, 1),
            in_channels=weight_shape[0], out_channels=weight_shape[1], bias=False,
        ))
        self.layout[node.output[0]] = order

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
        self._same_layout(node.output[0], data)

    def _alu_activation(self, node: onnx.NodeProto, activation: str) -> None:
        """An activation with its own ALU unit: always a costed post-op of the producer."""
        data = self._single_dynamic_input(node)
        producer_index = self._operand(data, node)
        producer = self.fields[producer_index]
        producer["post_ops"] = producer.get("post_ops", ()) + (activation,)
        self.source[node.output[0]] = producer_index
        self._same_layout(node.output[0], data)

    def _normalization(self, node: onnx.NodeProto) -> None:
        """InstanceNormalization (NCHW), LayerNormalization over the channel axis: ALU post-ops."""
        data = self._single_dynamic_input(node)
        if any(out and self.table.consumer_count[out] for out in node.output[1:]):
            self._unsupported(node, node.op_type, "its mean / inverse standard deviation outputs are used")
        rank = len(self.table.shape(data, self._label(node)))
        channel = self._channel_axis(data, rank)
        if node.op_type == "InstanceNormalization":
            if rank != 4 or channel != 1:
                self._unsupported(node, node.op_type, "pimsyn maps it on an NCHW feature map only")
        else:
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            axis = int(attrs.get("axis", -1))
            axis = axis + rank if axis < 0 else axis
            if channel is None or axis != rank - 1 or channel != axis:
                self._unsupported(
                    node, node.op_type,
                    f"normalises axes {list(range(axis, rank))} of a rank-{rank} tensor; pimsyn maps "
                    "LayerNormalization over the channel axis only (channels-last, as ConvNeXt's LayerNorm)",
                )
        self._alu_activation(node, _NORMALIZATIONS[node.op_type])

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
        out = node.output[0]
        in_shape, out_shape = self.table.shapes.get(dynamic[0]), self.table.shapes.get(out)
        if node.op_type == "Transpose" and in_shape is not None:
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            perm = [int(p) for p in attrs.get("perm", range(len(in_shape) - 1, -1, -1))]
            order = self.layout.get(dynamic[0], tuple(range(len(in_shape))))
            self.layout[out] = None if order is None else tuple(order[p] for p in perm)
        elif in_shape is None or out_shape != in_shape:
            self.layout[out] = None  # a reshape: which axis is the channel is no longer known
