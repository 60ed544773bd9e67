"""Every output file of a design, lowered from its design.mlir module alone.

Targets (`pimsyn emit --target`, and `pimsyn-opt -t`): accelerator-json (spec 6, plus
metrics), pimcomp (the reference's small PIMCOMP file), pimcomp-config (a complete
PIMCOMP-NN config.json), network-json (the network in PIMCOMP's wrapped form), report
(Markdown), report-html (the report with figures, self-contained; synth also writes the
figures as figures/*.png, directory target report-figures), verilog (structural Verilog
through CIRCT) and netlist-json (the same netlist as JSON). `pimsyn synth` writes
design.mlir first, parses it back and emits every other file from that module, so
`pimsyn emit design.mlir --target T` writes the same bytes.

Unlike the reference, the PIMCOMP file is written in both macro modes (specified mode
takes the largest per-layer macro size, see `pimsyn.backend.pimcomp`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from pimsyn.backend.accelerator_json import accelerator_json_text
from pimsyn.backend.compact_outputs import compact_emit_directory, compact_emit_text
from pimsyn.backend.compact_view import is_compact
from pimsyn.backend.design_view import read_design
from pimsyn.backend.errors import BackendError
from pimsyn.backend.netlist import netlist_json_text, verilog_text
from pimsyn.backend.pimsim import pimsim_files, pimsim_program, program_sources
from pimsyn.backend.pimsim_asm import program_to_asm
from pimsyn.backend.pimcomp import pimcomp_config_json_text, pimcomp_json_text
from pimsyn.backend.report import report_markdown, search_summary
from pimsyn.backend.report_html import FIGURE_DIR, FIGURE_FILES, report_figure_files, report_html_text
from pimsyn.errors import PimsynError
from pimsyn.files import check_output_dir, check_output_file, write_files_atomic, write_text_atomic  # noqa: F401
from pimsyn.frontend.network_json_export import network_to_json

#: Emitters: target -> text of the file, from the design and evaluation records.
EMITTERS: dict[str, Callable] = {
    "accelerator-json": accelerator_json_text,
    "pimcomp": pimcomp_json_text,
    "pimcomp-config": pimcomp_config_json_text,
    "network-json": lambda design, evaluation: json.dumps(network_to_json(design.network), indent=2) + "\n",
    "report": report_markdown,
    "verilog": verilog_text,
    "netlist-json": netlist_json_text,
    "pimsim-asm": lambda design, evaluation: pimsim_asm_text(design, evaluation),
    "report-html": report_html_text,
}
#: Targets that are a directory of files (`pimsyn emit --target T -o DIR`, and a
#: subdirectory of synth's output): target -> (subdirectory, files function).
DIRECTORY_TARGETS: dict[str, tuple[str, Callable]] = {"pimsim": ("pimsim", pimsim_files),
                                                      "report-figures": (FIGURE_DIR, report_figure_files)}
TARGETS = tuple(EMITTERS)
#: File name of each target in the output directory of `pimsyn synth`.
FILE_NAMES = {
    "mlir": "design.mlir",
    "accelerator-json": "accelerator.json",
    "pimcomp": "pimcomp.json",
    "pimcomp-config": "pimcomp-config.json",
    "network-json": "network.json",
    "report": "report.md",
    "verilog": "accelerator.v",
    "netlist-json": "netlist.json",
    "pimsim-asm": "pimsim/program.s",
    "report-html": "report.html",
}
#: Targets `pimsyn synth` does not write (on request only, via `pimsyn emit`).
ON_REQUEST = ("pimsim-asm",)
#: Files of the directory targets.
DIRECTORY_FILES = {"pimsim": ("program.json", "arch.json", "network.json"), "report-figures": FIGURE_FILES}


def synth_file_names() -> list[str]:
    """Every file `pimsyn synth` writes, relative to its output directory (a target this
    installation cannot emit, `unavailable_targets`, included)."""
    names = [FILE_NAMES[t] for t in ("mlir", *TARGETS) if t not in ON_REQUEST]
    names += [f"{DIRECTORY_TARGETS[t][0]}/{name}" for t, files in DIRECTORY_FILES.items() for name in files]
    return names


def pimsim_asm_text(design, evaluation) -> str:
    """The pimsim-nn program as a listing, one instruction a line with the IR op it comes
    from as a comment (`pimsyn asm` assembles it back into the same program.json)."""
    return program_to_asm(pimsim_program(design, evaluation), program_sources(design, evaluation))


def emit_directory(module: ModuleOp, target: str, records=None) -> dict[str, str | bytes]:
    """The files of a directory target (file name -> content)."""
    if target not in DIRECTORY_TARGETS:
        raise BackendError(f"unknown directory target '{target}' (expected one of {', '.join(DIRECTORY_TARGETS)})")
    if records is None and is_compact(module):  # a compact design: backend/compact_outputs.py
        return compact_emit_directory(module, target)
    design, evaluation = records or read_design(module)
    return DIRECTORY_TARGETS[target][1](design, evaluation)


def unavailable_targets() -> dict[str, str]:
    """Targets this installation cannot emit, with the reason (an optional dependency
    without a wheel for the platform). `pimsyn synth` skips them and says so."""
    import importlib.util

    from pimsyn.backend.figures_common import matplotlib_missing

    missing = {}
    if importlib.util.find_spec("circt") is None:
        missing["verilog"] = "CIRCT's Python bindings are not installed (pip install circt)"
    if matplotlib_missing():  # report.html and its figures/*.png
        missing["report-html"] = missing["report-figures"] = matplotlib_missing()
    return missing


def emit_text(module: ModuleOp, target: str, records=None) -> str:
    """The text of one output file of the design in `module` (a design.mlir module).
    `records` (from `read_design`) saves reading the module again for several targets."""
    if target not in EMITTERS:
        raise BackendError(f"unknown output target '{target}' (expected one of {', '.join(TARGETS)})")
    if records is None and is_compact(module):  # a compact design: backend/compact_outputs.py
        return compact_emit_text(module, target)
    design, evaluation = records or read_design(module)
    return EMITTERS[target](design, evaluation)


def write_outputs(result, outdir, *, hw_config_path=None, accelerator_path=None, pimcomp_path=None,
                  on_skip: Callable[[str, str], None] | None = None) -> list[Path]:
    """Write every output file of a synthesis run into `outdir`; return the paths written.

    design.mlir's text comes first (the design, its physical design, schedule, metrics, the
    hardware table and the search summary); every other file is emitted from the module
    parsed back from that text. All files are written at the end, through temporary files
    renamed into place (`pimsyn.files.write_files_atomic`). `accelerator_path` puts the accelerator JSON there instead
    (the reference's --output); `pimcomp_path` writes a copy of pimcomp.json there (the
    reference's --pimcomp). A target this installation cannot emit (`unavailable_targets`)
    is skipped and reported through `on_skip(file name, reason)`. When one emitter fails
    the others are still written, and the failure is raised afterwards (a user-level problem as one BackendError naming every
    file that failed; anything else, a bug, re-raised as it is).
    """
    from pimsyn.ir.context import parse_module
    from pimsyn.passes.pipeline import design_to_module_text

    outdir = check_output_dir(outdir)
    mlir_path = outdir / FILE_NAMES["mlir"]
    text = design_to_module_text(result.design, str(hw_config_path) if hw_config_path else None,
                                 search_summary(result))
    # Every file is emitted in memory first and written at the end, all at once (temporary
    # files renamed into place): an interrupted run leaves no file presented as complete.
    staged: list[tuple[Path, str]] = [(mlir_path, text)]
    records = read_design(parse_module(text, str(mlir_path)))
    destinations = {
        "accelerator-json": [Path(accelerator_path) if accelerator_path else outdir / FILE_NAMES["accelerator-json"]],
        "pimcomp": [outdir / FILE_NAMES["pimcomp"]] + ([Path(pimcomp_path)] if pimcomp_path else []),
    }
    failures: list[tuple[Path, BaseException]] = []
    skipped = unavailable_targets()
    for target, (subdir, _) in DIRECTORY_TARGETS.items():
        if target in skipped:
            for name in DIRECTORY_FILES[target] if on_skip is not None else ():
                on_skip(f"{subdir}/{name}", skipped[target])
            continue
        try:
            files = emit_directory(records[0].module, target, records)
            staged.extend((outdir / subdir / name, content) for name, content in files.items())
        except Exception as err:  # keep writing the other files; raised below
            failures.append((outdir / subdir, err))
    for target in TARGETS:
        if target in ON_REQUEST:
            continue
        paths = destinations.get(target, [outdir / FILE_NAMES[target]])
        if target in skipped:
            if on_skip is not None:
                on_skip(FILE_NAMES[target], skipped[target])
            continue
        try:
            content = emit_text(records[0].module, target, records)
            staged.extend((path, content) for path in paths)
        except Exception as err:  # keep writing the other files; raised below
            failures.append((paths[0], err))
    written = write_files_atomic(staged)
    if failures:
        bugs = [err for _, err in failures if not isinstance(err, (PimsynError, OSError))]
        if bugs:
            raise bugs[0]
        summary = "; ".join(f"{path.name}: {_first_line(err)}" for path, err in failures)
        raise BackendError(f"some outputs were not written ({summary})") from failures[0][1]
    return written


def check_output_paths(outdir, *, accelerator_path=None, pimcomp_path=None) -> None:
    """Check, before any work, that `write_outputs` can write every file it will write."""
    outdir = check_output_dir(outdir)
    for name in synth_file_names():
        check_output_file(outdir / name)
    if accelerator_path is not None:
        check_output_file(accelerator_path, "--output file")
    if pimcomp_path is not None:
        check_output_file(pimcomp_path, "--pimcomp file")


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]
