"""Bad input to the frontends: one clear line naming the problem, the right exception."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from pimsyn.frontend import (
    MalformedModelError, ModelNotFoundError, UnsupportedOperatorError, load_model, load_network_json, load_onnx,
    network_from_onnx_model,
)
from pimsyn.model.network import NetworkError

LIGHT_RESNET = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light" / "light_resnet50.onnx"


def one_line_error(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and message
    return message


def save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.save(model, str(path))
    return path


def lstm_model() -> onnx.ModelProto:
    hidden = 4
    nodes = [helper.make_node("LSTM", ["x", "w", "r"], ["y"], hidden_size=hidden, name="lstm_1")]
    inits = [
        numpy_helper.from_array(np.zeros((1, 4 * hidden, 3), np.float32), "w"),
        numpy_helper.from_array(np.zeros((1, 4 * hidden, hidden), np.float32), "r"),
    ]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, 1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, 1, 1, hidden])], inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_unsupported_lstm(tmp_path):
    path = save(lstm_model(), tmp_path / "rnn.onnx")
    with pytest.raises(UnsupportedOperatorError) as excinfo:
        load_onnx(path)
    message = one_line_error(excinfo)
    assert "unsupported operator 'LSTM' (node 'lstm_1')" in message and str(path) in message
    assert isinstance(excinfo.value, NetworkError)


def test_unsupported_einsum_after_conv():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
        helper.make_node("Einsum", ["c", "c"], ["y"], equation="nchw,nchw->nc"),
    ]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
        [numpy_helper.from_array(np.zeros((2, 2, 1, 1), np.float32), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(UnsupportedOperatorError) as excinfo:
        network_from_onnx_model(model)
    assert "unsupported operator 'Einsum' (node 'y')" in one_line_error(excinfo)


def test_concat_on_spatial_axis_is_rejected():
    graph = helper.make_graph(
        [helper.make_node("Concat", ["x", "x"], ["y"], axis=2, name="cat")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(UnsupportedOperatorError) as excinfo:
        network_from_onnx_model(model)
    assert "'Concat' (node 'cat')" in one_line_error(excinfo) and "axis 2" in str(excinfo.value)


def test_unknown_spatial_input_dimension():
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "height", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, "height", 8])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(NetworkError) as excinfo:
        network_from_onnx_model(model)
    assert "input 'x' has an unknown dimension 2 ('height')" in one_line_error(excinfo)


@pytest.mark.parametrize("content", [b"this is not a protobuf at all \xff\xfe", b""], ids=["garbage", "empty"])
def test_not_onnx(tmp_path, content):
    path = tmp_path / "bad.onnx"
    path.write_bytes(content)
    with pytest.raises(MalformedModelError) as excinfo:
        load_onnx(path)
    assert str(path) in one_line_error(excinfo)


def test_truncated_onnx(tmp_path):
    data = LIGHT_RESNET.read_bytes()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MalformedModelError) as excinfo:
        load_model(path)
    one_line_error(excinfo)


def test_checker_failure_is_malformed():
    graph = helper.make_graph(  # Relu reads a tensor nobody produces
        [helper.make_node("Relu", ["ghost"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(MalformedModelError) as excinfo:
        network_from_onnx_model(model)
    assert one_line_error(excinfo).startswith("fails the ONNX checker")


@pytest.mark.parametrize("loader", [load_model, load_onnx])
def test_missing_file(tmp_path, loader):
    with pytest.raises(ModelNotFoundError) as excinfo:
        loader(tmp_path / "nope.onnx")
    assert "nope.onnx: no such model file" in one_line_error(excinfo)


def test_missing_json_file(tmp_path):
    with pytest.raises(NetworkError) as excinfo:
        load_network_json(tmp_path / "nope.json")
    assert "nope.json" in one_line_error(excinfo)


def test_bad_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"name": "x",')
    with pytest.raises(NetworkError) as excinfo:
        load_model(path)
    assert "not valid JSON" in one_line_error(excinfo)


def test_constant_divided_by_activation_is_rejected():
    graph = helper.make_graph(
        [helper.make_node("Div", ["one", "x"], ["y"], name="reciprocal")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])],
        [numpy_helper.from_array(np.ones((1,), np.float32), "one")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(UnsupportedOperatorError) as excinfo:
        network_from_onnx_model(model)
    assert "'Div' (node 'reciprocal')" in one_line_error(excinfo)
