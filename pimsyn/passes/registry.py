"""Pass registry of pimsyn: pass name -> factory returning the pass class.

``pimsyn-opt`` and the xDSL universe (``pimsyn.tools.universe``) read this dict; adding a
pass is one line. Factories import lazily so listing passes stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _unroll() -> type[ModulePass]:
    from pimsyn.passes.unroll import UnrollPass

    return UnrollPass


def _verify() -> type[ModulePass]:
    from pimsyn.passes.verify import VerifyPass

    return VerifyPass


def _stage(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    def factory() -> type[ModulePass]:
        return getattr(__import__(f"pimsyn.passes.{module}", fromlist=[cls]), cls)

    return factory


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "unroll": _unroll,
    "verify": _verify,
    "duplicate": _stage("duplicate", "DuplicatePass"),
    "build-deps": _stage("build_deps", "BuildDepsPass"),
    "partition": _stage("partition", "PartitionPass"),
    "allocate": _stage("allocate", "AllocatePass"),
    "place": _stage("place", "PlacePass"),
    "schedule": _stage("schedule", "SchedulePass"),
    "evaluate": _stage("evaluate", "EvaluatePass"),
    "pim-to-hw": _stage("pim_to_hw", "PimToHwPass"),
}
