"""Context and text parsing for ``pim`` IR."""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.parser import Parser
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException

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
        verify_module(module, name if name != "<input>" else "")
    return module


def verify_module(module: ModuleOp, name: str = "") -> None:
    """Run the xDSL verifier; one-line :class:`IRVerifyError` on failure, naming the op
    (and the attribute) that fails when xDSL's message does not."""
    try:
        module.verify()
    except DiagnosticException as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        if type(err) is VerifyException and not first.startswith("pim."):
            first = locate_verify_error(module, err, name)  # raised without its op (IRDL)
        raise IRVerifyError(first) from None


def _op_label(op) -> str:
    layer = op.properties.get("name") or op.properties.get("layer")
    text = getattr(layer, "data", None)
    return f'{op.name} "{text}"' if isinstance(text, str) else op.name


def locate_verify_error(module: ModuleOp, err: Exception, name: str = "") -> str:
    """`[file: ]op "layer": [attribute 'key': ]message` for a verifier error that came
    without the op (e.g. an attribute of the wrong type, checked by IRDL)."""
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    prefix = f"{name}: " if name else ""
    for op in module.walk():
        if op is module:
            continue
        try:
            op.verify(verify_nested_ops=False)
        except (VerifyException, DiagnosticException):
            keys = [key for key, attr in {**op.properties, **op.attributes}.items() if str(attr) in message]
            where = f"attribute '{keys[0]}': " if keys else ""
            return f"{prefix}{_op_label(op)}: {where}{message}"
        except Exception:  # pragma: no cover - any other failure: keep the plain message
            continue
    return f"{prefix}{message}"


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
