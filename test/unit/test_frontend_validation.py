"""Network JSON validated on load: one regression test per defect a user found.

Each broken file must give, through ``pimsyn layers FILE``, exit code 2 and exactly one line
``error: <message>`` naming the node and the field, never a traceback, and must stay
unchanged on disk.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

from pimsyn.frontend import load_model, network_from_json
from pimsyn.frontend.validate import check_network
from pimsyn.model.network import Network, NetworkError, Node
from pimsyn.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = sorted((ROOT / "test" / "data" / "networks").glob("*.json"))
LIGHT_MODELS = sorted((Path(onnx.__file__).parent / "backend" / "test" / "data" / "light").glob("light_*.onnx"))


def small_net() -> list[dict]:
    """input 3x8x8 -> conv c1 (4, 3x3 pad 1) -> relu -> pool p1 (2x2 s2) -> flatten -> fc f1 (10)."""
    return [
        {"name": "x", "operation": "OP_INPUT", "output_dim": [1, 3, 8, 8], "consumer": ["c1"]},
        {"name": "c1", "operation": "OP_CONV", "output_dim": [1, 4, 8, 8], "provider": ["x"], "consumer": ["r1"],
         "param": {"kernel_h": 3, "kernel_w": 3, "stride_h": 1, "stride_w": 1, "pad_h0": 1, "pad_h1": 1,
                   "pad_w0": 1, "pad_w1": 1, "input_channel": 3, "output_channel": 4, "group": 1}},
        {"name": "r1", "operation": "OP_RELU", "output_dim": [1, 4, 8, 8], "provider": ["c1"], "consumer": ["p1"]},
        {"name": "p1", "operation": "OP_POOL", "output_dim": [1, 4, 4, 4], "provider": ["r1"], "consumer": ["fl"],
         "param": {"kernel_h": 2, "kernel_w": 2, "stride_h": 2, "stride_w": 2, "pool_method": 0}},
        {"name": "fl", "operation": "OP_FLATTEN", "output_dim": [1, 64], "provider": ["p1"], "consumer": ["f1"]},
        {"name": "f1", "operation": "OP_FC", "output_dim": [1, 10], "provider": ["fl"],
         "param": {"input_channel": 64, "output_channel": 10}},
    ]


def node(nodes: list[dict], name: str) -> dict:
    return next(n for n in nodes if n["name"] == name)


def run_layers(tmp_path: Path, text: str, name: str = "net.json"):
    path = tmp_path / name
    path.write_text(text)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["layers", str(path)])
    assert path.read_bytes() == before  # the input is never rewritten
    return result


def one_line_error(tmp_path: Path, nodes, *, text: str | None = None) -> str:
    result = run_layers(tmp_path, text if text is not None else json.dumps(nodes))
    output = result.output
    assert "Traceback" not in output and not isinstance(result.exception, (AssertionError, TypeError, KeyError))
    assert result.exit_code == 2, output
    lines = output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


def test_the_small_network_is_valid(tmp_path):
    result = run_layers(tmp_path, json.dumps(small_net()))
    assert result.exit_code == 0, result.output
    assert "c1" in result.output and "f1" in result.output


# ---------------------------------------------------------------------------------------
# values out of range or of the wrong type
@pytest.mark.parametrize("value", [-4, 0, 2**40])
def test_bad_output_channel(tmp_path, value):
    nodes = small_net()
    node(nodes, "c1")["param"]["output_channel"] = value
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "param 'output_channel'" in line and str(value) in line


def test_negative_output_dim(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["output_dim"] = [1, -4, 8, 8]
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "field 'output_dim'" in line and "-4" in line


def test_huge_output_dim(tmp_path):
    nodes = small_net()
    node(nodes, "x")["output_dim"] = [1, 3, 2**31 + 1, 8]
    line = one_line_error(tmp_path, nodes)
    assert "node 'x'" in line and "field 'output_dim'" in line


def test_zero_stride(tmp_path):
    nodes = small_net()
    node(nodes, "p1")["param"]["stride_w"] = 0
    line = one_line_error(tmp_path, nodes)
    assert "node 'p1'" in line and "param 'stride_w'" in line and "got 0" in line


@pytest.mark.parametrize("key", ["kernel_h", "kernel_w"])
def test_missing_kernel_size(tmp_path, key):
    nodes = small_net()
    del node(nodes, "c1")["param"][key]
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and f"param '{key}' is missing" in line


def test_output_channel_true(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["param"]["output_channel"] = True
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "param 'output_channel' must be an integer, got true" in line


def test_float_channel_is_not_an_integer(tmp_path):
    nodes = small_net()
    node(nodes, "f1")["param"]["input_channel"] = 64.5
    line = one_line_error(tmp_path, nodes)
    assert "node 'f1'" in line and "param 'input_channel' must be an integer" in line


def test_nan(tmp_path):
    text = json.dumps(small_net()).replace('"kernel_w": 3', '"kernel_w": NaN', 1)
    line = one_line_error(tmp_path, None, text=text)
    assert "node 'c1'" in line and "param 'kernel_w' is NaN" in line


def test_infinity_in_clip(tmp_path):
    nodes = small_net()
    node(nodes, "c1").update(with_clip=1, clip_min=0, clip_max=float("inf"))
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "field 'clip_max' is Infinity" in line


def test_5000_digit_integer(tmp_path):
    text = json.dumps(small_net()).replace('"output_channel": 10', '"output_channel": ' + "7" * 5000, 1)
    line = one_line_error(tmp_path, None, text=text)
    assert "node 'f1'" in line and "param 'output_channel'" in line and "5000 digits" in line
    assert len(line) < 300


def test_kernel_2_pow_70(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["param"]["kernel_h"] = 2**70
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "param 'kernel_h'" in line and str(2**70) in line


# ---------------------------------------------------------------------------------------
# values that disagree with each other
def test_input_channel_does_not_match_provider(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["param"]["input_channel"] = 5
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "param 'input_channel' is 5" in line and "provider 'x' has 3" in line


def test_fc_input_is_the_flattened_provider(tmp_path):
    nodes = small_net()
    node(nodes, "f1")["param"]["input_channel"] = 63
    line = one_line_error(tmp_path, nodes)
    assert "node 'f1'" in line and "param 'input_channel' is 63" in line and "64" in line


@pytest.mark.parametrize("name, dims", [("c1", [1, 4, 8, 7]), ("p1", [1, 4, 3, 4]), ("c1", [1, 5, 8, 8])])
def test_output_dim_inconsistent_with_layer(tmp_path, name, dims):
    nodes = small_net()
    node(nodes, name)["output_dim"] = dims
    line = one_line_error(tmp_path, nodes)
    assert f"node '{name}'" in line and ("field 'output_dim'" in line or "param 'output_channel'" in line)


def test_kernel_larger_than_padded_input(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["param"].update(kernel_h=11)
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "param 'kernel_h' 11" in line


# ---------------------------------------------------------------------------------------
# the graph
def test_provider_points_at_nothing(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["provider"] = ["ghost"]
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "provider 'ghost' does not exist" in line


def test_consumer_points_at_nothing(tmp_path):
    nodes = small_net()
    node(nodes, "p1")["consumer"] = ["fl", "ghost"]
    line = one_line_error(tmp_path, nodes)
    assert "node 'p1'" in line and "consumer 'ghost' does not exist" in line


def test_provider_index_points_at_nothing(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["provider_index"] = [17]
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "field 'provider_index'" in line


def test_provider_list_disagrees_with_consumer_list(tmp_path):
    nodes = small_net()
    node(nodes, "p1")["provider"] = ["c1"]  # but r1 lists p1 as its consumer
    line = one_line_error(tmp_path, nodes)
    assert "node 'p1'" in line and "field 'provider'" in line


def test_duplicate_node_names(tmp_path):
    nodes = small_net()
    dup = copy.deepcopy(node(nodes, "r1"))
    nodes.insert(3, dup)
    line = one_line_error(tmp_path, nodes)
    assert "node 'r1': duplicate name" in line and "missing" not in line and "consumer" not in line


def test_cycle(tmp_path):
    nodes = small_net()
    node(nodes, "p1")["consumer"] = ["fl", "c1"]
    node(nodes, "c1")["provider"] = ["x", "p1"]
    line = one_line_error(tmp_path, nodes)
    assert "cycle" in line and "field 'consumer'" in line and "'c1'" in line and "'p1'" in line


def test_self_loop(tmp_path):
    nodes = small_net()
    node(nodes, "c1")["consumer"] = ["r1", "c1"]
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "self-loop" in line and "consumer" in line


def test_not_topologically_sorted(tmp_path):
    nodes = small_net()
    nodes[1], nodes[2] = nodes[2], nodes[1]
    line = one_line_error(tmp_path, nodes)
    assert "node 'r1'" in line and "topological order" in line


def test_deeply_nested_json(tmp_path):
    line = one_line_error(tmp_path, None, text="[" * 100000 + "]" * 100000)
    assert "not valid JSON" in line


def test_not_utf8(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b'[{"name": "\xff"}]')
    result = CliRunner().invoke(main, ["layers", str(path)])
    assert result.exit_code == 2 and result.output.startswith("error:") and len(result.output.splitlines()) == 1


def test_unknown_codes_are_rejected(tmp_path):
    nodes = small_net()
    node(nodes, "p1")["param"]["pool_method"] = 7
    line = one_line_error(tmp_path, nodes)
    assert "node 'p1'" in line and "param 'pool_method' must be one of 0, 1, got 7" in line
    nodes = small_net()
    node(nodes, "c1").update(with_act=1, act_type=9)
    line = one_line_error(tmp_path, nodes)
    assert "node 'c1'" in line and "field 'act_type'" in line


# ---------------------------------------------------------------------------------------
# the real networks stay valid; the Network-level check serves ONNX too
@pytest.mark.parametrize("path", NETWORKS + LIGHT_MODELS, ids=lambda p: p.stem)
def test_reference_networks_are_valid(path):
    net = load_model(path)
    check_network(net)


def test_network_level_check_catches_onnx_style_networks():
    good = [
        Node("x", "input", (), (1, 3, 8, 8)),
        Node("c", "conv", (0,), (1, 4, 8, 8), kernel=(3, 3), pads=(1, 1, 1, 1), in_channels=3, out_channels=4),
    ]
    check_network(Network("ok", tuple(good)))
    bad = good[:1] + [Node("c", "conv", (0,), (1, 4, 8, 8), kernel=(3, 3), in_channels=3, out_channels=4)]
    with pytest.raises(NetworkError, match="node 'c': field 'output_dim' H is 8"):
        check_network(Network("bad", tuple(bad)))
    with pytest.raises(NetworkError, match="node 'c': kernel"):
        Network("neg", (good[0], Node("c", "conv", (0,), (1, 4, 8, 8), kernel=(0, 3), in_channels=3, out_channels=4)))
    with pytest.raises(NetworkError, match="node 'c': in_channels"):
        Network("bool", (good[0], Node("c", "conv", (0,), (1, 4, 8, 8), in_channels=True, out_channels=4)))


def test_network_from_json_raises_network_error():
    nodes = small_net()
    node(nodes, "c1")["param"]["stride_h"] = 0
    with pytest.raises(NetworkError, match="node 'c1': param 'stride_h'"):
        network_from_json(nodes)
