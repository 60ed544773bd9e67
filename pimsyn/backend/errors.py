"""The one exception class of the output emitters."""

from __future__ import annotations

from pimsyn.errors import PimsynError


class BackendError(PimsynError):
    """An output file cannot be written for this design (infeasible design, unknown target,
    a mesh too large for PIMCOMP-NN, ...). The CLI prints it as one line, exit code 2."""
