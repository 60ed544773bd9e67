"""Refuse networks whose evaluation cannot fit in memory, before any work (docs/errors.md).

The schedule (spec 5.12-5.13) walks every computation block of every layer: per layer it
keeps arrays of block start times (one row of int64 per block and op, several copies while
conflicts are resolved) and the producer-block map of its consumers. A layer's block count
is at most its output pixels (duplication 1, spec 2.3), so the memory an evaluation may
need is bounded by the network alone. A 3x3 conv on a 100000 x 100000 input has 10^10
blocks: hundreds of GB. We estimate that bound and refuse, naming the largest layer, when
it exceeds what the machine can hold, instead of letting the process be killed.
"""

from __future__ import annotations

import os

from pimsyn.errors import PimsynError

#: Bytes per block and op the schedule holds at once: starts, floors and bounds (int64),
#: the producer-block maps of consumers and the temporaries of the vectorised passes.
BYTES_PER_BLOCK_OP = 64
#: Ops per layer in the worst case (TRAN LD DAC ADC SHIFTADD ADDITION ... ST MRG).
OPS_PER_LAYER = 10
#: Share of the physical memory one evaluation may use (the DSE runs one per core).
MEMORY_SHARE = 0.5


class MemoryLimitError(PimsynError):
    """The network is too large to evaluate on this machine."""


def machine_memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


def schedule_memory_bytes(net) -> tuple[int, str, int]:
    """(bytes the schedule may need, the layer with the most blocks, its blocks)."""
    total, worst, worst_blocks = 0, "", 0
    for node in net.nodes:
        if node.kind not in ("conv", "pool", "eltwise", "fc"):
            continue
        height, width = node.spatial
        blocks = int(height) * int(width) if node.kind != "fc" else 1
        total += blocks * OPS_PER_LAYER * BYTES_PER_BLOCK_OP
        if blocks > worst_blocks:
            worst, worst_blocks = node.name, blocks
    return total, worst, worst_blocks


def _size(value: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if value < 1024 or unit == "PB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PB"  # pragma: no cover


def check_network_memory(net, jobs: int = 1, memory_bytes: int | None = None) -> None:
    """Raise MemoryLimitError (one line) when evaluating `net` may need more memory than
    MEMORY_SHARE of this machine's, per worker process."""
    need, layer, blocks = schedule_memory_bytes(net)
    have = int((memory_bytes if memory_bytes is not None else machine_memory_bytes()) * MEMORY_SHARE)
    per_job = max(1, int(jobs))
    if need * per_job > have:
        raise MemoryLimitError(
            f"network '{net.name}' is too large to evaluate here: layer '{layer}' has {blocks:,} computation "
            f"blocks, and the schedule may need {_size(need)} per evaluation ({per_job} worker(s)) but this "
            f"machine allows {_size(have)}; use a smaller input size")
