"""What the ONNX importer knows about tensors: shapes, static-ness, constant values.

One ``onnx.shape_inference.infer_shapes`` pass gives every tensor's shape (the importer
never runs per-node inference). A tensor is *static* when it is known at compile time:
an initializer, the output of a Constant / ConstantOfShape, the output of ``Shape`` (the
shape path of exported reshapes) or the output of any node whose inputs are all static.
Static tensors are weights and shape arithmetic; they never become network nodes.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import onnx
from onnx import helper, numpy_helper

from pimsyn.model.network import NetworkError

#: Operators whose output is static even when their input is an activation.
SHAPE_PATH_OPS = frozenset({"Shape", "Size"})


def _dims(value_info: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    """Static dims of a value_info, or None when the rank or a non-batch dim is unknown.

    A dimension of size 0 is kept as 0 (:meth:`TensorTable.shape` reports it as zero-sized,
    not as unknown).

    The importer fixes the batch of the real inputs to 1, so an unknown leading dim left
    after inference (onnx's data propagation does not follow every shape computation, e.g.
    Unsqueeze with an axes input before opset 18) is a batch of 1.
    """
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = []
    for axis, dim in enumerate(tensor_type.shape.dim):
        if dim.HasField("dim_value") and dim.dim_value >= 0:
            dims.append(int(dim.dim_value))
        elif axis == 0:
            dims.append(1)
        else:
            return None
    return tuple(dims)


class TensorTable:
    """Shapes, static flags, constant values and consumer counts of one inferred graph."""

    def __init__(self, graph: onnx.GraphProto, base_dir: str = "") -> None:
        self._graph = graph
        #: folder of the model file: external data is looked up relative to it
        self.base_dir = base_dir
        self.initializer_names = {init.name for init in graph.initializer}
        self._initializers = {init.name: init for init in graph.initializer}
        self._constant_nodes: dict[str, onnx.NodeProto] = {}
        self.shapes: dict[str, tuple[int, ...]] = {}
        for init in graph.initializer:
            self.shapes[init.name] = tuple(int(d) for d in init.dims)
        for value_info in list(graph.input) + list(graph.value_info) + list(graph.output):
            dims = _dims(value_info)
            if dims is not None:
                self.shapes.setdefault(value_info.name, dims)
        self.static: set[str] = set(self.initializer_names)
        for node in graph.node:
            if node.op_type == "Constant":
                self._constant_nodes[node.output[0]] = node
            inputs = [name for name in node.input if name]
            if node.op_type in SHAPE_PATH_OPS or all(name in self.static for name in inputs):
                self.static.update(name for name in node.output if name)
        # how many node operands (plus graph outputs) read each tensor: fusion of
        # BN/activations into a conv needs a single consumer (PIMCOMP frontend rule)
        self.consumer_count: Counter[str] = Counter()
        for node in graph.node:
            for name in set(node.input):
                if name:
                    self.consumer_count[name] += 1
        for output in graph.output:
            self.consumer_count[output.name] += 1

    def real_inputs(self) -> list[onnx.ValueInfoProto]:
        """Graph inputs that carry data (initializers may be listed as inputs in IR < 4)."""
        return [vi for vi in self._graph.input if vi.name not in self.initializer_names]

    def producers(self) -> dict[str, onnx.NodeProto]:
        """Tensor -> the node writing it."""
        return {out: node for node in self._graph.node for out in node.output if out}

    def is_graph_output(self, name: str) -> bool:
        return any(output.name == name for output in self._graph.output)

    def is_static(self, name: str) -> bool:
        return name in self.static

    def known_shape(self, name: str) -> tuple[int, ...] | None:
        shape = self.shapes.get(name)
        if shape is not None and 0 in shape:
            raise NetworkError(
                f"tensor '{name}' has a zero-sized dimension {shape.index(0)} (shape {list(shape)}); "
                "pimsyn needs non-empty tensors"
            )
        return shape

    def shape(self, name: str, node_name: str) -> tuple[int, ...]:
        try:
            shape = self.shapes[name]
        except KeyError:
            raise NetworkError(
                f"cannot infer the shape of tensor '{name}' (node '{node_name}')"
            ) from None
        if 0 in shape:
            axis = shape.index(0)
            raise NetworkError(
                f"tensor '{name}' (node '{node_name}') has a zero-sized dimension {axis} (shape {list(shape)}); "
                "pimsyn needs non-empty tensors"
            )
        return shape

    def constant_value(self, name: str) -> np.ndarray | None:
        """Value of an initializer or Constant output; None for anything computed."""
        if name in self._initializers:
            return numpy_helper.to_array(self._initializers[name], self.base_dir)
        node = self._constant_nodes.get(name)
        if node is None:
            return None
        for attr in node.attribute:
            value = helper.get_attribute_value(attr)
            if isinstance(value, onnx.TensorProto):
                return numpy_helper.to_array(value)
            if isinstance(value, (int, float, list)):
                return np.asarray(value)
        return None
