"""Error classes of the frontends.

All of them subclass :class:`pimsyn.model.network.NetworkError`, so the CLI layer can
catch one class and print the message as a single line (exit code 2). Messages name the
file / operator / node at fault and never span more than one line.
"""

from __future__ import annotations

from pimsyn.model.network import NetworkError


class UnsupportedOperatorError(NetworkError):
    """The model uses an operator (or an operator form) that pimsyn cannot map."""


class MalformedModelError(NetworkError):
    """The file is not a readable model: not ONNX, truncated protobuf, fails the checker."""


class ModelNotFoundError(NetworkError):
    """The model path does not exist or is not a regular file."""


def one_line(text: str, limit: int = 200) -> str:
    """First non-empty line of ``text``, cut to ``limit`` characters (for wrapped errors)."""
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return "unknown error"
