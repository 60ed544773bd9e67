"""The one exception class of the built-in simulator."""

from __future__ import annotations

from pimsyn.errors import PimsynError


class SimError(PimsynError):
    """A design.mlir the simulator cannot run (not scheduled, not placed, unrolled, ...).
    The CLI prints it as one line, exit code 2."""
