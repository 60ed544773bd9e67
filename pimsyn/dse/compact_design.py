"""The compact design of a network whose weights do not fit on the chip (docs/compact.md,
"Compact synthesis"): parts, both duplications per part, the one kept for the batch, the
DRAM loads and stores between parts, and the metrics across batch sizes.

Everything comes from the compact-chip model (`hw/compact.py`, `hw/compact_eval.py`) and
the duplication choice of `dse/compact.py`; this module only gathers it into the records
of `hw/compact_design.py` that design.mlir holds.
"""

from __future__ import annotations

from pimsyn.dse.compact import CompactPlan, evaluate_compact, part_duplications
from pimsyn.hw.compact import CompactError
from pimsyn.hw.compact_design import (
    BatchRow, CompactChipRecord, CompactDesign, DramLoad, DramStore, PartRecord, ResidentSlice,
)
from pimsyn.hw.compact_eval import (
    CompactChip, consumer_lists, evaluate_batch, part_activations, part_time_cycles, reload_overlaps, tile_area_mm2,
)

#: `pimsyn synth --batch` default: large enough that the weight reloads of a few parts
#: amortise (docs/compact.md), small enough for a latency of a few batches' inputs
DEFAULT_BATCH = 16
#: batch sizes of the design's batch table (the design's own batch is added)
TABLE_BATCHES = (1, 2, 4, 8, 16, 32, 64)


def check_batch(batch) -> int:
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise CompactError(f"--batch must be a whole number >= 1, got {batch!r}")
    return batch


def build_compact_design(net, hw, chip: CompactChip, batch: int = DEFAULT_BATCH, *, seed: int = 1,
                         area_limit_mm2: float | None = None, max_crossbars: int | None = None,
                         total_power_w: float | None = None, trace=None) -> CompactDesign:
    """The compact design of `net` on `chip` for a batch of `batch` inputs; `trace` (a
    `hw.dram.DramTrace`) records the DRAM transfers of that batch."""
    from pimsyn.hw import cost_network

    batch = check_batch(batch)
    org = chip.organisation
    cnet = cost_network(net, hw, org.xbar_size, org.cell_res)
    plan = CompactPlan(cnet, chip, seed)
    ddm, sa = plan.candidates("ddm"), plan.candidates("sa")
    chosen = part_duplications(plan, hw, batch, "best")
    result = evaluate_batch(cnet, hw, chip, batch, dups=chosen, trace=trace)
    tile = tile_area_mm2(hw, org)
    if total_power_w is not None:
        power = sum(result.energy_nj.values()) / result.time_ns
        if power > total_power_w:
            raise CompactError(f"the compact chip of {chip.macros} macros draws {power:.4g} W on average at batch "
                               f"{batch}, more than --total-power {total_power_w:g}; give a smaller chip "
                               f"(--area-mm2 / --max-crossbars)")
    parts = _part_records(net, cnet, hw, chip, plan, ddm, sa, chosen, batch)
    rows = []
    for n in sorted(set(TABLE_BATCHES) | {batch}):
        best = result if n == batch else evaluate_compact(cnet, hw, chip, n, plan=plan)
        only_ddm = evaluate_compact(cnet, hw, chip, n, duplication="ddm", plan=plan)
        only_sa = evaluate_compact(cnet, hw, chip, n, duplication="sa", plan=plan)
        rows.append(BatchRow(
            batch=n, throughput_inferences_per_s=best.throughput_inferences_per_s, latency_ns=best.time_ns,
            energy_per_inference_nj=best.energy_per_inference_nj, tops_per_w=best.tops_per_w,
            dram_energy_share=best.dram_energy_share, reloads_per_inference=best.reloads_per_inference,
            gops_per_mm2=best.throughput_inferences_per_s * best.ops_per_inference / 1e9 / (chip.macros * tile),
            throughput_ddm=only_ddm.throughput_inferences_per_s, throughput_sa=only_sa.throughput_inferences_per_s,
        ))
    record = CompactChipRecord(
        organisation=org.name, macros=chip.macros, macro_crossbars=chip.macro_crossbars, xbar_size=org.xbar_size,
        cell_res=org.cell_res, dac_res=org.dac_res, adc_res=org.adc_res, macro_area_mm2=tile, dram=chip.dram,
        batch=batch, area_limit_mm2=area_limit_mm2, max_crossbars=max_crossbars, total_power_w=total_power_w,
    )
    return CompactDesign(name=net.name, chip=record, parts=tuple(parts), batch_table=tuple(rows),
                         metrics=_metrics(result, record), seed=seed)


