"""How much search one `--effort` buys, and how the DSE spends it (see driver.py).

The DSE screens every (combination, duplication candidate, ResDAC) arm with a few random
genes, then runs successive halving: each round keeps the best 1/`eta` of the arms and
gives each survivor `eta` times the previous round's evaluations of local refinement,
until `finalists` arms are left; those are refined further in chunks of `chunk`
evaluations.

`--effort` keeps meaning "more time, never worse":
* at effort <= 1 every knob scales with effort (a quicker, coarser search);
* above 1 the screening and the halving rounds stay exactly those of effort 1 and only the
  finalists' refinement grows (more chunks of the same trajectory), so the result at a
  higher effort is never below the result at a lower one (same seed).

`scale` (<= 1, `network_scale`) is a network's evaluation cost relative to AlexNet. A
slow network's evaluation counts shrink with its square root, so big networks finish in
minutes, not hours (ResNet-18, VGG-13/16, MSRA-A: 3-8 minutes at effort 1 on 2 idle
cores, docs/benchmarks.md). With fewer evaluations per arm the screening's ranking of the
duplication candidates matters more, and it is noisy (a candidate's best of a few random
macro genes swings by 2-8x between seeds, while the candidates' climbed values differ by
a few %): a slow network therefore keeps its best three candidates per (combination,
ResDAC) as separate arms in the halving (`arms_per_start`); with both, three seeds agree
within 2 % on ResNet-18, VGG-16 and MSRA-A (VGG-13: 3 %, from 6 %; docs/benchmarks.md,
"Convergence of the big networks"). AlexNet-sized networks keep one arm per start: their
halving rounds are long enough to move the duplication. A slow network also halves more
gently (eta 2 instead of 3): a climbing arm's early value predicts its final one poorly
(VGG-13: the arm seed 1 climbs to 509 GOPS/W was dropped by seed 2 as fourth of nine
after 144 evaluations), and the finalists' climbs saturate, so evaluations are better
spent keeping more arms longer (three seeds within 1 % on VGG-13, from 3 %; means up by
1-2 % on ResNet-18 and VGG-16; docs/benchmarks.md, "Gentler halving for the big
networks"). Its finalists climb `SLOW_REFINE_CHUNKS` chunks instead of 6: a big
network's refinement is short next to its halving (ResNet-18: about 50 s of 300 s), and
ResNet-18's leaders, climbing with a second climber each (`driver._refocus`), are
within 0.1 % of where they end after 17-21 chunks (seeds 1 and 3: 425.8 / 428.8 after
20 chunks, 426.2 / 428.8 after 96), while after 6 they were 1.6-1.9 % below
(docs/benchmarks.md, "A longer refinement for the big networks"). Where a climb ends is
still partly its draw: the same start refined with other rng paths ends 1.7 % (MSRA-A)
to 4.0 % (ResNet-18) apart (`bench/refine_replay.py --salt`; docs/benchmarks.md, "What the
refinement replays say about the remaining gaps").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: evaluation-cost proxy of AlexNet (see `network_scale`); its budgets are the reference
REFERENCE_COST = 12.0
#: refinement chunks per finalist at effort 1: AlexNet-sized and slow networks (docstring)
REFINE_CHUNKS = 6
SLOW_REFINE_CHUNKS = 20


@dataclass(frozen=True)
class SearchBudget:
    sa_iterations: int  # SA moves per temperature level per chain (reference: 100)
    sa_chains: int  # parallel SA chains (reference: 10)
    candidates: int  # duplication candidates kept per combination (reference: 10)
    screen_population: int  # random genes per arm in the screening phase
    first_round: int  # evaluations per surviving arm in the first halving round
    eta: int  # halving factor: keep 1/eta of the arms, give them eta x the evaluations
    finalists: int  # arms left at the end of halving, then refined in chunks
    chunk: int  # evaluations of one refinement task (a progress step)
    chunks: int  # refinement chunks per finalist after the halving rounds
    memo_limit: int = 4000  # memo entries an arm carries to its next task
    macro_steps: int = 2  # local search: a macro count moves up to this many places in its space
    dup_steps: int = 2  # local search: a duplication moves up to this many computation blocks
    balanced_shares: tuple[float, ...] = (0.5, 0.6, 0.7, 0.85)  # screening: balanced candidates at these budget shares
    arms_per_start: int = 1  # arms kept per (combination, ResDAC) after screening (best candidates)

    @property
    def screen_candidates(self) -> int:
        """Duplication candidates screened per combination at most: the SA's and the
        balanced ones."""
        return self.candidates + len(self.balanced_shares)

    @classmethod
    def from_effort(cls, effort: float, scale: float = 1.0) -> "SearchBudget":
        screen = min(effort, 1.0)
        slow = scale < 1.0
        scale = math.sqrt(min(1.0, max(scale, 0.05)))

        def scaled(base: float, low: int, factor: float = screen) -> int:
            return max(low, int(round(base * factor)))

        return cls(
            sa_iterations=scaled(20, 2),
            sa_chains=10,
            candidates=scaled(2, 1),
            screen_population=scaled(4, 2),
            first_round=scaled(24, 2, screen * scale),
            eta=2 if slow else 3,  # slow networks: gentler halving (module docstring)
            finalists=2,
            chunk=scaled(400, 20, scale),
            chunks=scaled(SLOW_REFINE_CHUNKS if slow else REFINE_CHUNKS, 1, effort),
            arms_per_start=3 if slow else 1,
        )


def halving_rounds(arms: int, budget: SearchBudget) -> list[tuple[int, int]]:
    """(survivors, evaluations per survivor) of each halving round for `arms` arms, then
    the finalists' refinement as the last entry."""
    rounds = []
    alive, evaluations = arms, budget.first_round
    while alive > budget.finalists:
        alive = max(budget.finalists, math.ceil(alive / budget.eta))
        rounds.append((alive, evaluations))
        evaluations *= budget.eta
    rounds.append((min(alive, budget.finalists), budget.chunk * budget.chunks))
    return rounds


def network_scale(cnet) -> float:
    """Budget scale of a network from a deterministic proxy of its evaluation cost (the
    cost layers and their computation blocks at duplication 1), AlexNet = 1."""
    import numpy as np

    blocks = float(np.sum(np.asarray(cnet.pixels)))
    cost = cnet.num_layers * math.log2(max(blocks, 2.0))
    return min(1.0, REFERENCE_COST * math.log2(4261.0 + 1000.0) / cost) if cost > 0 else 1.0
