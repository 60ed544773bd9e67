"""Sliding-window geometry of ONNX Conv / pooling nodes in the network JSON convention.

The network JSON (shared/docs/network-json-format.md) describes every conv/pool window by
kernel, stride, dilation and explicit pads (top, left, bottom, right) such that each output
size obeys ``out = floor((in + p_begin + p_end - dilated_kernel) / stride) + 1``. ONNX
allows ``auto_pad`` and ``ceil_mode`` instead; both are rewritten here as explicit pads
(ceil-mode pooling becomes extra end padding, as in the PIMCOMP files), checked against the
output size from shape inference.
"""

from __future__ import annotations

from dataclasses import dataclass

from pimsyn.model.network import NetworkError


@dataclass(frozen=True)
class WindowGeometry:
    kernel: tuple[int, int]
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]  # (top, left, bottom, right)
    dilation: tuple[int, int]


def _pair(values, default: int, what: str, node_name: str) -> tuple[int, int]:
    if values is None:
        return default, default
    values = [int(v) for v in values]
    if len(values) != 2:
        raise NetworkError(f"node '{node_name}': {what} has {len(values)} entries, expected 2 (2-D window)")
    return values[0], values[1]


def window_geometry(
    attrs: dict,
    node_name: str,
    in_hw: tuple[int, int],
    out_hw: tuple[int, int],
    kernel_fallback: tuple[int, int] | None,
    merged_pads: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> WindowGeometry:
    """Explicit geometry of one Conv/MaxPool/AveragePool node.

    ``in_hw`` is the spatial size of the tensor before any merged Pad node, ``merged_pads``
    the (top, left, bottom, right) padding of such Pad nodes, added to the node's own pads.
    """
    if "kernel_shape" in attrs:
        kernel = _pair(attrs["kernel_shape"], 1, "kernel_shape", node_name)
    elif kernel_fallback is not None:
        kernel = kernel_fallback  # ONNX Conv may omit kernel_shape: use the weight's H x W
    else:
        raise NetworkError(f"node '{node_name}': no kernel_shape attribute")
    stride = _pair(attrs.get("strides"), 1, "strides", node_name)
    dilation = _pair(attrs.get("dilations"), 1, "dilations", node_name)
    auto_pad = attrs.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
    dilated = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))

    begin = [0, 0]
    end = [0, 0]
    if auto_pad in ("NOTSET", ""):
        onnx_pads = [int(p) for p in attrs.get("pads", [0, 0, 0, 0])]
        if len(onnx_pads) != 4:
            raise NetworkError(f"node '{node_name}': pads has {len(onnx_pads)} entries, expected 4")
        begin = [onnx_pads[0], onnx_pads[1]]
        end = [onnx_pads[2], onnx_pads[3]]
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        for axis in range(2):
            total = max((out_hw[axis] - 1) * stride[axis] + dilated[axis] - in_hw[axis], 0)
            small, large = total // 2, total - total // 2
            # SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the beginning (ONNX spec)
            begin[axis], end[axis] = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
    elif auto_pad != "VALID":
        raise NetworkError(f"node '{node_name}': unknown auto_pad '{auto_pad}'")

    begin = [begin[0] + merged_pads[0], begin[1] + merged_pads[1]]
    end = [end[0] + merged_pads[2], end[1] + merged_pads[3]]
    for axis in range(2):
        # missing input rows for the inferred output size (> 0: ceil mode -> extra end pad)
        missing = (out_hw[axis] - 1) * stride[axis] + dilated[axis] - (in_hw[axis] + begin[axis] + end[axis])
        if missing > 0:
            end[axis] += missing
        elif missing <= -stride[axis]:
            raise NetworkError(
                f"node '{node_name}': output size {out_hw[axis]} does not match input {in_hw[axis]}, "
                f"kernel {kernel[axis]}, stride {stride[axis]}, pads {begin[axis]}+{end[axis]}"
            )
    return WindowGeometry(
        kernel=kernel, stride=stride, pads=(begin[0], begin[1], end[0], end[1]), dilation=dilation
    )
