"""``verify``: run the dialect verifiers and the module-level design checks."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from pimsyn.ir.context import verify_module
from pimsyn.ir.design import verify_design
from pimsyn.ir.errors import IRVerifyError


@dataclass(frozen=True)
class VerifyPass(ModulePass):
    """Fail with one line naming the first problem; leaves the IR unchanged."""

    name = "verify"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        try:
            verify_module(op)
            verify_design(op)
        except IRVerifyError as err:
            raise PassFailedException(f"verify: {err}") from None
