"""The search budget (`dse/budget.py`): what `--effort` buys, for any network scale."""

from __future__ import annotations

from dataclasses import fields

from hypothesis import given
from hypothesis import strategies as st

from pimsyn.dse.budget import SearchBudget, halving_rounds

efforts = st.floats(min_value=0.05, max_value=16.0)
scales = st.floats(min_value=0.01, max_value=1.0)

#: the knobs that decide the screening and the halving (everything before the refinement)
BEFORE_REFINE = [f.name for f in fields(SearchBudget) if f.name not in ("chunks",)]


@given(efforts, efforts, scales)
def test_more_effort_never_buys_less_search(a, b, scale):
    low, high = SearchBudget.from_effort(min(a, b), scale), SearchBudget.from_effort(max(a, b), scale)
    for name in ("sa_iterations", "candidates", "screen_population", "first_round", "chunk", "chunks"):
        assert getattr(high, name) >= getattr(low, name), name


@given(st.floats(min_value=1.0, max_value=16.0), scales)
def test_above_effort_one_only_the_refinement_grows(effort, scale):
    """The prefix property behind "more effort is never worse": the screening and the
    halving rounds of any effort above 1 are those of effort 1."""
    one, more = SearchBudget.from_effort(1.0, scale), SearchBudget.from_effort(effort, scale)
    assert {n: getattr(one, n) for n in BEFORE_REFINE} == {n: getattr(more, n) for n in BEFORE_REFINE}
    arms = 300
    assert halving_rounds(arms, one)[:-1] == halving_rounds(arms, more)[:-1]
    assert halving_rounds(arms, more)[-1][1] >= halving_rounds(arms, one)[-1][1]
