"""report.html: the synthesis report with pictures, one self-contained page.

Lowered from design.mlir alone, like every backend (`pimsyn.backend.design_view`): the
title, the key metrics and the design point, five figures (each embedded as a
`data:image/png;base64` image, with a one-sentence caption saying how to read it), then
report.md's tables. No external resource: no script, no web font, no link to fetch.
`pimsyn synth` also writes the figures as PNG files beside it (`figures/*.png`, the same
bytes as the embedded images); `pimsyn emit --target report-html` writes the page.

The figures (docs/report.md): the macro floorplan (`figures_floorplan`), power and energy
per component (`figures_energy`), per-layer resources (`figures_layers`), the pipeline
Gantt of one simulated inference (`figures_gantt`) and the search's convergence
(`figures_convergence`). matplotlib draws them (imported lazily; without it the page
cannot be drawn and `pimsyn synth` skips it, `unavailable_targets`).
"""

from __future__ import annotations

import base64
import html
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

from pimsyn.backend.errors import BackendError


@dataclass(frozen=True)
class FigureSpec:
    key: str
    file: str  # name in the figures/ folder
    title: str
    caption: str  # one sentence: how to read it
    draw: Callable  # (design, evaluation) -> matplotlib Figure
    needs_search: bool = False


def _specs() -> tuple[FigureSpec, ...]:
    from pimsyn.backend.figures_convergence import convergence_figure
    from pimsyn.backend.figures_energy import energy_figure
    from pimsyn.backend.figures_floorplan import floorplan_figure
    from pimsyn.backend.figures_gantt import gantt_figure
    from pimsyn.backend.figures_layers import layers_figure

    return (
        FigureSpec("floorplan", FIGURE_FILES[0], "Macro floorplan",
                   "Each square is a macro at its place on the mesh (row 0 at the top), coloured and, on meshes "
                   "up to 12 x 12, labelled by the layer whose crossbars it holds; a square with a thick outline "
                   "split along its diagonal into two colours is shared by two layers (top-left: the one with "
                   "more crossbars on it).", floorplan_figure),
        FigureSpec("energy", FIGURE_FILES[1], "Power and energy per component",
                   "Left, each slice is a component's share of the average power (its energy per inference divided "
                   "by the latency, small shares merged into 'other'); right, each bar is the component's energy per "
                   "inference, split into static energy (leakage over the latency) and dynamic energy (per "
                   "operation).", energy_figure),
        FigureSpec("layers", FIGURE_FILES[2], "Per-layer resources",
                   "One bar per layer in network order, read top to bottom: the copies of its weights "
                   "(duplication, log scale when large), its macros, its ADCs and the share of the pipeline period "
                   "it is busy, where a layer near 100 % is the one that sets the throughput.", layers_figure),
        FigureSpec("pipeline", FIGURE_FILES[3], "Pipeline of one inference",
                   "One row per layer in dataflow order with time to the right, from the built-in simulator: dark "
                   "segments are when at least one of the layer's operations is running and the light bar spans "
                   "its first start to its last end, so rows that overlap in time are layers working in parallel "
                   "and the dashed line is the cost model's latency.", gantt_figure),
        FigureSpec("convergence", FIGURE_FILES[4], "Design-space exploration",
                   "The best effective power efficiency found so far against the candidate designs evaluated (left) "
                   "and against the wall time (right), one dot per finished search task; a curve that is flat long "
                   "before the end means more --effort is unlikely to find a better design.", convergence_figure,
                   needs_search=True),
    )


#: the PNG files of the figures, in page order (synth writes them to figures/)
FIGURE_FILES = ("floorplan.png", "power-energy.png", "layers.png", "pipeline.png", "convergence.png")
FIGURE_DIR = "figures"

# One rendering per design: synth asks for the page and for the PNG files of the same
# records; the second call reuses the first one's images.
_LAST: list = []


