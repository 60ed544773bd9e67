"""load_model: dispatch on the extension, and on the content for other extensions."""

from __future__ import annotations

import shutil
from pathlib import Path

import onnx

from pimsyn.frontend import load_model, load_network_json, load_onnx

ROOT = Path(__file__).resolve().parents[2]
ALEXNET_JSON = ROOT / "test" / "data" / "networks" / "alexnet.json"
LIGHT_SQUEEZENET = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light" / "light_squeezenet.onnx"


def test_dispatch_on_extension():
    assert load_model(ALEXNET_JSON) == load_network_json(ALEXNET_JSON)
    assert load_model(str(LIGHT_SQUEEZENET)) == load_onnx(LIGHT_SQUEEZENET)


def test_odd_extension_is_sniffed(tmp_path):
    json_copy = tmp_path / "alexnet.net"
    onnx_copy = tmp_path / "light_squeezenet.pb"
    upper_copy = tmp_path / "alexnet.JSON"
    shutil.copy(ALEXNET_JSON, json_copy)
    shutil.copy(LIGHT_SQUEEZENET, onnx_copy)
    shutil.copy(ALEXNET_JSON, upper_copy)
    assert load_model(json_copy).nodes == load_network_json(ALEXNET_JSON).nodes
    assert load_model(upper_copy).nodes == load_network_json(ALEXNET_JSON).nodes
    onnx_net = load_model(onnx_copy)
    assert onnx_net.name == "light_squeezenet" and onnx_net.count("conv") == 26
