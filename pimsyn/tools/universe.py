"""xDSL plugin entry point: makes ``xdsl-opt`` know the ``pim`` dialect, pimsyn passes and targets.

Declared in pyproject.toml under ``[project.entry-points."xdsl.universe"]``.
"""

from __future__ import annotations

from xdsl.ir import Dialect
from xdsl.universe import Universe

from pimsyn.backend.targets import TARGETS
from pimsyn.passes.registry import PASSES


def _pim_dialect() -> Dialect:
    from pimsyn.ir.dialect import PIM

    return PIM


PIMSYN_UNIVERSE = Universe(all_dialects={"pim": _pim_dialect}, all_passes=PASSES, all_targets=TARGETS)
