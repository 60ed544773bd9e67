"""The base of every user-facing error of pimsyn (the bottom of the import graph).

Every package raises its own subclass (or this class) with a message that names the
problem; the command-line tools (`pimsyn.tools.errors`) turn any of them into one line on
stderr and exit code 2. Kept here, below every package, so that `backend/`, `dse/` and
the rest can raise it without importing the CLI.
"""

from __future__ import annotations


class PimsynError(Exception):
    """A user-facing error: bad input, an impossible request, an unusable design."""
