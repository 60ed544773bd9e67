"""`pimsyn synth` under an area or crossbar limit (docs/compact.md, "Compact synthesis"):
the options' checks, the choice between the PIMSYN flow and a compact design
(`dse/chip_limits.py`), and the compact design's run and files. `tools/commands.py` only
calls these."""

from __future__ import annotations

from pathlib import Path

from pimsyn.errors import PimsynError


def check_chip_options(total_power, area, max_crossbars, batch, dram_trace) -> tuple[int | None, int]:
    """A limit given, --max-crossbars and --batch checked, --dram-trace writable; before any work."""
    from pimsyn.dse.chip_limits import check_batch_option, check_max_crossbars
    from pimsyn.files import check_output_file

    if total_power is None and area is None and max_crossbars is None:
        raise PimsynError("give --total-power, --area-mm2 or --max-crossbars (or several)")
    if dram_trace:
        check_output_file(dram_trace, "--dram-trace file")
    return check_max_crossbars(max_crossbars), check_batch_option(batch)


def plan_chip_synthesis(net, hw, space, *, total_power, area, max_crossbars, dram, pimcomp_path=None):
    """The PIMSYN flow (with the budget and area limit it runs under) or a compact design."""
    from pimsyn.dse.chip_limits import ChipLimits, plan_synthesis

    plan = plan_synthesis(net, hw, ChipLimits(total_power, area, max_crossbars), space, dram)
    if plan.compact and pimcomp_path:
        raise PimsynError(f"--pimcomp: the weights of {net.name} do not fit on the chip; a compact design has no "
                          "PIMCOMP file")
    return plan


def note_for(plan, dram_trace=None) -> list[str]:
    """What the user should know about a PIMSYN-flow plan (the weights fit)."""
    notes = []
    if plan.derived_power:
        limit = f"{plan.area_mm2:.6g} mm²" + (f" and {plan.max_crossbars} crossbars" if plan.max_crossbars else "")
        notes.append(f"note: no --total-power: the DSE runs with {plan.total_power_w:.6g} W, the power envelope of "
                     f"the {limit} limit (docs/compact.md, 'Compact synthesis')")
    if dram_trace:
        notes.append(f"note: {dram_trace} not written: the weights fit on the chip, so there is no DRAM traffic "
                     "(--batch and --dram apply to compact designs only)")
    return notes


def synthesize_or_fall_back(net, hw, plan, options, note):
    """The PIMSYN flow's result; None when it finds no design within a chip limit although
    the limit's chip holds the weights (`plan.chip`, one part): the caller then writes the
    compact design of that chip, every weight resident (docs/compact.md)."""
    from pimsyn.dse.driver import ImpossibleBudgetError, synthesize

    try:
        return synthesize(net, hw, options, note=note)
    except ImpossibleBudgetError as err:
        if plan.chip is None:
            raise
        reason = str(err).split(":")[0]
        note(f"{reason}; the weights stay resident on {plan.chip.macros} {plan.chip.organisation.name} macros instead "
             "(a compact design of one part)")
        return None


def compact_synth(net, hw, plan, *, batch: int, seed: int, dram_trace: str | None, outdir, hw_config_path=None,
                  accelerator_path=None, area_mm2=None, max_crossbars=None, echo=print) -> list[Path]:
    """Synthesize and write the compact design (design.mlir first, every other file lowered
    from it, all written at once); echo the summary."""
    from pimsyn.backend.compact_outputs import compact_output_files
    from pimsyn.dse.compact_design import build_compact_design
    from pimsyn.dse.compact_ir import compact_design_to_module_text
    from pimsyn.files import check_output_dir, write_files_atomic
    from pimsyn.hw.dram import DramTrace, dram_spec

    outdir = check_output_dir(outdir)
    chip = plan.chip
    trace = DramTrace(dram_spec(chip.dram)) if dram_trace else None
    given_power = None if plan.derived_power else plan.total_power_w
    design = build_compact_design(net, hw, chip, batch, seed=seed, area_limit_mm2=area_mm2,
                                  max_crossbars=max_crossbars, total_power_w=given_power, trace=trace)
    text = compact_design_to_module_text(net, hw, design, str(hw_config_path) if hw_config_path else None)
    files = compact_output_files(text, outdir)
    if accelerator_path is not None:
        files = [(Path(accelerator_path) if path.name == "accelerator.json" else path, content)
                 for path, content in files]
    if trace is not None:
        files.append((Path(dram_trace), trace.csv_text()))
    written = write_files_atomic(files)
    m = design.metrics
    fit = "does not fit" if len(design.parts) > 1 else "stays resident"
    echo(f"compact design: {net.name} {fit} on {chip.macros} {chip.organisation.name} macros "
         f"({chip.macros * chip.macro_crossbars} crossbars, {design.chip.area_mm2:.4g} mm²): {len(design.parts)} part{'s' if len(design.parts) > 1 else ''}, "
         f"batch {batch}: {m['throughput_inferences_per_s']:.4g} inferences/s, {m['tops_per_w']:.4g} TOPS/W, "
         f"DRAM {100 * m['dram_energy_share']:.1f} % of the energy, {m['reloads_per_inference']:.4g} weight reloads "
         f"per inference; duplication per part: {', '.join(p.duplication.upper() for p in design.parts)}")
    return written
