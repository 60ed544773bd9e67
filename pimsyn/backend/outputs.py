"""Every output file of a design: one text per target, and the whole output directory.

Targets (`pimsyn emit --target`): accelerator-json (spec 6, plus metrics), pimcomp (the
reference's small PIMCOMP file), pimcomp-config (a PIMCOMP-NN config.json), network-json
(the network in PIMCOMP's wrapped form), report (Markdown), mlir (the design as IR, which
`pimsyn emit` reads back).

Unlike the reference, the PIMCOMP file is written in both macro modes (specified mode
takes the largest per-layer macro size, see `pimsyn.backend.pimcomp`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pimsyn.backend.accelerator_json import accelerator_json_text
from pimsyn.backend.errors import BackendError
from pimsyn.backend.pimcomp import pimcomp_config_json_text, pimcomp_json_text
from pimsyn.backend.report import report_for_design, report_markdown
from pimsyn.frontend.network_json_export import network_to_json
from pimsyn.tools.errors import PimsynError

TARGETS = ("accelerator-json", "pimcomp", "pimcomp-config", "network-json", "report", "mlir")
#: File name of each target in the output directory of `pimsyn synth`.
FILE_NAMES = {
    "mlir": "design.mlir",
    "accelerator-json": "accelerator.json",
    "pimcomp": "pimcomp.json",
    "pimcomp-config": "pimcomp-config.json",
    "network-json": "network.json",
    "report": "report.md",
}


def _mlir_text(design, evaluation=None, hw_config_path=None) -> str:
    from pimsyn.passes.design_state import design_to_module_text  # the IR side; imported on demand

    return design_to_module_text(design, evaluation, str(hw_config_path) if hw_config_path else None)


def network_json_text(design) -> str:
    return json.dumps(network_to_json(design.network), indent=2) + "\n"


def emit_text(design, target: str, *, evaluation=None, hw_config_path=None) -> str:
    """The text of one output file of `design` (evaluated here unless `evaluation` is given;
    `hw_config_path` is the hardware file the design was made with, recorded in the IR and
    the report)."""
    if target not in TARGETS:
        raise BackendError(f"unknown output target '{target}' (expected one of {', '.join(TARGETS)})")
    if target == "mlir":
        return _mlir_text(design, evaluation, hw_config_path)
    if target == "network-json":
        return network_json_text(design)
    if evaluation is None:
        evaluation = design.evaluate()
    if target == "accelerator-json":
        return accelerator_json_text(design, evaluation)
    if target == "pimcomp":
        return pimcomp_json_text(design, evaluation)
    if target == "pimcomp-config":
        return pimcomp_config_json_text(design, evaluation)
    return report_for_design(design, evaluation, hw_config_path=hw_config_path)


def write_outputs(result, outdir, *, hw_config_path=None, accelerator_path=None, pimcomp_path=None) -> list[Path]:
    """Write every output file of a synthesis run into `outdir`; return the paths written.

    `accelerator_path` puts the accelerator JSON there instead (the reference's --output);
    `pimcomp_path` writes a copy of pimcomp.json there (the reference's --pimcomp). Each file
    is written as soon as it is ready: when one emitter fails, the others are still written,
    and the failure is raised afterwards (a user-level problem as one BackendError naming
    every file that failed; anything else, a bug, re-raised as it is).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    design, evaluation = result.design, result.evaluation
    jobs: list[tuple[list[Path], Callable[[], str]]] = [
        ([outdir / FILE_NAMES["mlir"]], lambda: _mlir_text(design, evaluation, hw_config_path)),
        ([Path(accelerator_path) if accelerator_path else outdir / FILE_NAMES["accelerator-json"]],
         lambda: accelerator_json_text(design, evaluation)),
        ([outdir / FILE_NAMES["pimcomp"]] + ([Path(pimcomp_path)] if pimcomp_path else []),
         lambda: pimcomp_json_text(design, evaluation)),
        ([outdir / FILE_NAMES["pimcomp-config"]], lambda: pimcomp_config_json_text(design, evaluation)),
        ([outdir / FILE_NAMES["network-json"]], lambda: network_json_text(design)),
        ([outdir / FILE_NAMES["report"]], lambda: report_markdown(result, hw_config_path=hw_config_path)),
    ]
    written: list[Path] = []
    failures: list[tuple[Path, BaseException]] = []
    for paths, make_text in jobs:
        try:
            text = make_text()
            for path in paths:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                written.append(path)
        except Exception as err:  # keep writing the other files; raised below
            failures.append((paths[0], err))
    if failures:
        bugs = [err for _, err in failures if not isinstance(err, (PimsynError, OSError))]
        if bugs:
            raise bugs[0]
        summary = "; ".join(f"{path.name}: {_first_line(err)}" for path, err in failures)
        raise BackendError(f"some outputs were not written ({summary})") from failures[0][1]
    return written


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]
