"""PIMSYN's SA duplication inside one part of a compact chip (docs/compact.md, "Two
duplications per part"), beside the compact-chip paper's DDM (`hw/compact.py`).

The part's whole conv layers form a duplication problem of their own (Eq. 1-3 on those
layers only), whose crossbar budget is the macros the part's other slices leave. The SA
filter (Eq. 4, spec 3) proposes a duplication; a macro holds one layer only, so a
candidate whose layers, rounded up to whole macros, do not fit is retried with a budget
smaller by the overflow, a few times, before falling back to one copy each.
"""

from __future__ import annotations

import numpy as np

from pimsyn.hw.compact import Part
from pimsyn.search.duplication import sa_filter
from pimsyn.search.duplication_problem import DuplicationError, DuplicationProblem

_RETRIES = 12


def sa_part_duplication(cnet, part: Part, macros: int, macro_crossbars: int, *, seed: int = 1,
                        iters: int = 20, chains: int = 4) -> dict[int, int]:
    """Duplication per layer of the part (1 for slices and FCs), seeded."""
    dup = {s.layer: 1 for s in part.slices}
    convs = [s for s in part.slices if s.whole and cnet.is_conv[s.layer]]
    if not convs:
        return dup
    others = sum(-(-s.crossbars // macro_crossbars) for s in part.slices if s not in convs)
    free_macros = macros - others
    layers = np.array([s.layer for s in convs])
    problem = DuplicationProblem(
        out_pixels=cnet.pixels[layers], in_rows=cnet.in_len[layers], out_cols=cnet.channels[layers],
        crossbar_size=int(cnet.xbar_size), cell_slices=int(cnet.weight_slices),
        row_tiles=cnet.row_tiles[layers], col_tiles=cnet.col_tiles[layers],
    )
    sets = np.array([s.crossbars for s in convs], dtype=np.int64)
    budget = free_macros * macro_crossbars
    rng = np.random.default_rng(np.random.SeedSequence([seed, int(layers[0])]))
    for _ in range(_RETRIES):
        try:
            candidate = sa_filter(problem, budget, rng=rng, iters=iters, chains=chains, candidates=1)[0]
        except DuplicationError:
            break
        need = int(np.sum(-(-sets * candidate // macro_crossbars)))
        if need <= free_macros:
            dup.update({int(layer): int(d) for layer, d in zip(layers, candidate)})
            return dup
        budget -= (need - free_macros) * macro_crossbars
    return dup
