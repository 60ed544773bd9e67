"""``pimsyn-opt``: parse, transform and print ``pim`` IR (xDSL's ``xdsl-opt`` driver).

    pimsyn-opt IN.mlir -p unroll{limit=50000},verify -o OUT.mlir
    pimsyn-opt design.mlir -t accelerator-json     (any `pimsyn emit` target)
    pimsyn-opt --list-passes

Options are those of ``xdsl-opt`` (``--split-input-file``, ``--verify-diagnostics``,
``--print-op-generic``, ...) plus ``--pass`` (same as ``-p``) and ``--list-passes``. Errors
(malformed IR, failed verification or pass, unknown pass) print one line
``pimsyn-opt: error: ...`` on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import signal
import sys
from collections.abc import Sequence

from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError, VerifyException
from xdsl.xdsl_opt_main import xDSLOptMain

from pimsyn.errors import PimsynError
from pimsyn.ir.context import parse_error_line
from pimsyn.ir.errors import IRError
from pimsyn.passes.registry import PASSES

EXIT_BAD_INPUT = 2


class _PendingOutput(io.StringIO):
    """The -o text, kept in memory until the whole run succeeded (xDSL closes it)."""

    def close(self) -> None:  # keep the text readable after xDSL's `finally: close()`
        pass


class PimsynOptMain(xDSLOptMain):
    """xdsl-opt with the ``pim`` dialect and the pimsyn pass registry."""

    version_format = "pimsyn-opt built from xdsl version {xdsl_version}"

    def register_all_dialects(self) -> None:
        # Every dialect of the environment (builtin, arith, ... and pim via the entry point);
        # pim is added directly too, so the tool works without an installed entry point.
        super().register_all_dialects()
        if "pim" not in self.ctx.registered_dialect_names:
            from pimsyn.tools.universe import _pim_dialect

            self.ctx.register_dialect("pim", _pim_dialect)

    def apply_passes(self, prog) -> None:
        # Verify first so that an error xDSL reports without its op (an attribute of the
        # wrong type) names the op and the attribute (`pimsyn.ir.context.verify_module`).
        from pimsyn.ir.context import locate_verify_error

        if not self.args.disable_verify:
            try:
                prog.verify()
            except VerifyException as err:
                first = str(err).splitlines()[0] if str(err) else ""
                if type(err) is VerifyException and not first.startswith("pim."):
                    raise DiagnosticException(locate_verify_error(prog, err, self.args.input_file or "")) from None
                raise
        super().apply_passes(prog)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        from pimsyn.backend.targets import TARGETS

        for name, factory in TARGETS.items():
            self.available_targets.setdefault(name, factory)

    def register_all_passes(self) -> None:
        for name, factory in PASSES.items():
            self.register_pass(name, factory)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--pass", dest="passes", type=str, help="same as -p/--passes: comma-separated pass pipeline"
        )
        arg_parser.add_argument(
            "--list-passes", action="store_true", default=False, help="list the available passes and exit"
        )

    def setup_pipeline(self) -> None:
        if self.args.passes is None:
            self.args.passes = ""
        super().setup_pipeline()

    def prepare_output(self):
        """-o never writes in place: the output is collected in memory and written through
        a temporary file renamed over OUT only when every chunk succeeded (`run`), so a
        parse or pass failure leaves OUT as it was (even when OUT is the input file)."""
        if self.args.output_file is None:
            return sys.stdout
        self._pending = _PendingOutput()
        return self._pending

    def run(self) -> None:
        from pimsyn.files import check_output_file, write_text_atomic

        self._pending = None
        if self.args.output_file is not None:
            check_output_file(self.args.output_file)
        super().run()
        if self._pending is not None:
            write_text_atomic(self.args.output_file, self._pending.getvalue())

    def list_passes(self) -> str:
        lines = []
        for name, factory in sorted(self.available_passes.items()):
            try:
                doc = [pass_description(factory())]
            except ImportError as err:  # a pass whose module is missing or broken
                doc = [f"(unavailable: {err})"]
            lines.append(f"{name}: {doc[0] if doc else ''}")
        return "\n".join(lines) + "\n"


def pass_description(cls: type) -> str:
    """First line of the pass class's own docstring; a dataclass without one gets its
    signature as __doc__, so then the first line of its module's docstring."""
    doc = cls.__dict__.get("__doc__") or ""
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}("):
        doc = ""
    if not doc.strip():
        doc = sys.modules[cls.__module__].__doc__ or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        # module docstrings start "`name`: what it does"
        if first.startswith("`") and "`: " in first:
            first = first.split("`: ", 1)[1]
            first = first[:1].upper() + first[1:]
        return first
    return doc.strip().splitlines()[0]


def _error_line(err: BaseException) -> str:
    if isinstance(err, ParseError):
        return parse_error_line(err)
    if isinstance(err, ArgSpecParseError):
        # "header / location / source / carets / message": keep location and message.
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        return f"bad pass pipeline at {lines[1]}: {lines[-1]}" if len(lines) >= 4 else " ".join(lines)
    if isinstance(err, UnicodeDecodeError):
        return f"input is not a UTF-8 text file ({err.reason} at byte {err.start})"
    if isinstance(err, OSError):
        return f"{err.filename}: {err.strerror}" if err.filename else str(err)
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``pimsyn-opt``; returns the exit code (0, or 2 on bad input)."""
    try:
        tool = PimsynOptMain(description="pimsyn IR optimizer (xDSL-based)", args=argv)
        if tool.args.list_passes:
            sys.stdout.write(tool.list_passes())
            return 0
        tool.run()
    except (ParseError, DiagnosticException, ArgSpecParseError, IRError, PimsynError, ValueError, OSError) as err:
        sys.stdout.flush()
        print(f"pimsyn-opt: error: {_error_line(err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("pimsyn-opt: error: interrupted (SIGINT); no output was written", file=sys.stderr)
        return 128 + signal.SIGINT
    return 0


if __name__ == "__main__":
    sys.exit(main())
