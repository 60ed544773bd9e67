"""Frontends: read a CNN description (ONNX or network JSON) into a :class:`Network`.

``load_model(path)`` picks the reader from the extension (``.onnx``, ``.json``) and, for any
other extension, from the content (JSON starts with ``{`` or ``[``; anything else is tried
as ONNX protobuf).
"""

from __future__ import annotations

from pathlib import Path

from pimsyn.frontend.errors import MalformedModelError, ModelNotFoundError, UnsupportedOperatorError
from pimsyn.frontend.network_json import load_network_json, network_from_json
from pimsyn.frontend.network_json_export import network_to_json, write_network_json
from pimsyn.model.network import Network

__all__ = [
    "MalformedModelError", "ModelNotFoundError", "UnsupportedOperatorError", "load_model", "load_onnx",
    "load_network_json", "network_from_json", "network_from_onnx_model", "network_to_json",
    "write_network_json",
]


def __getattr__(name: str):
    # the ONNX importer pulls in onnx (~0.3 s); JSON-only users should not pay for it
    if name in ("load_onnx", "network_from_onnx_model"):
        from pimsyn.frontend import onnx_import

        return getattr(onnx_import, name)
    raise AttributeError(f"module 'pimsyn.frontend' has no attribute '{name}'")


def _looks_like_json(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def load_model(path: str | Path) -> Network:
    """Read an ONNX model or a network JSON file (any of the three JSON variants)."""
    path = Path(path)
    if not path.is_file():
        raise ModelNotFoundError(f"{path}: no such model file")
    suffix = path.suffix.lower()
    from pimsyn.frontend.onnx_import import load_onnx

    if suffix == ".onnx":
        return load_onnx(path)
    if suffix == ".json":
        return load_network_json(path)
    try:
        is_json = _looks_like_json(path)
    except OSError as err:
        raise MalformedModelError(f"{path}: cannot read model file ({err.strerror})") from None
    return load_network_json(path) if is_json else load_onnx(path)
