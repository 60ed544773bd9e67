"""How much search one `--effort` buys.

The DSE is two-phase (see driver.py): every combination screens its duplication
candidates with a small random population, then the best few configurations overall get
the full EA. `effort` scales every knob roughly linearly in run time; effort 1 is the
default that synthesizes AlexNet in about a minute on two cores.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchBudget:
    sa_iterations: int  # SA moves per temperature level per chain (reference: 100)
    sa_chains: int  # parallel SA chains (reference: 10)
    candidates: int  # duplication candidates kept per combination (reference: 10)
    screen_population: int  # random genes per (candidate, DAC) in the screening phase
    finalists: int  # configurations refined by the full EA
    population: int  # EA population (reference: 40)
    generations: int  # EA generations at most (reference: 200)
    patience: int  # stop an EA run after this many generations without improvement

    @classmethod
    def from_effort(cls, effort: float) -> "SearchBudget":
        def scaled(base: float, low: int) -> int:
            return max(low, int(round(base * effort)))

        return cls(
            sa_iterations=scaled(20, 2),
            sa_chains=10,
            candidates=scaled(4, 1),
            screen_population=scaled(8, 2),
            finalists=scaled(3, 1),
            population=40,
            generations=scaled(40, 2),
            patience=scaled(8, 3),
        )
