"""The backends as xDSL targets, so `pimsyn-opt design.mlir -t accelerator-json` works
the way `xdsl-opt -t` does (registered by `pimsyn.tools.universe` and `pimsyn-opt`).

One `Target` class per output of `pimsyn.backend.outputs`, each emitting from the module
it is given, exactly what `pimsyn emit --target` writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target


def _target(target_name: str) -> type[Target]:
    @dataclass(frozen=True)
    class DesignTarget(Target):
        name = target_name

        def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
            from pimsyn.backend.outputs import emit_text

            output.write(emit_text(module, target_name))

    DesignTarget.__name__ = DesignTarget.__qualname__ = "".join(p.title() for p in target_name.split("-")) + "Target"
    DesignTarget.__doc__ = f"Emit the design's {target_name} file (pimsyn emit --target {target_name})."
    return DesignTarget


def _factory(name: str) -> Callable[[], type[Target]]:
    return lambda: _target(name)


#: target name -> factory, as xDSL's universe expects
TARGETS: dict[str, Callable[[], type[Target]]] = {
    name: _factory(name)
    for name in ("accelerator-json", "pimcomp", "pimcomp-config", "network-json", "report", "report-html", "verilog",
                 "netlist-json", "pimsim-asm")
}
