"""Evaluating a network on a compact chip over a batch (docs/compact.md, "Batch pipeline").

The chip (:class:`CompactChip`) is a fixed number of macros of one organisation (ISAAC's
tile by default, `hw/organisation.py`), sized from an area with the area model
(`hw/area.py`). The network runs part by part (`hw/compact.py`): each part's weights are
read from DRAM, the part runs the whole batch as an inter-layer pipeline, its outputs that
later parts need go to DRAM, and the next part's weights replace it.

Time (clock cycles of t_clk = 100 ns, the crossbar read of one input-bit slice, spec 5.9):
  t_l      = n_l * B  (weight layer: blocks x input-bit slices), n_l (pool/eltwise)
  T_p(n)   = sum_{l in p} t_l + (n - 1) * max_{l in p} t_l        the paper's case 2
  reload_p = DRAM read time of part p's weights (one copy; duplicates are written on chip)
  case 3:  reload_{p+1} overlaps part p's tail, after p's first layer has run all n inputs,
           when p+1's first layer fits in the macros p's first layer frees
  activations stream to and from DRAM during the parts (only time beyond T_p is visible)
  T(n)     = sum_p (T_p(n) + visible reload_p + visible activation time)
A network whose weights fit runs as one part that stays resident: no reloads.

Energy: the dynamic energy of every op is independent of duplication (spec 5.16:
workload x blocks), so one inference costs the same dynamic energy as in the
area-unlimited design; the chip's static power runs for T(n); DRAM energy is its bytes x
pJ/bit plus its background power x T(n) (`hw/dram.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.hw.area import AreaTable
from pimsyn.hw.compact import CompactError, Part, dynamic_duplication, split_into_parts
from pimsyn.hw.layers import CostNetwork
from pimsyn.hw.organisation import ISAAC, Organisation

CLOCK_NS = 100.0  # the crossbar read of one input-bit slice (spec 5.9 floor, B1)


@dataclass(frozen=True)
class CompactChip:
    macros: int
    organisation: Organisation = ISAAC
    dram: str = "lpddr5"

    @property
    def macro_crossbars(self) -> int:
        return self.organisation.crossbars_per_macro


def tile_units(org: Organisation) -> dict[str, int]:
    """Units of one macro of the organisation (ISAAC: a tile of 96 crossbars)."""
    x = org.crossbars_per_macro
    units = {comp: int(np.ceil(x * ratio)) for comp, ratio in org.per_crossbar.items()}
    units["DAC"] = x * org.xbar_size  # one per row
    for comp in ("POOL", "RELU", "SIGMOID", "ELTWISE"):
        units[comp] = org.per_macro
    return units


def tile_area_mm2(hw, org: Organisation = ISAAC) -> float:
    """Area of one macro: crossbars, their S&H, DACs, ADCs, ALUs, scratchpad and router."""
    table = AreaTable.from_hardware(hw)
    x = org.crossbars_per_macro
    area = x * table.crossbar(org.xbar_size) + x * org.xbar_size * table.entries["SH"]
    for comp, count in tile_units(org).items():
        if comp == "DAC":
            area += count * table.dac(org.dac_res)
        elif comp == "ADC":
            area += count * table.adc(org.adc_res)
        else:
            area += count * table.alu(comp)
    return area + table.memory(org.spm_kb) + table.entries["router"]


def tile_static_power_w(hw, org: Organisation = ISAAC) -> float:
    """Static power of one macro from the hardware tables (crossbars, units, scratchpad)."""
    power = org.crossbars_per_macro * hw.crossbar(org.xbar_size, org.cell_res).static_power_w
    for comp, count in tile_units(org).items():
        spec = hw.component(comp, org.dac_res, org.adc_res) if comp in ("DAC", "ADC") or comp in hw.alu else None
        if spec is not None:
            power += count * spec.static_power_w
    return power + hw.memory(org.spm_kb).leak_power_w


def chip_for_area(hw, area_mm2: float, org: Organisation = ISAAC, dram: str = "lpddr5") -> CompactChip:
    """The most macros that fit in `area_mm2` (one line naming the problem otherwise)."""
    import math

    if isinstance(area_mm2, bool) or not isinstance(area_mm2, (int, float)) or not math.isfinite(area_mm2):
        raise CompactError(f"--area-mm2 must be a finite number, got {area_mm2!r}")
    if area_mm2 <= 0:
        raise CompactError(f"--area-mm2 must be positive, got {area_mm2:g}")
    tile = tile_area_mm2(hw, org)
    macros = int(area_mm2 // tile)
    if macros < 1:
        raise CompactError(f"--area-mm2 {area_mm2:g} is smaller than one {org.name} macro "
                           f"({tile:.4g} mm²: {org.crossbars_per_macro} crossbars with their periphery)")
    return CompactChip(macros=macros, organisation=org, dram=dram)


@dataclass(frozen=True)
class BatchResult:
    batch: int
    parts: int
    time_ns: float
    compute_ns: float  # sum of T_p(n)
    reload_ns: float  # visible weight reload time
    activation_ns: float  # visible activation traffic time
    energy_nj: dict[str, float]  # compute_dynamic, chip_static, dram_transfer, dram_background
    ops_per_inference: int
    dram_bytes: dict[str, int]  # weights_read, activations_read, activations_written

    @property
    def throughput_inferences_per_s(self) -> float:
        return self.batch * 1e9 / self.time_ns

    @property
    def energy_per_inference_nj(self) -> float:
        return sum(self.energy_nj.values()) / self.batch

    @property
    def tops_per_w(self) -> float:
        return self.ops_per_inference / self.energy_per_inference_nj / 1e3

    @property
    def dram_energy_share(self) -> float:
        total = sum(self.energy_nj.values())
        return (self.energy_nj["dram_transfer"] + self.energy_nj["dram_background"]) / total

    @property
    def reloads_per_inference(self) -> float:
        return self.parts / self.batch if self.parts > 1 else 0.0


def layer_cycles(cnet: CostNetwork, dup: dict[int, int], bits: int) -> np.ndarray:
    """t_l per input: blocks x B for weight layers (a sliced layer: all its pixels), blocks
    for pool/eltwise (their blocks follow their providers', spec 2.3)."""
    from pimsyn.hw import apply_duplication

    conv_dup = [dup.get(int(layer), 1) for layer in cnet.conv_layers]
    state = apply_duplication(cnet, conv_dup)
    return np.where(cnet.is_weight, state.blocks * bits, state.blocks).astype(np.float64)


def part_time_cycles(cnet: CostNetwork, hw, chip: CompactChip, part: Part, dup: dict[int, int],
                     batch: int) -> float:
    """T_p(n) of one part in clock cycles (module docstring)."""
    bits = -(-int(hw.data_res) // chip.organisation.dac_res)
    t = layer_cycles(cnet, dup, bits)[list(part.layers)]
    return float(t.sum() + (batch - 1) * t.max())


def evaluate_batch(cnet: CostNetwork, hw, chip: CompactChip, batch: int, *, dups: list[dict[int, int]] | None = None,
                   trace=None) -> BatchResult:
    """A batch of `batch` inputs on `chip` (module docstring). `dups`: the duplication of
    each part of :func:`split_into_parts` (default: the paper's DDM; `dse/compact.py` also
    offers PIMSYN's SA and the better of both); `trace` (a `hw.dram.DramTrace`) records
    every DRAM transfer."""
    from pimsyn.hw.dram import background_energy_nj, dram_spec, transfer_energy_nj, transfer_ns

    if batch < 1:
        raise CompactError(f"the batch size must be >= 1, got {batch}")
    org = chip.organisation
    if (cnet.xbar_size, cnet.cell_res) != (org.xbar_size, org.cell_res):
        raise CompactError(f"the cost network is for {cnet.xbar_size}x{cnet.xbar_size} crossbars of {cnet.cell_res}-bit "
                           f"cells, the chip has {org.xbar_size}x{org.xbar_size} of {org.cell_res}-bit")
    spec = dram_spec(chip.dram)
    parts = split_into_parts(cnet, chip.macros, chip.macro_crossbars)
    if dups is None:
        dups = [dynamic_duplication(cnet, p, chip.macros, chip.macro_crossbars) for p in parts]
    if len(dups) != len(parts):
        raise CompactError(f"{len(dups)} duplications for {len(parts)} parts")
    bits = -(-int(hw.data_res) // org.dac_res)
    word = int(hw.data_res) // 8
    cell_bytes = org.xbar_size * org.xbar_size * org.cell_res / 8
    part_of = {layer: k for k, p in enumerate(parts) for layer in p.layers}
    time = compute = reload_visible = act_visible = 0.0
    weights_read = act_read = act_written = 0
    resident = len(parts) == 1
    regions = {}
    cycles_ns = [layer_cycles(cnet, dup, bits) * CLOCK_NS for dup in dups]  # t_l per part's duplication
    part_ns = [float(c[list(p.layers)].sum() + (batch - 1) * c[list(p.layers)].max()) for c, p in zip(cycles_ns, parts)]
    consumers = consumer_lists(cnet)
    for k, (part, dup) in enumerate(zip(parts, dups)):
        t_part = part_ns[k]
        # weights: read once per batch unless the whole network stays resident
        w_bytes = 0 if resident else int(sum(s.crossbars for s in part.slices) * cell_bytes)
        reload = transfer_ns(spec, w_bytes) if w_bytes else 0.0
        if k > 0 and w_bytes and reload_overlaps(chip, parts, dups, k):  # case 3
            first = parts[k - 1].slices[0]
            drain = part_ns[k - 1] - batch * cycles_ns[k - 1][first.layer]
            reload = max(0.0, reload - max(0.0, drain))
        # activations: inputs from earlier parts (or the network input), outputs for later ones
        loads, stores = part_activations(cnet, parts, k, word, part_of, consumers)
        reads = sum(nbytes for _, _, nbytes in loads) * batch
        writes = sum(nbytes for _, nbytes in stores) * batch
        act_time = transfer_ns(spec, reads) + transfer_ns(spec, writes) if reads + writes else 0.0
        act_visible += max(0.0, act_time - t_part)
        if trace is not None:
            _record(trace, regions, k, time, w_bytes, reads, writes)
        weights_read += w_bytes
        act_read += reads
        act_written += writes
        reload_visible += reload
        compute += t_part
        time += reload + t_part + max(0.0, act_time - t_part)
    dynamic = _dynamic_energy_nj(cnet, hw, org, bits) * batch
    static = tile_static_power_w(hw, org) * chip.macros * time
    dram_transfer = (transfer_energy_nj(spec, weights_read + act_read, write=False)
                     + transfer_energy_nj(spec, act_written, write=True))
    return BatchResult(
        batch=batch, parts=len(parts), time_ns=time, compute_ns=compute, reload_ns=reload_visible,
        activation_ns=act_visible,
        energy_nj={"compute_dynamic": dynamic, "chip_static": static, "dram_transfer": dram_transfer,
                   "dram_background": background_energy_nj(spec, time)},
        ops_per_inference=int(cnet.ops),
        dram_bytes={"weights_read": weights_read, "activations_read": act_read, "activations_written": act_written},
    )


def consumer_lists(cnet: CostNetwork) -> list[list[int]]:
    """The consumers of every cost layer."""
    consumers: list[list[int]] = [[] for _ in range(cnet.num_layers)]
    for c, provs in enumerate(cnet.providers):
        for p in provs:
            consumers[p].append(c)
    return consumers


def reload_overlaps(chip: CompactChip, parts: list[Part], dups: list[dict[int, int]], k: int) -> bool:
    """Case 3: part k's first slice fits in the macros part k-1's first layer frees (with
    the macros k-1 leaves idle), so its weight reload overlaps part k-1's tail."""
    if k == 0:
        return False
    prev, prev_dup = parts[k - 1], dups[k - 1]
    first = prev.slices[0]
    freed = chip.macros - prev.macros(chip.macro_crossbars, prev_dup) + \
        -(-first.crossbars * prev_dup.get(first.layer, 1) // chip.macro_crossbars)
    return -(-parts[k].slices[0].crossbars // chip.macro_crossbars) <= freed


def part_activations(cnet: CostNetwork, parts: list[Part], k: int, word: int, part_of: dict[int, int] | None = None,
                     consumers: list[list[int]] | None = None):
    """The activations part k moves per input: loads (consumer layer, provider layer or -1
    for the network input, bytes) and stores (layer, bytes) of outputs that later parts or
    the network output need. A layer sliced over several parts counts in its last part."""
    part_of = part_of if part_of is not None else {layer: i for i, p in enumerate(parts) for layer in p.layers}
    consumers = consumers if consumers is not None else consumer_lists(cnet)
    out_bytes = cnet.channels * cnet.pixels * word
    loads: list[tuple[int, int, int]] = []
    stores: list[tuple[int, int]] = []
    for layer in parts[k].layers:
        provs = cnet.providers[layer]
        if not provs and k == 0 and cnet.in_len[layer]:
            loads.append((layer, -1, int(cnet.pixels[layer] * cnet.in_len[layer] * word)))
        loads.extend((layer, p, int(out_bytes[p])) for p in provs if part_of[p] < k)
        if any(part_of[c] > k for c in consumers[layer]) or not consumers[layer]:
            stores.append((layer, int(out_bytes[layer])))
    return loads, stores


def _record(trace, regions, k, start_ns, w_bytes, reads, writes) -> None:
    """Weights read, then activations read, then activations written, back to back."""
    at = start_ns
    for name, nbytes, write in ((f"part{k}.weights", w_bytes, False), (f"part{k}.inputs", reads, False),
                                (f"part{k}.outputs", writes, True)):
        if nbytes:
            if name not in regions:
                regions[name] = trace.region(name, nbytes)
            base = regions[name]
            at = trace.write(at, base, nbytes) if write else trace.read(at, base, nbytes)


def _dynamic_energy_nj(cnet: CostNetwork, hw, org: Organisation, bits: int) -> float:
    """One inference's dynamic energy (spec 5.16 terms; duplication-independent)."""
    from pimsyn.hw import apply_duplication
    from pimsyn.hw.allocation import component_table, component_workloads
    from pimsyn.hw.energy import component_energy_items, used_crossbars

    state = apply_duplication(cnet, np.ones(len(cnet.conv_layers), dtype=np.int64))
    table = component_table(cnet, hw, org.dac_res, org.adc_res, bits)
    workloads = component_workloads(cnet, state, hw.vfu_width)
    _, dynamic = component_energy_items(cnet, state, workloads, np.ones(len(workloads)), table, 0.0)
    xbar = hw.crossbar(org.xbar_size, org.cell_res)
    weight = cnet.is_weight
    crossbar = float(np.sum(xbar.latency_ns * xbar.dynamic_power_w * used_crossbars(cnet, state)[weight]
                            * state.blocks[weight] * bits))
    return float(np.sum(dynamic)) + crossbar
