"""Synthesis under chip limits (docs/compact.md, "Compact synthesis"): the plan
(`plan_synthesis`: the PIMSYN flow with its budget, or a compact design) and the compact
design's result (`CompactResult`), for `pimsyn.synthesize` and `pimsyn synth`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def plan_synthesis(network, hardware, *, total_power_w=None, area_mm2=None, max_crossbars=None, space=None,
                   dram: str = "lpddr5"):
    """What `synthesize` will do with these limits (`dse/chip_limits.SynthesisPlan`): the
    PIMSYN flow with a power budget (given, or derived from the area / crossbar limit) and an
    area limit, or a compact design when the weights do not fit on the chip the limits allow."""
    from pimsyn.dse.chip_limits import ChipLimits, check_max_crossbars, plan_synthesis as plan
    from pimsyn.dse.space import DesignSpace
    from pimsyn.options import check_optional

    limits = ChipLimits(check_optional("total-power", total_power_w), check_optional("area-mm2", area_mm2),
                        check_max_crossbars(max_crossbars))
    return plan(network, hardware, limits, space or DesignSpace(), dram)


def plan_notes(plan) -> list[str]:
    """What a person should know about a plan for the PIMSYN flow."""
    if not plan.derived_power:
        return []
    limit = f"{plan.area_mm2:.6g} mm²" + (f" and {plan.max_crossbars} crossbars" if plan.max_crossbars else "")
    return [f"no power budget given: the DSE runs with {plan.total_power_w:.6g} W, the power envelope of the "
            f"{limit} limit (docs/compact.md, 'Compact synthesis')"]


@dataclass(frozen=True)
class CompactResult:
    """A compact design: the network runs part by part on a chip too small for its weights,
    reloading them from DRAM once per batch (docs/compact.md)."""

    design: object  # pimsyn.hw.compact_design.CompactDesign: chip, parts, batch table, metrics
    network: object
    hardware: object
    dram_trace: object = None  # pimsyn.hw.dram.DramTrace of one batch, when asked for

    @property
    def metrics(self) -> dict:
        """Metrics at the design's batch size: throughput, latency and energy per inference,
        TOPS/W, DRAM energy share, weight reloads per inference, area efficiency."""
        return dict(self.design.metrics)

    @property
    def batch_table(self) -> tuple:
        """The same metrics for batch sizes 1 ... 64 (and the design's)."""
        return self.design.batch_table

    def to_mlir(self, hardware_path: str | Path | None = None) -> str:
        from pimsyn.dse.compact_ir import compact_design_to_module_text

        return compact_design_to_module_text(self.network, self.hardware, self.design,
                                             str(hardware_path) if hardware_path else None)

    def write(self, outdir: str | Path, *, hardware_path: str | Path | None = None,
              accelerator_path: str | Path | None = None, dram_trace_path: str | Path | None = None) -> list[Path]:
        """design.mlir, then every file lowered from it (accelerator.json, report.md, the netlist,
        pimsim/part<k>/), and the DRAM trace CSV where asked; all written at once."""
        from pimsyn.backend.compact_outputs import compact_output_files
        from pimsyn.files import check_output_dir, write_files_atomic

        outdir = check_output_dir(outdir)
        files = compact_output_files(self.to_mlir(hardware_path), outdir)
        if accelerator_path is not None:
            files = [(Path(accelerator_path) if path.name == "accelerator.json" else path, content)
                     for path, content in files]
        if dram_trace_path is not None and self.dram_trace is not None:
            files.append((Path(dram_trace_path), self.dram_trace.csv_text()))
        return write_files_atomic(files)

    def summary(self) -> str:
        d, m = self.design, self.design.metrics
        chip = d.chip
        fit = "does not fit" if len(d.parts) > 1 else "stays resident"
        parts = f"{len(d.parts)} part{'s' if len(d.parts) > 1 else ''}"
        return (f"compact design: {d.name} {fit} on {chip.macros} {chip.organisation} macros "
                f"({chip.macros * chip.macro_crossbars} crossbars, {chip.area_mm2:.4g} mm²): "
                f"{parts}, batch {chip.batch}: {m['throughput_inferences_per_s']:.4g} inferences/s, "
                f"{m['tops_per_w']:.4g} TOPS/W, DRAM {100 * m['dram_energy_share']:.1f} % of the energy, "
                f"{m['reloads_per_inference']:.4g} weight reloads per inference; duplication per part: "
                f"{', '.join(p.duplication.upper() for p in d.parts)}")


def compact_result(network, hardware, plan, *, batch: int, seed: int, record_dram_trace: bool = False,
                   area_mm2=None, max_crossbars=None) -> CompactResult:
    """Build the compact design of `plan.chip` for a batch of `batch` inputs."""
    from pimsyn.dse.compact_design import build_compact_design
    from pimsyn.hw.dram import DramTrace, dram_spec

    chip = plan.chip
    trace = DramTrace(dram_spec(chip.dram)) if record_dram_trace else None
    given_power = None if plan.derived_power else plan.total_power_w
    design = build_compact_design(network, hardware, chip, batch, seed=seed, area_limit_mm2=area_mm2,
                                  max_crossbars=max_crossbars, total_power_w=given_power, trace=trace)
    return CompactResult(design=design, network=network, hardware=hardware, dram_trace=trace)
