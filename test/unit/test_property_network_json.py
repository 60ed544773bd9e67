"""Property: any network JSON, valid or corrupted, gives a result or one error line.

Random small graphs (chains and branches of conv / pool / FC / eltwise / concat / ReLU /
Flatten with consistent shapes, in all three JSON variants) must load; the same graphs with
one field corrupted (wrong type, negative, NaN, huge, a 5000-digit integer, a dangling
reference, a duplicate name, a cycle, a missing key) must either still be valid or fail
with exit code 2 and exactly one ``error:`` line.  Never a traceback, never a changed input
file; the IR ``pimsyn import`` prints parses and verifies, and ``pimsyn synth`` writes a
design.mlir its own reader verifies.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pimsyn.ir.context import parse_module, read_module
from pimsyn.tools.cli import main

HUGE = "__5000_DIGITS__"  # replaced by a 5000-digit integer literal in the file text
BAD_VALUES = [
    True, False, -1, 0, -(2**31), 2**31 + 1, 2**70, math.nan, math.inf, -math.inf, 3.5, "3", None, [], {}, HUGE,
]
SYNTH_ARGS = [
    "--total-power", "50", "--ratios", "0.3", "--xbars", "128", "--cell-resolutions", "2",
    "--dac-resolutions", "1", "--effort", "0.02", "--jobs", "1", "-q",
]


def _window(draw, size: int) -> tuple[int, int, int, int, int]:
    """kernel, stride, pad_begin, pad_end and the output size of one window axis."""
    p0, p1 = draw(st.integers(0, 1)), draw(st.integers(0, 1))
    k = draw(st.integers(1, min(3, size + p0 + p1)))
    s = draw(st.integers(1, 2))
    return k, s, p0, p1, (size + p0 + p1 - k) // s + 1


@st.composite
def valid_graphs(draw, need_conv: bool = False):
    """A network JSON document (a bare list or the wrapped form) with consistent shapes."""
    c, h, w = draw(st.integers(1, 4)), draw(st.integers(3, 9)), draw(st.integers(3, 9))
    nodes = [{"name": "in", "operation": "OP_INPUT", "output_dim": [1, c, h, w]}]
    provs: dict[str, list[str]] = {"in": []}
    maps = ["in"]  # names of nodes with a 4-D output (what a window can read)
    shape = {"in": (1, c, h, w)}
    layer = {"in": "in"}  # the layer a node stands for once ReLU nodes are dissolved
    kinds = draw(st.lists(st.sampled_from(["conv", "conv", "pool", "eltwise", "concat", "relu"]), min_size=1,
                          max_size=5))
    if need_conv:
        kinds[0] = "conv"
    for i, kind in enumerate(kinds):
        name = draw(st.sampled_from([f"n{i}", f"/block{i}/Conv_output_0", f"onnx::{kind}_{i}"]))
        src = draw(st.sampled_from(maps))
        _, sc, sh, sw = shape[src]
        entry: dict = {"name": name}
        sources = [src]
        if kind == "conv":
            kh, s_h, ph0, ph1, oh = _window(draw, sh)
            kw, s_w, pw0, pw1, ow = _window(draw, sw)
            group = draw(st.sampled_from([1, sc]))
            oc = group * draw(st.integers(1, max(1, 6 // group)))
            entry.update(operation="OP_CONV", output_dim=[1, oc, oh, ow], param={
                "kernel_h": kh, "kernel_w": kw, "stride_h": s_h, "stride_w": s_w, "pad_h0": ph0, "pad_h1": ph1,
                "pad_w0": pw0, "pad_w1": pw1, "group": group, "input_channel": sc, "output_channel": oc,
                "with_bias": draw(st.integers(0, 1)),
            }, with_act=draw(st.integers(0, 1)), act_type=draw(st.sampled_from([-1, 0, 1, 2])))
        elif kind == "pool":
            kh, s_h, ph0, ph1, oh = _window(draw, sh)
            kw, s_w, pw0, pw1, ow = _window(draw, sw)
            entry.update(operation="OP_POOL", output_dim=[1, sc, oh, ow], param={
                "kernel_h": kh, "kernel_w": kw, "stride_h": s_h, "stride_w": s_w, "pad_h0": ph0, "pad_h1": ph1,
                "pad_w0": pw0, "pad_w1": pw1, "pool_method": draw(st.integers(0, 1)),
            })
        elif kind == "eltwise":
            others = [m for m in maps if layer[m] != layer[src] and shape[m] == shape[src]]
            if not others:  # one operand (x + x) is not expressible in the pim IR: a ReLU instead
                kind = "relu"
            else:
                sources.append(draw(st.sampled_from(others)))
                entry.update(operation="OP_ELTWISE", output_dim=list(shape[src]),
                             param={"eletype": draw(st.sampled_from([0, 2, 4]))})
        elif kind == "concat":
            others = [m for m in maps if layer[m] != layer[src] and shape[m][2:] == shape[src][2:]]
            if others and draw(st.booleans()):
                sources.append(draw(st.sampled_from(others)))
            entry.update(operation="OP_CONCAT", output_dim=[1, sum(shape[m][1] for m in sources), sh, sw],
                         param={"axis": 1})
        if kind == "relu":
            entry.update(operation="OP_RELU", output_dim=list(shape[src]))
        nodes.append(entry)
        provs[name] = sources
        maps.append(name)
        shape[name] = tuple(entry["output_dim"])
        layer[name] = layer[src] if kind == "relu" else name
    if draw(st.booleans()):  # a classifier: [Flatten] -> FC [-> FC]
        src = maps[-1]
        flat = math.prod(shape[src][1:])
        if draw(st.booleans()):
            nodes.append({"name": "flatten", "operation": "OP_FLATTEN", "output_dim": [1, flat]})
            provs["flatten"] = [src]
            src = "flatten"
        for j in range(draw(st.integers(1, 2))):
            out = draw(st.integers(1, 10))
            dims = [1, out] if draw(st.booleans()) else [1, out, 1, 1]  # Tengine writes 4-D
            keys = draw(st.sampled_from([("input_channel", "output_channel"), ("num_input", "num_output")]))
            nodes.append({"name": f"fc{j}", "operation": "OP_FC", "output_dim": dims,
                          "param": {keys[0]: flat, keys[1]: out}})
            provs[f"fc{j}"] = [src]
            src, flat = f"fc{j}", out
    counts = draw(st.booleans())
    for entry in nodes:
        p = provs[entry["name"]]
        cons = [e["name"] for e in nodes if entry["name"] in provs[e["name"]]]
        if p:
            entry["provider"] = list(p)
        if cons:
            entry["consumer"] = cons
        if counts:
            entry.update(provider_num=len(p), consumer_num=len(cons), output_dim_num=len(entry["output_dim"]))
    return {"node_list": nodes, "reshape_info": {}} if draw(st.booleans()) else nodes


def _nodes(doc) -> list[dict]:
    return doc["node_list"] if isinstance(doc, dict) else doc


@st.composite
def corrupted_graphs(draw):
    doc = draw(valid_graphs())
    nodes = _nodes(doc)
    i = draw(st.integers(0, len(nodes) - 1))
    entry = nodes[i]
    how = draw(st.sampled_from(["value", "value", "value", "delete", "dangling", "duplicate", "cycle", "self"]))
    if how == "value":
        bad = draw(st.sampled_from(BAD_VALUES))
        where = draw(st.sampled_from(["param", "output_dim", "top"]))
        if where == "param" and entry.get("param"):
            entry["param"][draw(st.sampled_from(sorted(entry["param"])))] = bad
        elif where == "output_dim":
            entry["output_dim"][draw(st.integers(0, len(entry["output_dim"]) - 1))] = bad
        else:
            key = draw(st.sampled_from(["output_dim", "name", "operation", "provider", "consumer", "with_act",
                                        "act_type", "consumer_num", "provider_index"]))
            entry[key] = bad
    elif how == "delete":
        keys = [f"param.{k}" for k in entry.get("param", {})] + [k for k in entry if k != "param"]
        key = draw(st.sampled_from(keys))
        if key.startswith("param."):
            del entry["param"][key[6:]]
        else:
            del entry[key]
    elif how == "dangling":
        key = draw(st.sampled_from(["provider", "consumer"]))
        entry[key] = entry.get(key, []) + ["ghost"]
    elif how == "duplicate" and len(nodes) > 1:
        j = draw(st.integers(0, len(nodes) - 1).filter(lambda j: j != i))
        entry["name"] = nodes[j]["name"]
    elif how == "cycle" and i > 0:
        j = draw(st.integers(0, i - 1))  # edge from a later node back to an earlier one
        entry["consumer"] = entry.get("consumer", []) + [nodes[j]["name"]]
        nodes[j]["provider"] = nodes[j].get("provider", []) + [entry["name"]]
    else:  # self-loop
        entry["consumer"] = entry.get("consumer", []) + [entry["name"]]
        entry["provider"] = entry.get("provider", []) + [entry["name"]]
    return doc


def _text(doc) -> str:
    return json.dumps(doc, indent=1).replace(json.dumps(HUGE), "9" * 5000)


def _check_cli(args: list[str], path: Path) -> object:
    """Run pimsyn; success, or exit 2 with one 'error:' line; the input untouched."""
    before = path.read_bytes()
    result = CliRunner().invoke(main, args)
    assert path.read_bytes() == before
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        lines = result.output.splitlines()
        assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.output
    return result


def _check_load_and_import(doc) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "net.json"
        path.write_text(_text(doc))
        layers = _check_cli(["layers", str(path)], path)
        imported = _check_cli(["import", str(path)], path)
        assert (layers.exit_code == 0) == (imported.exit_code == 0)
        if imported.exit_code == 0:
            parse_module(imported.stdout)  # parses and verifies
        return imported.exit_code == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_graphs())
def test_valid_graphs_load_and_import(doc):
    assert _check_load_and_import(doc)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted_graphs())
def test_corrupted_graphs_fail_with_one_line(doc):
    _check_load_and_import(doc)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_graphs(need_conv=True))
def test_synth_of_valid_graphs(doc):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "net.json"
        path.write_text(_text(doc))
        out = Path(tmp) / "out"
        result = _check_cli(["synth", str(path), *SYNTH_ARGS, "-o", str(out)], path)
        if result.exit_code == 0:
            read_module(str(out / "design.mlir"))  # parses and verifies