def rendered_figures(design, evaluation) -> list[tuple[FigureSpec, bytes]]:
    """(spec, PNG bytes) of every figure the design has: none for an infeasible design, no
    convergence figure for a design.mlir without a search summary."""
    from pimsyn.backend import figures_common

    reason = figures_common.matplotlib_missing()
    if reason:
        raise BackendError(f"report.html cannot be drawn: {reason}")
    if _LAST and _LAST[0] is design and _LAST[1] is evaluation:
        return _LAST[2]
    from pimsyn.backend.figures_common import png_bytes, style_rc
    import matplotlib

    out = []
    with matplotlib.rc_context(style_rc()):
        for spec in _specs():
            if spec.needs_search and not evaluation.search:
                continue
            if not spec.needs_search and not evaluation.feasible:
                continue
            out.append((spec, png_bytes(spec.draw(design, evaluation))))
    _LAST[:] = [design, evaluation, out]
    return out


def report_figure_files(design, evaluation) -> dict[str, bytes]:
    """The figures as PNG files (file name -> bytes), the images report.html embeds."""
    return {spec.file: data for spec, data in rendered_figures(design, evaluation)}


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise BackendError("not a PNG image")
    return struct.unpack(">II", data[16:24])


def report_html_text(design, evaluation) -> str:
    """The page (text of report.html)."""
    from pimsyn.backend.figures_common import layer_style
    from pimsyn.backend.report import report_markdown

    figures = rendered_figures(design, evaluation)
    sections = _sections(report_markdown(design, evaluation))
    labels = layer_style(evaluation).labels
    title = f"PIMSYN accelerator for {design.name}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>", "<main>",
        f"<h1>{_esc(title)}</h1>",
    ]
    point = sections.get("Design point", [])
    if point and point[0].strip():
        parts.append(f'<p class="point">{_inline(point[0])}</p>')
    if evaluation.feasible:
        e = evaluation
        cards = (("effective power efficiency", f"{e.power_efficiency_gops_per_w:.1f}", "GOPS/W"),
                 ("throughput", f"{e.throughput_inferences_per_s:,.0f}", "inferences/s"),
                 ("latency", f"{e.latency_ns / 1e3:.1f}", "µs per inference"),
                 ("energy", f"{e.energy_per_inference_nj / 1e3:,.0f}", "µJ per inference"),
                 ("average power", f"{e.average_power_w:.2f}", f"W of a {design.total_power_w:g} W budget"),
                 ("chip", f"{e.total_macros}", f"macros on a {e.mesh_rows} x {e.mesh_cols} mesh"))
        parts.append('<div class="cards">' + "".join(
            f'<div><span class="what">{_esc(what)}</span><span class="big">{_esc(value)}</span>'
            f'<span class="unit">{_esc(unit)}</span></div>' for what, value, unit in cards) + "</div>")
    parts.append('<div class="summary">')
    for name, heading in (("Metrics", "Key metrics"), ("Design point", "Design point"), ("Result", "Result")):
        if name in sections:
            body = sections[name][1:] if name == "Design point" else sections[name]
            parts.append(f"<section><h2>{_esc(heading)}</h2>{_markdown_html(body)}</section>")
    parts.append("</div>")
    if figures:
        parts.append("<h2>Figures</h2>")
        parts.append("<ol class=\"toc\">" + "".join(
            f'<li><a href="#fig-{spec.key}">{_esc(spec.title)}</a></li>' for spec, _ in figures) + "</ol>")
    for number, (spec, data) in enumerate(figures, 1):
        width, height = png_size(data)
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(
            f'<figure id="fig-{spec.key}"><img src="data:image/png;base64,{encoded}" width="{width}" '
            f'height="{height}" alt="Figure {number}: {_esc(spec.title)}">'
            f"<figcaption><b>Figure {number}. {_esc(spec.title)}.</b> {_esc(spec.caption)} "
            f'<span class="file">({FIGURE_DIR}/{spec.file})</span></figcaption></figure>')
    for name, body in sections.items():
        if name in ("Design point", "Metrics", "Result", ""):
            continue
        fold = "every combination of the outer loop" if name == "Design-space exploration" else None
        content = _markdown_html(body, labels if name == "Layers" else None, fold)
        parts.append(f"<section><h2>{_esc(name)}</h2>{content}</section>")
    parts += ["<footer>Written by pimsyn from design.mlir (<code>pimsyn emit design.mlir --target report-html"
              "</code>); the same report as text: report.md.</footer>", "</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


_CSS = (
    "body{margin:0;background:#f4f5f7;color:#1d1f23;font:15px/1.45 system-ui,-apple-system,'Segoe UI',"
    "Roboto,'DejaVu Sans',sans-serif}"
    "main{max-width:1240px;margin:0 auto;padding:24px 28px 40px;background:#fff}"
    "h1{font-size:28px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 10px;border-bottom:1px solid #ddd;"
    "padding-bottom:4px}p.point{color:#444;margin:0 0 12px}"
    ".cards{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:10px;margin:14px 0 6px}"
    ".cards div{background:#f0f4fa;border:1px solid #d5deea;border-radius:6px;padding:8px 10px}"
    ".cards span{display:block}.cards .what{font-size:12.5px;color:#4a5563}"
    ".cards .big{font-size:22px;font-weight:600;margin:2px 0}.cards .unit{font-size:12.5px;color:#4a5563}"
    ".summary{display:grid;grid-template-columns:minmax(0,1.25fr) minmax(0,1fr);gap:28px}"
    ".summary h2{margin-top:12px}.summary td:first-child{white-space:nowrap}"
    "table{border-collapse:collapse;font-size:13.5px;margin:6px 0}th,td{border:1px solid #d9dce1;"
    "padding:3px 8px;text-align:left;vertical-align:top}th{background:#eef0f3}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}tr:nth-child(even) td{background:#fafbfc}"
    "figure{margin:18px 0 26px}figure img{max-width:100%;height:auto;display:block;border:1px solid #e3e5e8}"
    "figcaption{font-size:14px;color:#333;margin-top:6px;max-width:1000px}span.file{color:#777}"
    "ol.toc{columns:2;margin:4px 0}details summary{cursor:pointer;color:#333}"
    "footer{margin-top:32px;color:#666;font-size:13px}code{font-size:13px}"
    "@media (max-width:900px){.summary{grid-template-columns:1fr}.cards{grid-template-columns:repeat(3,1fr)}}"
)


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _inline(text: str) -> str:
    """Markdown inline: **bold** only (report.md uses nothing else)."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", _esc(text))


def _sections(markdown: str) -> dict[str, list[str]]:
    """report.md split at its `## ` headings: heading -> body lines (the title dropped)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif line.startswith("# "):
            continue
        else:
            sections.setdefault(current, []).append(line)
    for body in sections.values():
        while body and not body[0].strip():
            body.pop(0)
    return sections


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _markdown_html(lines: list[str], labels: dict[str, str] | None = None, fold: str | None = None) -> str:
    """report.md's block syntax as HTML: pipe tables (right-aligned columns as in the
    Markdown), `- ` lists and paragraphs. `labels` adds the figures' short label of each
    layer to a table whose first column is the layer name; `fold` folds the tables under
    that summary (`<details>`)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            table = _table_html(block, labels)
            if fold:
                table = f"<details><summary>{_esc(fold)} ({len(block) - 2} rows)</summary>{table}</details>"
            out.append(table)
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{_inline(lines[i][2:])}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
        elif line.strip():
            para = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("|", "- ")):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline(' '.join(para))}</p>")
        else:
            i += 1
    return "\n".join(out)


def _table_html(block: list[str], labels: dict[str, str] | None) -> str:
    header = _cells(block[0])
    rule = _cells(block[1]) if len(block) > 1 else []
    right = [cell.endswith(":") for cell in rule] + [False] * len(header)
    rows = [_cells(line) for line in block[2:]]
    if labels is not None and header and header[0] == "layer":
        header = ["label", *header]
        right = [False, *right]
        rows = [[labels.get(row[0], ""), *row] for row in rows]
    head = "".join(f"<th>{_inline(cell)}</th>" for cell in header)
    cls = ['<td class="num">' if flag else "<td>" for flag in right]
    body = "".join("<tr>" + "".join(f"{cls[j]}{_inline(cell)}</td>" for j, cell in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
