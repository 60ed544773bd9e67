"""A compact design: the records of a network whose weights do not fit on the chip
(docs/compact.md, "Compact synthesis").

Plain, frozen records with no logic. `dse/compact_design.py` fills them from the model
(`hw/compact.py`, `hw/compact_eval.py`, `dse/compact.py`), `dse/compact_ir.py` writes
them into design.mlir (`ir/compact_ops.py`), and `backend/compact_view.py` reads the same
records back from design.mlir alone, so every backend lowers from the IR.

Units: bytes, clock cycles of the chip (100 ns), ns, nJ, mm².
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResidentSlice:
    """Weights resident while a part runs: a rectangle of one layer's crossbar tile grid
    (`pim.resident`)."""

    layer: str
    rows: tuple[int, int]  # row tiles [lo, hi) (input channels)
    cols: tuple[int, int]  # column tiles [lo, hi) (output channels)
    crossbars: int  # one copy of the weights
    dup: int  # copies the design keeps (the part's chosen duplication)
    ddm: int  # copies under the paper's DDM (Algorithm 1)
    sa: int  # copies under PIMSYN's SA filter
    macros: int  # macros the slice takes with `dup` copies
    whole: bool = True  # the whole layer (not split over parts)


@dataclass(frozen=True)
class DramLoad:
    """A DRAM read at the start of a part (`pim.dram_load`): a resident slice's weights
    (bytes per batch) or a provider's output activations (bytes per input)."""

    layer: str  # whose weights / whose output (the network input's name for part 0's input)
    kind: str  # "weights" | "activations"
    bytes: int
    from_part: int = -1  # activations: the part that wrote them (-1: the network input)
    into: str = ""  # activations: the layer of this part that reads them


@dataclass(frozen=True)
class DramStore:
    """A DRAM write of a part's output activations (`pim.dram_store`, bytes per input) that a
    later part or the network output needs."""

    layer: str
    bytes: int


@dataclass(frozen=True)
class PartRecord:
    """One part (`pim.part`): layers that run together while their weights are resident."""

    index: int
    layers: tuple[str, ...]  # every layer that runs in the part, network order
    duplication: str  # "ddm" | "sa": the one kept (shorter T_p at the design's batch)
    cycles_ddm: float  # T_p(n) at the design's batch, DDM duplication
    cycles_sa: float  # T_p(n), SA duplication
    overlap: bool  # case 3: the weight reload overlaps the previous part's tail
    slices: tuple[ResidentSlice, ...]
    loads: tuple[DramLoad, ...]
    stores: tuple[DramStore, ...]

    @property
    def macros(self) -> int:
        return sum(s.macros for s in self.slices)

    @property
    def weight_bytes(self) -> int:
        return sum(load.bytes for load in self.loads if load.kind == "weights")


@dataclass(frozen=True)
class BatchRow:
    """Metrics at one batch size (`pim.batch_point`): the default (per part the better of
    DDM and SA), and each duplication alone."""

    batch: int
    throughput_inferences_per_s: float
    latency_ns: float  # the whole batch
    energy_per_inference_nj: float
    tops_per_w: float
    dram_energy_share: float
    reloads_per_inference: float
    gops_per_mm2: float
    throughput_ddm: float
    throughput_sa: float


@dataclass(frozen=True)
class CompactChipRecord:
    """The one physical chip (`pim.compact`) and the run's batch and DRAM."""

    organisation: str
    macros: int
    macro_crossbars: int
    xbar_size: int
    cell_res: int
    dac_res: int
    adc_res: int
    macro_area_mm2: float
    dram: str
    batch: int
    area_limit_mm2: float | None = None
    max_crossbars: int | None = None
    total_power_w: float | None = None

    @property
    def area_mm2(self) -> float:
        return self.macros * self.macro_area_mm2


@dataclass(frozen=True)
class CompactDesign:
    name: str
    chip: CompactChipRecord
    parts: tuple[PartRecord, ...]
    batch_table: tuple[BatchRow, ...]
    metrics: dict[str, float] = field(default_factory=dict)
    seed: int = 1
