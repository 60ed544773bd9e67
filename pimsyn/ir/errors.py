"""Errors of the IR layer; each message is one line naming the problem."""

from __future__ import annotations

from pimsyn.errors import PimsynError


class IRError(PimsynError, ValueError):
    """Base class of pimsyn IR errors."""


class IRParseError(IRError):
    """Text that is not valid ``pim`` IR (``file:line:col: message``)."""


class IRVerifyError(IRError):
    """IR that parses but breaks a dialect rule."""


class IRBuildError(IRError):
    """A network or design that cannot be written as (or read back from) IR."""
