"""The network graph every part of pimsyn shares.

A :class:`Network` is the plain-Python twin of the layer-level ``pim`` IR: one
:class:`Node` per network layer (input, conv, fc, pool, eltwise, concat), edges as
indices into ``Network.nodes``, nodes in network order (topological, the order of the
source file). Frontends (ONNX, network JSON) produce it, ``pimsyn.ir.build`` turns it into
IR, ``pimsyn.ir.extract`` turns IR back into it, and the cost model and the searches
read it directly, so the DSE never touches xDSL.

Activations come in two flavours, because the reference tool (spec 1.1, quirk B13) costs
them differently and our numbers must stay comparable:

* ``activation``: applied in a conv/FC output path (the frontend fused it, ``with_act``);
  free of cost.
* ``post_ops``: explicit activation nodes that follow this node (ReLU after a residual
  add, ReLU nodes in the Tengine-style JSON); executed by ALU units and costed
  (``relu`` and ``sigmoid`` only, as in the reference).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, replace

from pimsyn.errors import PimsynError

NODE_KINDS = ("input", "conv", "fc", "pool", "eltwise", "concat")
#: Kinds that the cost model treats as layers (spec 1.1); input and concat are transparent.
COST_KINDS = ("conv", "fc", "pool", "eltwise")
ACTIVATIONS = ("none", "relu", "sigmoid", "tanh", "clip")
POST_OPS = ("relu", "sigmoid", "tanh", "clip", "leakyrelu", "prelu", "hardsigmoid", "hardswish", "elu", "selu",
            "softplus", "swish", "gelu", "mish", "instancenorm", "layernorm")
#: Largest size of any dimension, kernel, stride, pad or channel count (and of a tensor's
#: element count): far beyond any CNN, small enough for int64 arithmetic in the cost model.
MAX_SIZE = 2**31


class NetworkError(PimsynError, ValueError):
    """A network description that pimsyn cannot use; the message names the problem."""


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    inputs: tuple[int, ...]
    #: Output shape: (N, C, H, W) for feature maps, (N, C) for FC outputs.
    shape: tuple[int, ...]
    kernel: tuple[int, int] = (1, 1)  # (kh, kw) for conv and pool
    stride: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # (top, left, bottom, right)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    in_channels: int = 0  # conv: full input channels (not / groups); fc: input features
    out_channels: int = 0
    bias: bool = False
    pool_method: str = ""  # "max" | "avg"
    global_pool: bool = False
    eltwise_op: str = ""  # "add" | "mul" | "sub"
    concat_axis: int = 1
    activation: str = "none"
    clip_range: tuple[float, float] | None = None
    batchnorm_folded: bool = False
    post_ops: tuple[str, ...] = ()

    @property
    def channels(self) -> int:
        return self.shape[1]

    @property
    def spatial(self) -> tuple[int, int]:
        """(H, W) of the output; (1, 1) for 2-D outputs."""
        if len(self.shape) == 4:
            return self.shape[2], self.shape[3]
        return 1, 1

    @property
    def weight_rows(self) -> int:
        """Rows of the unrolled weight matrix (crossbar word lines needed)."""
        if self.kind == "conv":
            return self.kernel[0] * self.kernel[1] * self.in_channels
        if self.kind == "fc":
            return self.in_channels
        return 0

    @property
    def weight_cols(self) -> int:
        return self.out_channels if self.kind in ("conv", "fc") else 0

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one inference, counted as the reference does (dense)."""
        h, w = self.spatial
        if self.kind == "conv":
            return self.weight_rows * h * w * self.out_channels
        if self.kind == "fc":
            return self.in_channels * self.out_channels
        return 0


@dataclass(frozen=True)
class Network:
    name: str
    nodes: tuple[Node, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        names = set()
        for i, node in enumerate(self.nodes):
            if node.kind not in NODE_KINDS:
                raise NetworkError(f"node '{node.name}': unknown kind '{node.kind}'")
            if node.name in names:
                raise NetworkError(f"node '{node.name}': duplicate name")
            names.add(node.name)
            for j in node.inputs:
                if not 0 <= j < i:
                    raise NetworkError(
                        f"node '{node.name}': input #{j} is not an earlier node (graph must be topologically sorted)"
                    )
            if node.kind == "input" and node.inputs:
                raise NetworkError(f"node '{node.name}': an input takes no operands")
            if node.kind != "input" and not node.inputs:
                raise NetworkError(f"node '{node.name}': a {node.kind} needs at least one operand")
            if len(node.shape) not in (2, 4) or not all(_is_int(d) and 1 <= d <= MAX_SIZE for d in node.shape):
                raise NetworkError(f"node '{node.name}': bad output shape {list(node.shape)}")
            _check_sizes(node)
            if node.activation not in ACTIVATIONS:
                raise NetworkError(f"node '{node.name}': unknown activation '{node.activation}'")
            for op in node.post_ops:
                if op not in POST_OPS:
                    raise NetworkError(f"node '{node.name}': unknown post-op '{op}'")

    def index(self, name: str) -> int:
        for i, node in enumerate(self.nodes):
            if node.name == name:
                return i
        raise KeyError(name)

    def consumers(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.nodes]
        for i, node in enumerate(self.nodes):
            for j in node.inputs:
                if i not in out[j]:
                    out[j].append(i)
        return out

    def count(self, kind: str) -> int:
        return sum(1 for n in self.nodes if n.kind == kind)

    def with_nodes(self, nodes) -> "Network":
        return replace(self, nodes=tuple(nodes))


def _is_int(value: object) -> bool:
    """An integer (Python or numpy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_sizes(node: Node) -> None:
    """Every size of ``node`` an integer in its range (a backstop for every frontend)."""
    weighted = node.kind in ("conv", "fc")
    checks = [
        ("kernel", node.kernel, 2, 1), ("stride", node.stride, 2, 1), ("pads", node.pads, 4, 0),
        ("dilation", node.dilation, 2, 1), ("groups", (node.groups,), 1, 1),
        ("in_channels", (node.in_channels,), 1, 1 if weighted else 0),
        ("out_channels", (node.out_channels,), 1, 1 if weighted else 0),
        ("concat_axis", (node.concat_axis,), 1, 0),
    ]
    for key, values, count, low in checks:
        if len(values) != count or not all(_is_int(v) and low <= v <= MAX_SIZE for v in values):
            raise NetworkError(
                f"node '{node.name}': {key} must be {count} integer(s) in [{low}, 2**31], got {list(values)}"
            )
    if node.clip_range is not None and (
        len(node.clip_range) != 2 or not all(math.isfinite(v) for v in node.clip_range)
    ):
        raise NetworkError(f"node '{node.name}': clip range must be two finite numbers, got {list(node.clip_range)}")
