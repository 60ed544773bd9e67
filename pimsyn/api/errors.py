"""Every exception a user can cause, in one place; all are `PimsynError` subclasses, so
`except pimsyn.PimsynError` catches any bad input (docs/errors.md)."""

from pimsyn.backend.errors import BackendError
from pimsyn.dse.driver import ImpossibleBudgetError
from pimsyn.errors import PimsynError
from pimsyn.files import InputFileError, OutputPathError
from pimsyn.frontend.errors import MalformedModelError, ModelNotFoundError, UnsupportedOperatorError
from pimsyn.hw.config import HardwareError
from pimsyn.ir.errors import IRError
from pimsyn.model.network import NetworkError
from pimsyn.options import OptionError

__all__ = [
    "BackendError", "HardwareError", "ImpossibleBudgetError", "InputFileError", "IRError", "MalformedModelError",
    "ModelNotFoundError", "NetworkError", "OptionError", "OutputPathError", "PimsynError",
    "UnsupportedOperatorError",
]
