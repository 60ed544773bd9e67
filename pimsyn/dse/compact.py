"""Duplicating the parts of a compact chip (docs/compact.md, "Two duplications per part"):
the paper's DDM (`hw/compact.py`), PIMSYN's SA (`search/compact_duplication.py`), none, or
per part the better of DDM and SA for the batch, then the batch model of
`hw/compact_eval.py`."""

from __future__ import annotations

from dataclasses import dataclass, field

from pimsyn.hw.compact import CompactError, Part, dynamic_duplication, split_into_parts
from pimsyn.hw.compact_eval import BatchResult, CompactChip, evaluate_batch, part_time_cycles

DUPLICATIONS = ("best", "ddm", "sa", "none")


@dataclass
class CompactPlan:
    """A chip's parts and each part's candidate duplications. They do not depend on the
    batch size (only the choice between them does), so a sweep over batches makes them
    once; the SA ones only when asked for."""

    cnet: object
    chip: CompactChip
    seed: int = 1
    parts: list[Part] = field(init=False)
    _candidates: dict[str, list[dict[int, int]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.parts = split_into_parts(self.cnet, self.chip.macros, self.chip.macro_crossbars)

    def candidates(self, kind: str) -> list[dict[int, int]]:
        if kind not in self._candidates:
            if kind == "ddm":
                found = [dynamic_duplication(self.cnet, p, self.chip.macros, self.chip.macro_crossbars)
                         for p in self.parts]
            elif kind == "sa":
                from pimsyn.search.compact_duplication import sa_part_duplication

                found = [sa_part_duplication(self.cnet, p, self.chip.macros, self.chip.macro_crossbars,
                                             seed=self.seed) for p in self.parts]
            else:
                found = [{} for _ in self.parts]
            self._candidates[kind] = found
        return self._candidates[kind]


def part_duplications(plan: CompactPlan, hw, batch: int, duplication: str) -> list[dict[int, int]]:
    if duplication not in DUPLICATIONS:
        raise CompactError(f"unknown duplication '{duplication}' (choose one of {', '.join(DUPLICATIONS)})")
    kinds = ("ddm", "sa") if duplication == "best" else (duplication,)
    options = [plan.candidates(kind) for kind in kinds]
    # per part the shorter T_p(n); ties go to DDM (listed first)
    return [min((dups[k] for dups in options),
                key=lambda dup: part_time_cycles(plan.cnet, hw, plan.chip, part, dup, batch))
            for k, part in enumerate(plan.parts)]


def evaluate_compact(cnet, hw, chip: CompactChip, batch: int, *, duplication: str = "best", seed: int = 1,
                     trace=None, plan: CompactPlan | None = None) -> BatchResult:
    """A batch on a compact chip with the parts duplicated by `duplication`; pass the same
    `plan` to every call of a sweep over batch sizes."""
    plan = plan or CompactPlan(cnet, chip, seed)
    dups = part_duplications(plan, hw, batch, duplication)
    return evaluate_batch(cnet, hw, chip, batch, dups=dups, trace=trace)