def _metrics(result, chip: CompactChipRecord) -> dict[str, float]:
    """The design's metrics at its batch (floats, as `pim.metrics` holds them)."""
    energy = sum(result.energy_nj.values())
    metrics = {
        "feasible": 1.0, "batch": float(result.batch), "parts": float(result.parts),
        "throughput_inferences_per_s": result.throughput_inferences_per_s,
        "latency_ns": result.time_ns, "compute_ns": result.compute_ns, "reload_ns": result.reload_ns,
        "activation_ns": result.activation_ns,
        "energy_per_inference_nj": result.energy_per_inference_nj,
        "power_efficiency_gops_per_w": result.tops_per_w * 1e3, "tops_per_w": result.tops_per_w,
        "average_power_w": energy / result.time_ns,
        "dram_energy_share": result.dram_energy_share,
        "reloads_per_inference": result.reloads_per_inference,
        "area_mm2": chip.area_mm2,
        "area_efficiency_gops_per_mm2": result.throughput_inferences_per_s * result.ops_per_inference / 1e9
        / chip.area_mm2,
        "ops_per_inference": float(result.ops_per_inference),
    }
    metrics.update({f"energy_{key}_nj": value for key, value in result.energy_nj.items()})
    metrics.update({f"dram_{key}_bytes": float(value) for key, value in result.dram_bytes.items()})
    return metrics


def _part_records(net, cnet, hw, chip: CompactChip, plan: CompactPlan, ddm, sa, chosen, batch) -> list[PartRecord]:
    parts = plan.parts
    names = cnet.names
    word = int(hw.data_res) // 8
    cell_bytes = chip.organisation.xbar_size ** 2 * chip.organisation.cell_res // 8
    inputs = [node.name for node in net.nodes if node.kind == "input"]
    network_input = inputs[0] if inputs else "input"
    part_of = {layer: k for k, p in enumerate(parts) for layer in p.layers}
    consumers = consumer_lists(cnet)
    resident = len(parts) == 1
    records = []
    for k, part in enumerate(parts):
        dup = chosen[k]
        method = "ddm" if dup == ddm[k] else "sa"
        slices = tuple(ResidentSlice(
            layer=names[s.layer], rows=s.rows, cols=s.cols, crossbars=s.crossbars, dup=dup.get(s.layer, 1),
            ddm=ddm[k].get(s.layer, 1), sa=sa[k].get(s.layer, 1),
            macros=-(-s.crossbars * dup.get(s.layer, 1) // chip.macro_crossbars), whole=s.whole,
        ) for s in part.slices)
        loads = [] if resident else [DramLoad(names[s.layer], "weights", s.crossbars * cell_bytes)
                                     for s in part.slices]
        acts, outs = part_activations(cnet, parts, k, word, part_of, consumers)
        loads += [DramLoad(network_input if p < 0 else names[p], "activations", nbytes,
                           from_part=-1 if p < 0 else part_of[p], into=names[layer]) for layer, p, nbytes in acts]
        records.append(PartRecord(
            index=k, layers=tuple(names[layer] for layer in part.layers), duplication=method,
            cycles_ddm=part_time_cycles(cnet, hw, chip, part, ddm[k], batch),
            cycles_sa=part_time_cycles(cnet, hw, chip, part, sa[k], batch),
            overlap=not resident and reload_overlaps(chip, parts, chosen, k),
            slices=slices, loads=tuple(loads), stores=tuple(DramStore(names[layer], nbytes) for layer, nbytes in outs),
        ))
    return records
