"""Context and text parsing for ``pim`` IR."""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.parser import Parser
from xdsl.utils.exceptions import DiagnosticException, ParseError

from pimsyn.ir.dialect import PIM
from pimsyn.ir.errors import IRParseError, IRVerifyError


def make_context() -> Context:
    """A context with the builtin and ``pim`` dialects loaded."""
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(PIM)
    return ctx


def parse_error_line(err: ParseError) -> str:
    """``file:line:col: message`` of an xDSL parse error (its text is multi-line)."""
    try:
        loc = err.span.get_location()
        return f"{loc}: {err.msg}"
    except Exception:  # pragma: no cover - span without location
        return err.msg


def parse_module(text: str, name: str = "<input>", verify: bool = True) -> ModuleOp:
    """Parse ``pim`` IR text into a module; one-line :class:`IRParseError` on bad text."""
    try:
        module = Parser(make_context(), text, name).parse_module()
    except ParseError as err:
        raise IRParseError(parse_error_line(err)) from None
    except DiagnosticException as err:  # an attribute that failed its own verifier
        raise IRVerifyError(f"{name}: {str(err).splitlines()[0] if str(err) else type(err).__name__}") from None
    if verify:
        verify_module(module)
    return module


def verify_module(module: ModuleOp) -> None:
    """Run the xDSL verifier; one-line :class:`IRVerifyError` on failure."""
    try:
        module.verify()
    except DiagnosticException as err:
        raise IRVerifyError(str(err).splitlines()[0] if str(err) else type(err).__name__) from None


def print_module(module: ModuleOp, generic: bool = False) -> str:
    """Text of a module (custom syntax unless ``generic``)."""
    from io import StringIO

    from xdsl.printer import Printer

    out = StringIO()
    Printer(stream=out, print_generic_format=generic).print_op(module)
    out.write("\n")
    return out.getvalue()


def read_module(path: str) -> ModuleOp:
    """Parse and verify a ``.mlir`` file; one-line errors name the file."""
    try:
        with open(path) as fh:
            text = fh.read()
    except OSError as err:
        raise IRParseError(f"{path}: cannot read ({err.strerror})") from None
    return parse_module(text, path)
