"""One error line and exit code 2 for every problem a user can cause.

Every module raises its own exception class with a message that names the problem (a
malformed model, an unsupported operator, a broken hardware file, an impossible budget,
malformed IR). The command-line tools catch them here, print ``error: <message>`` on one
line and exit with status 2; a traceback is only ever shown for a bug in pimsyn itself.
"""

from __future__ import annotations

import functools
import sys

import click

EXIT_USER_ERROR = 2


from pimsyn.errors import PimsynError  # noqa: E402  (re-exported: the CLI's base error)


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exception classes that mean "bad input", collected lazily to keep start-up fast."""
    from pimsyn.model.network import NetworkError

    types: list[type[BaseException]] = [PimsynError, NetworkError, FileNotFoundError]
    for module, name in (
        ("pimsyn.hw.config", "HardwareError"),
        ("pimsyn.search.duplication", "DuplicationError"),
        ("pimsyn.ir.errors", "IRError"),
        ("pimsyn.search.partition_space", "PartitionError"),
        ("pimsyn.hw.geometry", "GeometryError"),
        ("xdsl.utils.exceptions", "ParseError"),
        ("xdsl.utils.exceptions", "VerifyException"),
        ("xdsl.utils.exceptions", "DiagnosticException"),
        ("xdsl.utils.exceptions", "PassFailedException"),
    ):
        try:
            mod = __import__(module, fromlist=[name])
            types.append(getattr(mod, name))
        except (ImportError, AttributeError):
            continue
    return tuple(types)


def one_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # xDSL's parse errors put the message on the first line and a source excerpt after it.
    return lines[0] if lines else text


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USER_ERROR)


def reports_user_errors(func):
    """Decorator for click commands: user errors become one line on stderr and exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except user_error_types() as err:  # noqa: B030 - tuple computed at call time
            fail(one_line(err))

    return wrapper
