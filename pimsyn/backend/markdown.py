"""Markdown tables for the report."""

from __future__ import annotations

from collections.abc import Sequence


def _cell(value: object) -> str:
    # a '|' would end the cell; newlines would end the row
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]],
                   right: Sequence[bool] | None = None) -> str:
    """A GitHub-style table; `right[i]` right-aligns column i (numbers)."""
    right = right or [False] * len(header)
    rule = ["---:" if r else "---" for r in right]
    lines = ["| " + " | ".join(_cell(c) for c in header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
