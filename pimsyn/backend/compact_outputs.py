"""Every output file of a compact design (`pim.compact`), lowered from its design.mlir
alone (docs/compact.md, "Output files").

    design.mlir        the design (parts, resident weights, reload points, chip, batch)
    accelerator.json   one file: the chip, the batch, a "parts" list (per part its layers,
                       resident weights with both duplications, DRAM loads and stores),
                       the batch table and the metrics
    report.md          chip, metrics, batch table, parts with DDM vs SA, resident weights
    network.json       the network (PIMCOMP's wrapped form), as for every design
    netlist.json       the one physical chip (backend/compact_netlist.py)
    accelerator.v      the same chip as structural Verilog
    pimsim/part<k>/    pimsim-nn's program.json, arch.json, network.json of part k over the
                       batch (backend/compact_pimsim.py)

`pimsyn emit design.mlir --target T` writes the same bytes. The PIMCOMP files, the pimsim
listing (pimsim-asm) and report.html describe one resident mapping with its dataflow
schedule, which a compact design does not have: those targets fail with one line
(`BackendError`, exit 2).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pimsyn.backend.compact_netlist import compact_netlist_json_text, compact_verilog_text
from pimsyn.backend.compact_report import compact_report_markdown
from pimsyn.backend.compact_view import read_compact
from pimsyn.backend.errors import BackendError

#: target -> file name in synth's output directory
COMPACT_FILE_NAMES = {
    "accelerator-json": "accelerator.json",
    "report": "report.md",
    "network-json": "network.json",
    "netlist-json": "netlist.json",
    "verilog": "accelerator.v",
}
#: directory target -> subdirectory of synth's output
COMPACT_DIRECTORIES = {"pimsim": "pimsim"}
_UNSUPPORTED = ("pimcomp", "pimcomp-config", "pimsim-asm", "report-html", "report-figures")


def compact_accelerator_json(view) -> dict:
    d = view.design
    chip = asdict(d.chip)
    chip["area_mm2"] = d.chip.area_mm2
    parts = []
    for p in d.parts:
        parts.append({
            "index": p.index, "layers": list(p.layers), "duplication": p.duplication,
            "cycles_ddm": p.cycles_ddm, "cycles_sa": p.cycles_sa, "overlap": p.overlap, "macros": p.macros,
            "resident": [{"layer": s.layer, "rows": list(s.rows), "cols": list(s.cols), "crossbars": s.crossbars,
                          "dup": s.dup, "ddm": s.ddm, "sa": s.sa, "macros": s.macros, "split": not s.whole}
                         for s in p.slices],
            "dram_loads": [{"layer": x.layer, "kind": x.kind, "bytes": x.bytes,
                            **({"from_part": x.from_part, "into": x.into} if x.kind == "activations" else {})}
                           for x in p.loads],
            "dram_stores": [{"layer": x.layer, "kind": "activations", "bytes": x.bytes} for x in p.stores],
        })
    return {"mode": "compact", "network": d.name, "chip": chip, "batch": d.chip.batch, "parts": parts,
            "batch_table": [asdict(row) for row in d.batch_table], "metrics": dict(d.metrics)}


def _refuse(target: str) -> None:
    raise BackendError(f"--target {target}: a compact design (pim.compact) runs part by part with weight "
                       f"reloads, which {target} cannot describe; targets for it: "
                       f"{', '.join([*COMPACT_FILE_NAMES, *COMPACT_DIRECTORIES])}")


def compact_emit_directory(module, target: str, view=None) -> dict[str, str | bytes]:
    """The files of a directory target (name relative to the directory -> content)."""
    if target not in COMPACT_DIRECTORIES:
        _refuse(target)
    from pimsyn.backend.compact_pimsim import compact_pimsim_files

    return compact_pimsim_files(view or read_compact(module))


def compact_emit_text(module, target: str, view=None) -> str:
    """The text of one output file of the compact design in `module`."""
    if target in COMPACT_DIRECTORIES:
        raise BackendError(f"--target {target} writes a directory of files (pimsyn emit ... -o DIR)")
    if target in _UNSUPPORTED:
        _refuse(target)
    if target not in COMPACT_FILE_NAMES:
        raise BackendError(f"unknown output target '{target}' (a compact design has: {', '.join(COMPACT_FILE_NAMES)})")
    view = view or read_compact(module)
    if target == "accelerator-json":
        return json.dumps(compact_accelerator_json(view), indent=4, allow_nan=False) + "\n"
    if target == "report":
        return compact_report_markdown(view)
    if target == "network-json":
        from pimsyn.frontend.network_json_export import network_to_json

        return json.dumps(network_to_json(view.network), indent=2) + "\n"
    if target == "netlist-json":
        return compact_netlist_json_text(view)
    return compact_verilog_text(view)




def compact_output_files(mlir_text: str, outdir, mlir_name: str = "design.mlir") -> list[tuple[Path, str]]:
    """(path, text) of every output file: design.mlir's text first, then every other file
    emitted from the module parsed back from that text."""
    from pimsyn.ir.context import parse_module

    outdir = Path(outdir)
    module = parse_module(mlir_text, str(outdir / mlir_name))
    view = read_compact(module)
    files = [(outdir / mlir_name, mlir_text)]
    files += [(outdir / name, compact_emit_text(module, target, view)) for target, name in COMPACT_FILE_NAMES.items()]
    for target, subdir in COMPACT_DIRECTORIES.items():
        files += [(outdir / subdir / name, content)
                  for name, content in compact_emit_directory(module, target, view).items()]
    return files
