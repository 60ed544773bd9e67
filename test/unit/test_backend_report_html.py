"""report.html (pimsyn.backend.report_html): a self-contained page whose figures are embedded
PNGs that decode, with captions, no external resource, the same bytes from `pimsyn emit`
as from synth's writer, the DSE curve recorded in design.mlir, and (where Chromium is
installed) a page that renders to a non-blank screenshot."""

from __future__ import annotations

import base64
import io
import shutil
import struct
import subprocess
from functools import lru_cache
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner
from design_points import POINTS, fixed_design

import pimsyn.backend.figures_common as figures_common
import pimsyn.backend.outputs as outputs
from pimsyn.backend.design_view import read_design
from pimsyn.backend.errors import BackendError
from pimsyn.backend.figures_convergence import MAX_POINTS, thin_curve
from pimsyn.backend.outputs import emit_text, write_outputs
from pimsyn.backend.report_html import FIGURE_DIR, FIGURE_FILES
from pimsyn.dse.result import ComboOutcome, SynthesisOptions, SynthesisResult
from pimsyn.ir.context import read_module
from pimsyn.tools.cli import main

pytest.importorskip("matplotlib", reason="report.html needs matplotlib (pip extra 'plot')")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALEXNET = POINTS[0]  # specified macros, conv4 sharing macros with fc3


def _curve(tasks: int = 400) -> tuple:
    """A DSE progress curve like the driver's: (seconds, evaluations before the task, best)."""
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 30, tasks)
    done = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    best = np.maximum.accumulate(np.where(rng.random(tasks) < 0.1, rng.uniform(0, 700, tasks), 0.0))
    return tuple((0.05 * (i + 1), int(d), float(b)) for i, (d, b) in enumerate(zip(done, best))), int(sizes.sum())


@lru_cache(maxsize=None)
def _result() -> SynthesisResult:
    design = fixed_design(*ALEXNET)
    evaluation = design.evaluate()
    curve, total = _curve()
    outcome = ComboOutcome(index=0, rram_ratio=0.3, cell_res=2, xbar_size=256, status="explored", crossbars=12250,
                           best_gops_per_w=evaluation.power_efficiency_gops_per_w, best_dac_res=1, finalist=True)
    return SynthesisResult(design=design, evaluation=evaluation, outcomes=(outcome,),
                           options=SynthesisOptions(total_power_w=ALEXNET[1], macro_setting=ALEXNET[4]),
                           evaluations=total, wall_seconds=20.0, progress_curve=curve)


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    """synth's outputs of the AlexNet design (write_outputs, what `pimsyn synth` calls)."""
    out = tmp_path_factory.mktemp("synth")
    write_outputs(_result(), out)
    return out


