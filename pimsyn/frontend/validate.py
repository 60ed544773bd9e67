"""Validation of a whole network on load: one place, one message naming node and field.

Two levels, both raising :class:`pimsyn.model.network.NetworkError` (the CLI prints it as
``error: <message>`` on one line and exits 2):

* :func:`check_json_graph` - the raw network JSON node list (before any node is built):
  entries are objects with a unique string ``name`` and an ``operation``; ``provider`` /
  ``consumer`` are lists of names that exist; the consumer lists agree with the provider
  lists (an edge listed at one end is listed at the other, where that list is given); the
  graph is a DAG listed in topological order (no self-loop, no cycle); ``*_num`` and
  ``*_index`` agree with their lists; no NaN / infinity anywhere; ``output_dim`` holds 2 or
  4 integers in [1, 2**31].  :func:`json_int`, :func:`json_flag`, :func:`json_choice` and
  :func:`json_number` read one field with its type and range checked (``true`` is not an
  integer, ``3.0`` is not either).
* :func:`check_network` - a built :class:`Network` from any frontend (network JSON or
  ONNX): shapes propagated and compared.  A conv's / pool's output H, W must equal
  ``floor((in + p0 + p1 - ((k - 1) * d + 1)) / s) + 1`` of its provider (the rule every
  bundled reference network and every ONNX light model obeys; ceil-mode pooling is written
  as extra end padding there, shared/docs/network-json-format.md), conv input channels equal
  the provider's output channels, FC inputs the provider's flattened output, eltwise operands
  the result's shape, concat operands add up along the axis (or, after a dissolved
  Reshape/Flatten, in element count: msra_A's spatial-pyramid concat), output channels
  equal ``output_dim[1]``, and sizes stay small enough for the cost model's int64 arithmetic.

Reference quirks accepted on purpose:
* a provider with a 2-D output (an FC, a Flatten) feeding a conv / pool is read as
  ``N x C x 1 x 1`` (our exporter writes such an ``input_dim`` for PIMCOMP's backend);
* an eltwise may list one provider (``x + x``: the provider list holds each name once;
  the network JSON round trip relies on it, although the layer-level IR's eltwise wants
  two operands);
* Tengine-style FC outputs ``[1, C, 1, 1]`` are FC outputs ``[1, C]``;
* ``index`` / ``new_node_index`` / ``bitwidth`` / ``input_dim`` are not used by pimsyn
  and are not compared with anything (only ``*_index`` must point at existing positions).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence

from pimsyn.model.network import MAX_SIZE, Network, NetworkError, Node

#: Upper bound of the multiply-accumulates of one layer (the cost model counts in int64).
MAX_MACS = 2**62


def show(value: object, limit: int = 40) -> str:
    """A field value as a user wrote it in JSON, cut to ``limit`` characters, one line."""
    if isinstance(value, float) and not math.isfinite(value):
        text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        digits = getattr(value, "digits", None) or int(value.bit_length() * math.log10(2)) + 1
        text = f"an integer of {digits} digits"
    else:
        try:
            text = json.dumps(value, allow_nan=True)
        except (TypeError, ValueError, RecursionError):
            text = type(value).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def escaped(text: str, limit: int = 60) -> str:
    """A string from the file, escaped onto one line and cut to ``limit`` characters."""
    text = json.dumps(str(text))[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _field(key: str, param: bool) -> str:
    return f"param '{key}'" if param else f"field '{key}'"


def is_int(value: object) -> bool:
    """True for a JSON integer (``true``/``false`` are not integers, ``3.0`` is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def json_int(
    node: str, where: dict, key: str, *, low: int, high: int = MAX_SIZE, default: int | None = None,
    param: bool = True,
) -> int:
    """``where[key]`` as an integer in [low, high]; ``default`` when absent (None: required)."""
    if key not in where:
        if default is None:
            raise NetworkError(f"node '{node}': {_field(key, param)} is missing")
        return default
    value = where[key]
    if not is_int(value):
        raise NetworkError(f"node '{node}': {_field(key, param)} must be an integer, got {show(value)}")
    if not low <= value <= high:
        bound = f">= {low}" if high == MAX_SIZE else f"in [{low}, {high}]"
        if high == MAX_SIZE and value > high:
            bound = f"in [{low}, 2**31]"
        raise NetworkError(f"node '{node}': {_field(key, param)} must be {bound}, got {show(value)}")
    return value


def json_flag(node: str, where: dict, key: str, *, param: bool = True) -> bool:
    """A 0/1 flag (``true`` / ``false`` accepted too); absent means 0."""
    value = where.get(key, 0)
    if value in (0, 1) and (is_int(value) or isinstance(value, bool)):
        return bool(value)
    raise NetworkError(f"node '{node}': {_field(key, param)} must be 0 or 1, got {show(value)}")


def json_choice(node: str, where: dict, key: str, choices: dict, default: int, *, param: bool = True):
    """``choices[where[key]]``: an integer code out of a fixed table."""
    value = where.get(key, default)
    if not is_int(value) or value not in choices:
        allowed = ", ".join(str(c) for c in choices)
        raise NetworkError(f"node '{node}': {_field(key, param)} must be one of {allowed}, got {show(value)}")
    return choices[value]


def json_number(node: str, where: dict, key: str, default: float, *, param: bool = False) -> float:
    """A finite JSON number (int or float, not a bool)."""
    value = where.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkError(f"node '{node}': {_field(key, param)} must be a number, got {show(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise NetworkError(f"node '{node}': {_field(key, param)} must be a finite number, got {show(value)}")
    return number


def json_dims(node: str, entry: dict, key: str = "output_dim") -> tuple[int, ...]:
    """``output_dim``: a list of 2 or 4 integers in [1, 2**31]."""
    dims = entry.get(key)
    if not isinstance(dims, list) or len(dims) not in (2, 4):
        raise NetworkError(f"node '{node}': field '{key}' must be a list of 2 or 4 integers, got {show(dims)}")
    for i, dim in enumerate(dims):
        if not is_int(dim) or not 1 <= dim <= MAX_SIZE:
            raise NetworkError(
                f"node '{node}': field '{key}' entry {i} must be an integer in [1, 2**31], got {show(dim)}"
            )
    return tuple(dims)


# -------------------------------------------------------------------------------------
# the raw JSON graph
def _name_list(node: str, entry: dict, key: str) -> list[str]:
    value = entry.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NetworkError(f"node '{node}': field '{key}' must be a list of node names, got {show(value)}")
    return list(dict.fromkeys(value))


def _check_finite(node: str, value: object, path: str) -> None:
    """No NaN / infinity anywhere in ``value`` (iterative: JSON may nest deeply)."""
    todo = [(value, path)]
    while todo:
        value, path = todo.pop()
        if isinstance(value, float) and not math.isfinite(value):
            where = f"param '{path[6:]}'" if path.startswith("param.") else f"field '{path}'"
            raise NetworkError(f"node '{node}': {where} is {show(value)} (not a finite number)")
        if isinstance(value, dict):
            for key, item in value.items():
                key = escaped(key)
                todo.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            todo.extend((item, path) for item in value)


def check_json_graph(raw: Sequence) -> dict[str, list[str]]:
    """Check the raw node list; return each node's producers (from the consumer lists).

    Producers are listed in the order of the node's own ``provider`` list.
    """
    if not raw:
        raise NetworkError("the network has no nodes")
    position: dict[str, int] = {}
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise NetworkError(f"node #{i}: must be an object, got {show(entry)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name or not name.isprintable():
            raise NetworkError(
                f"node #{i}: field 'name' must be a non-empty string of printable characters, got {show(name)}"
            )
        if not isinstance(entry.get("operation"), str):
            raise NetworkError(f"node '{name}': field 'operation' must be a string, got {show(entry.get('operation'))}")
        if name in position:
            raise NetworkError(f"node '{name}': duplicate name (nodes #{position[name]} and #{i})")
        position[name] = i
        _check_finite(name, entry, "")

    consumers = {str(e["name"]): _name_list(e["name"], e, "consumer") for e in raw}
    providers = {str(e["name"]): _name_list(e["name"], e, "provider") for e in raw}
    for entry in raw:
        name = entry["name"]
        for key, names in (("consumer", consumers[name]), ("provider", providers[name])):
            for other in names:
                if other not in position:
                    raise NetworkError(f"node '{name}': {key} '{escaped(other)}' does not exist")
                if other == name:
                    raise NetworkError(f"node '{name}': {key} '{other}' is the node itself (a self-loop)")
            listed = entry.get(key) or []
            if f"{key}_num" in entry:
                count = entry[f"{key}_num"]
                if not is_int(count) or count != len(listed):
                    raise NetworkError(
                        f"node '{name}': field '{key}_num' is {show(count)} but '{key}' lists {len(listed)} node(s)"
                    )
            if f"{key}_index" in entry:
                index = entry[f"{key}_index"]
                if (
                    not isinstance(index, list) or len(index) != len(listed)
                    or not all(is_int(j) and 0 <= j < len(raw) for j in index)
                ):
                    raise NetworkError(
                        f"node '{name}': field '{key}_index' must list {len(listed)} node position(s) in "
                        f"[0, {len(raw) - 1}], got {show(index)}"
                    )
        if "output_dim" in entry or "output_dim_num" in entry:
            dims = json_dims(name, entry)
            if "output_dim_num" in entry and entry["output_dim_num"] != len(dims):
                raise NetworkError(
                    f"node '{name}': field 'output_dim_num' is {show(entry['output_dim_num'])} "
                    f"but 'output_dim' has {len(dims)} entries"
                )

    # both ends of every edge, where the list is given
    for entry in raw:
        name = entry["name"]
        for cons in consumers[name]:
            if "provider" in raw[position[cons]] and name not in providers[cons]:
                raise NetworkError(
                    f"node '{cons}': field 'provider' does not name '{name}', which lists it as a consumer"
                )
        for prov in providers[name]:
            if name not in consumers[prov]:
                raise NetworkError(
                    f"node '{name}': provider '{prov}' does not list '{name}' in its field 'consumer'"
                )

    _check_acyclic(list(position), consumers)
    producers: dict[str, list[str]] = {n: [] for n in position}
    for name in position:
        for cons in consumers[name]:
            if position[cons] < position[name]:
                raise NetworkError(
                    f"node '{cons}': listed before its provider '{name}' (nodes must be in topological order)"
                )
            producers[cons].append(name)
    for name, provs in producers.items():
        order = providers[name]
        provs.sort(key=lambda p: order.index(p) if p in order else len(order))
    return producers


def _check_acyclic(names: list[str], consumers: dict[str, list[str]]) -> None:
    """Reject a cycle of consumer edges, naming the nodes on it."""
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 done
    for root in names:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            succ = consumers[node]
            if i == len(succ):
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, i + 1)
            nxt = succ[i]
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                shown = " -> ".join(f"'{n}'" for n in cycle[:8]) + (" -> ..." if len(cycle) > 8 else "")
                raise NetworkError(f"node '{nxt}': field 'consumer' forms a cycle ({shown})")
            if nxt not in state:
                state[nxt] = 1
                stack.append((nxt, 0))
                path.append(nxt)


# -------------------------------------------------------------------------------------
# the built network (any frontend)
def _prod(values: Iterable[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def _as_map(shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape if len(shape) == 4 else (shape[0], shape[1], 1, 1)


def window_output(size: int, kernel: int, stride: int, pad_begin: int, pad_end: int, dilation: int) -> int:
    """Output size of a conv / pool window: floor((in + p0 + p1 - dilated k) / s) + 1."""
    return (size + pad_begin + pad_end - ((kernel - 1) * dilation + 1)) // stride + 1


def check_network(net: Network) -> None:
    """Shapes propagated and compared over the whole network (see the module docstring)."""
    nodes = net.nodes
    for node in nodes:
        if _prod(node.shape) > MAX_SIZE:
            raise NetworkError(
                f"node '{node.name}': field 'output_dim' {list(node.shape)} holds more than 2**31 elements"
            )
        if node.kind == "input":
            continue
        first = nodes[node.inputs[0]]
        if node.shape[0] != first.shape[0]:
            raise NetworkError(
                f"node '{node.name}': field 'output_dim' batch {node.shape[0]} differs from "
                f"provider '{first.name}' batch {first.shape[0]}"
            )
        if node.kind in ("conv", "pool", "fc") and len(node.inputs) != 1:
            names = ", ".join(f"'{nodes[i].name}'" for i in node.inputs)
            raise NetworkError(
                f"node '{node.name}': a {node.kind} reads one provider, got {len(node.inputs)} ({names})"
            )
        if node.kind in ("conv", "pool"):
            _check_window(node, first)
        elif node.kind == "fc":
            _check_fc(node, first)
        elif node.kind == "eltwise":
            for i in node.inputs:
                if nodes[i].shape != node.shape:
                    raise NetworkError(
                        f"node '{node.name}': field 'output_dim' {list(node.shape)} differs from provider "
                        f"'{nodes[i].name}' output {list(nodes[i].shape)} (eltwise shapes must be equal)"
                    )
        elif node.kind == "concat":
            _check_concat(node, [nodes[i] for i in node.inputs])


def _check_window(node: Node, provider: Node) -> None:
    name = node.name
    in_shape = _as_map(provider.shape)
    if len(node.shape) != 4:
        raise NetworkError(f"node '{name}': field 'output_dim' of a {node.kind} must have 4 entries")
    if node.kind == "conv":
        if node.in_channels != in_shape[1]:
            raise NetworkError(
                f"node '{name}': param 'input_channel' is {node.in_channels} but provider "
                f"'{provider.name}' has {in_shape[1]} output channels"
            )
        if node.out_channels != node.shape[1]:
            raise NetworkError(
                f"node '{name}': param 'output_channel' is {node.out_channels} but field 'output_dim' "
                f"has {node.shape[1]} channels"
            )
        if node.in_channels % node.groups or node.out_channels % node.groups:
            raise NetworkError(
                f"node '{name}': param 'group' {node.groups} must divide input_channel {node.in_channels} "
                f"and output_channel {node.out_channels}"
            )
        rows = node.kernel[0] * node.kernel[1] * node.in_channels
        if rows > MAX_SIZE or rows * node.spatial[0] * node.spatial[1] * node.out_channels > MAX_MACS:
            raise NetworkError(f"node '{name}': kernel x channels {rows} rows is too large for a crossbar mapping")
    elif node.shape[1] != in_shape[1]:
        raise NetworkError(
            f"node '{name}': field 'output_dim' has {node.shape[1]} channels but provider "
            f"'{provider.name}' has {in_shape[1]} (a pool keeps the channels)"
        )
    for axis, label in ((0, "h"), (1, "w")):
        expected = window_output(
            in_shape[2 + axis], node.kernel[axis], node.stride[axis], node.pads[axis], node.pads[2 + axis],
            node.dilation[axis],
        )
        if expected < 1:
            raise NetworkError(
                f"node '{name}': param 'kernel_{label}' {node.kernel[axis]} (dilation {node.dilation[axis]}) "
                f"does not fit the padded input size {in_shape[2 + axis] + node.pads[axis] + node.pads[2 + axis]}"
            )
        if node.shape[2 + axis] != expected:
            raise NetworkError(
                f"node '{name}': field 'output_dim' {label.upper()} is {node.shape[2 + axis]} but input "
                f"{in_shape[2 + axis]}, kernel {node.kernel[axis]}, stride {node.stride[axis]}, pads "
                f"{node.pads[axis]}+{node.pads[2 + axis]} give {expected}"
            )


def _check_fc(node: Node, provider: Node) -> None:
    flat = _prod(provider.shape[1:])
    if node.in_channels != flat:
        raise NetworkError(
            f"node '{node.name}': param 'input_channel' is {node.in_channels} but provider "
            f"'{provider.name}' has {flat} outputs ({'x'.join(map(str, provider.shape[1:]))} flattened)"
        )
    if node.out_channels != node.shape[1]:
        raise NetworkError(
            f"node '{node.name}': param 'output_channel' is {node.out_channels} but field 'output_dim' "
            f"has {node.shape[1]} channels"
        )
    if node.in_channels * node.out_channels > MAX_MACS:
        raise NetworkError(f"node '{node.name}': {node.in_channels} x {node.out_channels} weights are too many")


def _check_concat(node: Node, inputs: list[Node]) -> None:
    shape, axis = node.shape, node.concat_axis
    if not 0 <= axis < len(shape):
        raise NetworkError(f"node '{node.name}': param 'axis' {axis} is out of range for a {len(shape)}-D output_dim")
    if any(len(p.shape) != len(shape) for p in inputs):
        # a dissolved Reshape/Flatten before the concat (msra_A's spatial pyramid): only
        # the element counts can be compared
        total = sum(_prod(p.shape[1:]) for p in inputs)
        if total != _prod(shape[1:]):
            raise NetworkError(
                f"node '{node.name}': providers hold {total} elements, field 'output_dim' {list(shape)} "
                f"{_prod(shape[1:])}"
            )
        return
    total = 0
    for p in inputs:
        if any(a != b for d, (a, b) in enumerate(zip(p.shape, shape)) if d != axis):
            raise NetworkError(
                f"node '{node.name}': provider '{p.name}' output {list(p.shape)} differs from field "
                f"'output_dim' {list(shape)} outside axis {axis}"
            )
        total += p.shape[axis]
    if total != shape[axis]:
        raise NetworkError(
            f"node '{node.name}': providers add up to {total} along axis {axis}, field 'output_dim' has {shape[axis]}"
        )
