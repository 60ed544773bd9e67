"""Duplicating the parts of a compact chip (docs/compact.md, "Two duplications per part"):
the paper's DDM (`hw/compact.py`), PIMSYN's SA (`search/compact_duplication.py`), none, or
per part the better of DDM and SA for the batch, then the batch model of
`hw/compact_eval.py`."""

from __future__ import annotations

from pimsyn.hw.compact import CompactError, Part, dynamic_duplication, split_into_parts
from pimsyn.hw.compact_eval import BatchResult, CompactChip, evaluate_batch, part_time_cycles

DUPLICATIONS = ("best", "ddm", "sa", "none")


def part_duplications(cnet, hw, chip: CompactChip, parts: list[Part], batch: int, duplication: str,
                      seed: int = 1) -> list[dict[int, int]]:
    if duplication not in DUPLICATIONS:
        raise CompactError(f"unknown duplication '{duplication}' (choose one of {', '.join(DUPLICATIONS)})")
    out = []
    for part in parts:
        options = []
        if duplication in ("ddm", "best"):
            options.append(dynamic_duplication(cnet, part, chip.macros, chip.macro_crossbars))
        if duplication in ("sa", "best"):
            from pimsyn.search.compact_duplication import sa_part_duplication

            options.append(sa_part_duplication(cnet, part, chip.macros, chip.macro_crossbars, seed=seed))
        if not options:
            options.append({})
        # the shorter T_p(n); ties go to DDM (listed first)
        out.append(min(options, key=lambda dup: part_time_cycles(cnet, hw, chip, part, dup, batch)))
    return out


def evaluate_compact(cnet, hw, chip: CompactChip, batch: int, *, duplication: str = "best", seed: int = 1,
                     trace=None) -> BatchResult:
    """A batch on a compact chip with the parts duplicated by `duplication`."""
    parts = split_into_parts(cnet, chip.macros, chip.macro_crossbars)
    dups = part_duplications(cnet, hw, chip, parts, batch, duplication, seed)
    return evaluate_batch(cnet, hw, chip, batch, dups=dups, trace=trace)
