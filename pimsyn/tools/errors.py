"""One error line and exit code 2 for every problem a user can cause.

Every module raises its own exception class with a message that names the problem (a
malformed model, an unsupported operator, a broken hardware file, an impossible budget,
malformed IR). The command-line tools catch them here, print ``error: <message>`` on one
line and exit with status 2; a traceback is only ever shown for a bug in pimsyn itself.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading

import click

EXIT_USER_ERROR = 2
#: 128 + signal number, as a shell reports a process ended by that signal.
EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt is for SIGINT, so that
    every `finally` (ending worker processes, removing temporary files) runs."""


from pimsyn.errors import PimsynError  # noqa: E402  (re-exported: the CLI's base error)


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exception classes that mean "bad input", collected lazily to keep start-up fast."""
    from pimsyn.model.network import NetworkError

    types: list[type[BaseException]] = [PimsynError, NetworkError, OSError, UnicodeDecodeError]
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
    if isinstance(err, OSError) and err.strerror:
        return f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    if isinstance(err, UnicodeDecodeError):
        return f"input is not a UTF-8 text file ({err.reason} at byte {err.start})"
    text = str(err).strip() or type(err).__name__
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # xDSL's parse errors put the message on the first line and a source excerpt after it.
    return lines[0] if lines else text


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USER_ERROR)


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


@contextlib.contextmanager
def signals_end_the_run():
    """SIGTERM raises `Terminated` in the main thread while the block runs (SIGINT already
    raises KeyboardInterrupt), so cleanup code runs instead of the process just vanishing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def reports_user_errors(func):
    """Decorator for click commands: user errors become one line on stderr and exit 2;
    Ctrl-C and SIGTERM one line and exit 130 / 143 (no traceback, no partial output)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with signals_end_the_run():
                return func(*args, **kwargs)
        except user_error_types() as err:  # noqa: B030 - tuple computed at call time
            fail(one_line(err))
        except KeyboardInterrupt:
            click.echo("error: interrupted (SIGINT); no output was written", err=True)
            sys.exit(EXIT_SIGINT)
        except Terminated:
            click.echo("error: terminated (SIGTERM); no output was written", err=True)
            sys.exit(EXIT_SIGTERM)

    return wrapper


class OneLineErrorsGroup(click.Group):
    """A click group whose usage errors (unknown option, missing value, bad choice) are one
    line `error: ...` and exit 2, like every other user error."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort:
            click.echo("error: interrupted (SIGINT); no output was written", err=True)
            sys.exit(EXIT_SIGINT)
        except click.ClickException as err:
            hint = ""
            ctx = getattr(err, "ctx", None)
            if ctx is not None:
                hint = f" (see {ctx.command_path} --help)"
            message = one_line(click.ClickException(err.format_message()))
            click.echo(f"error: {message}{hint}", err=True)
            sys.exit(EXIT_USER_ERROR)