class _Page(HTMLParser):
    """Every tag with its attributes, the figures' images and captions."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.figures: list[dict] = []
        self._in_caption = False
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "figure":
            self.figures.append({"id": attrs.get("id"), "imgs": [], "caption": ""})
        elif tag == "img" and self.figures:
            self.figures[-1]["imgs"].append(attrs)
        elif tag == "figcaption":
            self._in_caption = True
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in_caption = False
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_caption:
            self.figures[-1]["caption"] += data
        if self._in_style:
            self.styles.append(data)


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _png(src: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix), src[:40]
    return base64.b64decode(src[len(prefix):], validate=True)


def test_every_figure_is_an_embedded_png_that_decodes(synth_dir):
    from matplotlib.image import imread

    page = _page((synth_dir / "report.html").read_text())
    assert [f["id"] for f in page.figures] == [f"fig-{k}" for k in
                                              ("floorplan", "energy", "layers", "pipeline", "convergence")]
    images = [img for _, img in ((t, a) for t, a in page.tags if t == "img")]
    assert len(images) == len(FIGURE_FILES) == 5
    for figure in page.figures:
        assert len(figure["imgs"]) == 1
        img = figure["imgs"][0]
        data = _png(img["src"])
        assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
        width, height = struct.unpack(">II", data[16:24])
        assert width > 300 and height > 200
        assert (int(img["width"]), int(img["height"])) == (width, height)
        pixels = imread(io.BytesIO(data), format="png")
        assert pixels.shape[:2] == (height, width)
        assert pixels[..., :3].std() > 0.05, f"{figure['id']} is blank"
        assert img["alt"].startswith("Figure ")


def test_every_figure_has_a_caption_that_says_how_to_read_it(synth_dir):
    page = _page((synth_dir / "report.html").read_text())
    for number, (figure, name) in enumerate(zip(page.figures, FIGURE_FILES), 1):
        caption = " ".join(figure["caption"].split())
        assert caption.startswith(f"Figure {number}. ") and caption.endswith(f"({FIGURE_DIR}/{name})"), caption
        title, _, sentence = caption[:-len(f"({FIGURE_DIR}/{name})")].strip().partition(". ")[2].partition(". ")
        assert title and sentence.endswith(".") and len(sentence) > 80, caption  # "Title. One sentence."
        assert sentence.count(". ") == 0, caption  # one sentence


def test_no_external_resources(synth_dir):
    text = (synth_dir / "report.html").read_text()
    page = _page(text)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "iframe", "object", "embed", "video", "audio", "source"}
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "poster", "action", "data"):
            value = (attrs.get(name) or "").strip().lower()
            if not value:
                continue
            assert not value.startswith(("http:", "https:", "//", "file:", "ftp:")), (tag, name, value[:60])
            assert value.startswith(("data:image/png;base64,", "#")), (tag, name, value[:60])
    css = "".join(page.styles)
    assert css and "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "http://" not in text and "https://" not in text


def test_emit_writes_the_bytes_synth_wrote_and_the_pngs_are_the_embedded_images(synth_dir, tmp_path):
    out = tmp_path / "emitted.html"
    result = CliRunner().invoke(main, ["emit", str(synth_dir / "design.mlir"), "--target", "report-html",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = (synth_dir / "report.html").read_bytes()
    assert out.read_bytes() == written  # a second rendering, from design.mlir alone
    embedded = [_png(f["imgs"][0]["src"]) for f in _page(written.decode()).figures]
    assert embedded == [(synth_dir / FIGURE_DIR / name).read_bytes() for name in FIGURE_FILES]


def test_the_page_has_the_title_the_key_metrics_and_the_tables(synth_dir):
    text = (synth_dir / "report.html").read_text()
    evaluation = _result().evaluation
    assert "<title>PIMSYN accelerator for alexnet</title>" in text
    assert f"{evaluation.power_efficiency_gops_per_w:.3f}" in text and "GOPS/W" in text
    assert f"{evaluation.throughput_inferences_per_s:.2f}" in text and "inferences/s" in text
    for heading in ("Key metrics", "Design point", "Layers", "Energy and power per inference",
                    "Design-space exploration"):
        assert f"<h2>{heading}</h2>" in text, heading
    # the layer table carries the figures' short labels next to the layer names
    assert "<td>conv1</td><td>/features/features.0/Conv_output_0</td>" in text


def test_the_convergence_curve_is_recorded_compactly_in_design_mlir(synth_dir):
    result = _result()
    _, evaluation = read_design(read_module(str(synth_dir / "design.mlir")))
    curve = evaluation.search["convergence"]
    assert curve == thin_curve(result.progress_curve, result.evaluations)
    assert 2 < len(curve["evaluations"]) <= MAX_POINTS < len(result.progress_curve)
    assert curve["evaluations"][-1] == result.evaluations
    assert curve["best_gops_per_w"][-1] == pytest.approx(result.progress_curve[-1][2], abs=1e-4)
    assert all(np.diff(curve["evaluations"]) >= 0) and all(np.diff(curve["best_gops_per_w"]) >= 0)
    assert all(np.diff(curve["seconds"]) >= 0)


def test_thin_curve_shifts_evaluations_and_keeps_improvements():
    # a point's evaluations are the next point's "before" count; the last one's the total
    assert thin_curve([(0.1, 0, 10.0), (0.2, 5, 10.0), (0.3, 9, 20.0)], 12) == {
        "seconds": [0.1, 0.2, 0.3], "evaluations": [5, 9, 12], "best_gops_per_w": [10.0, 10.0, 20.0]}
    assert thin_curve([], 0) == {} and thin_curve([(0.1, 5.0)], 5) == {}  # none / an old 2-tuple curve
    points = [(i / 10, i * 3, float(i // 50)) for i in range(5000)]  # 99 improvements
    curve = thin_curve(points, 15000, limit=120)
    assert len(curve["seconds"]) <= 120
    improved = {i * 50 for i in range(1, 100)}
    kept = {round(s * 10) for s in curve["seconds"]}
    assert improved <= kept and {0, 4999} <= kept
    every = thin_curve([(i, i, float(i)) for i in range(1000)], 1000, limit=50)  # improves at every task
    assert len(every["seconds"]) == 50 and every["best_gops_per_w"][-1] == 999.0


def test_floorplan_marks_every_shared_macro():
    from pimsyn.backend.figures_floorplan import floorplan_figure, macro_owners
    from pimsyn.ir.physical import chip_of

    design, evaluation = _records()
    rows, cols, owners = macro_owners(design)
    chip = chip_of(design.module)
    shared = {m.macro_id for m in chip.macro_ops() if len(m.layer_names) == 2}
    assert shared, "the test design shares macros"
    assert {macro for macro, (_, _, other) in owners.items() if other} == shared
    assert {macro: pos for macro, (pos, _, _) in owners.items()} == {m.macro_id: m.position
                                                                     for m in chip.macro_ops()}
    fig = floorplan_figure(design, evaluation)
    outlined = [c for c in fig.axes[0].collections if float(np.max(c.get_linewidths())) > 2]
    assert len(outlined) == 1 and len(outlined[0].get_paths()) == len(shared)


def test_component_energies_add_up_to_the_energy_per_inference():
    from pimsyn.backend.figures_energy import component_energies

    _, evaluation = _records()
    rows = component_energies(evaluation)
    assert sum(r.total_nj for r in rows) == pytest.approx(evaluation.energy_per_inference_nj, rel=1e-9)
    assert {"ADC", "DAC", "crossbars", "scratchpad", "NoC"} <= {r.name for r in rows}
    assert [r.total_nj for r in rows] == sorted((r.total_nj for r in rows), reverse=True)


def test_gantt_rows_are_the_simulated_layers():
    from pimsyn.backend.figures_gantt import timeline

    design, evaluation = _records()
    data = timeline(design)
    assert [row.name for row in data.layers] == [layer.name for layer in evaluation.layers]
    for row in data.layers:
        assert row.busy and row.first == row.busy[0][0] and row.last == row.busy[-1][0] + row.busy[-1][1]
        assert all(a[0] + a[1] < b[0] for a, b in zip(row.busy, row.busy[1:]))  # disjoint, ordered
    assert max(row.last for row in data.layers) == data.finish


def test_gantt_says_why_when_the_design_cannot_be_simulated(monkeypatch):
    import pimsyn.backend.figures_gantt as gantt
    from pimsyn.sim.errors import SimError

    def unrolled(design):
        raise SimError("the design's pim.dataflow is unrolled")

    monkeypatch.setattr(gantt, "timeline", unrolled)
    fig = gantt.gantt_figure(*_records())
    assert [t.get_text() for t in fig.texts] == ["no pipeline chart: the design's pim.dataflow is unrolled"]


@lru_cache(maxsize=None)
def _records():
    from pimsyn.ir.context import parse_module, print_module
    from pimsyn.passes.pipeline import design_to_module

    return read_design(parse_module(print_module(design_to_module(fixed_design(*ALEXNET)))))


def test_without_matplotlib_synth_skips_the_page_and_emit_says_so_in_one_line(tmp_path, monkeypatch):
    reason = "matplotlib is not installed (pip install 'pimsyn[plot]')"
    monkeypatch.setattr(figures_common, "matplotlib_missing", lambda: reason)
    assert outputs.unavailable_targets()["report-html"] == reason
    # the slow emitters are not what this test is about
    for target in ("verilog", "netlist-json", "pimcomp-config"):
        monkeypatch.setitem(outputs.EMITTERS, target, lambda design, evaluation: "stub\n")
    monkeypatch.setitem(outputs.DIRECTORY_TARGETS, "pimsim",
                        ("pimsim", lambda d, e: {n: "{}\n" for n in outputs.DIRECTORY_FILES["pimsim"]}))
    skipped: dict[str, str] = {}
    paths = write_outputs(_result(), tmp_path, on_skip=lambda name, why: skipped.setdefault(name, why))
    written = sorted(str(p.relative_to(tmp_path)) for p in paths)
    assert sorted(written + list(skipped)) == sorted(outputs.synth_file_names())
    assert {"report.html", *(f"{FIGURE_DIR}/{name}" for name in FIGURE_FILES)} <= set(skipped)
    assert set(skipped.values()) >= {reason}
    assert not (tmp_path / "report.html").exists() and not (tmp_path / FIGURE_DIR).exists()
    with pytest.raises(BackendError, match="matplotlib is not installed"):
        emit_text(read_module(str(tmp_path / "design.mlir")), "report-html")
    result = CliRunner().invoke(main, ["emit", str(tmp_path / "design.mlir"), "--target", "report-html"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "matplotlib is not installed" in result.output


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="chromium is not installed (Debian package 'chromium'; `make chromium` as root)")
def test_chromium_renders_the_page_to_a_non_blank_screenshot(synth_dir, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "page.png"
    run = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={shot}",
         "--window-size=1280,4000", (synth_dir / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.exists(), run.stderr[-2000:]
    pixels = imread(str(shot))
    assert pixels.shape[:2] == (4000, 1280)
    assert pixels[..., :3].std() > 0.1, "the screenshot is blank"
    # the figures are drawn: rows far down the page (where the figures are) are not blank either
    assert pixels[1500:3500, :, :3].std() > 0.1
