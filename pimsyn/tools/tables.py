"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from pimsyn.model.network import Network


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[bool] | None = None) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    right = right or [False] * len(header)

    def line(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def layer_table(net: Network) -> str:
    """Name, kind, output shape, weight matrix (rows x columns) and MACs of every node."""
    rows = []
    for node in net.nodes:
        kind = node.kind
        if node.kind == "pool":
            kind = ("global " if node.global_pool else "") + f"{node.pool_method} pool"
        elif node.kind == "eltwise":
            kind = f"eltwise {node.eltwise_op}"
        elif node.kind == "conv" and node.groups > 1:
            kind = f"conv g{node.groups}"
        extra = [node.activation] if node.activation != "none" else []
        extra += [f"+{op}" for op in node.post_ops]
        weights = f"{node.weight_rows} x {node.weight_cols}" if node.weight_rows else "-"
        rows.append([
            node.name, kind, "x".join(str(d) for d in node.shape), weights,
            f"{node.macs:,}" if node.macs else "-", " ".join(extra),
        ])
    total = sum(n.macs for n in net.nodes)
    counts = ", ".join(f"{net.count(k)} {k}" for k in ("conv", "fc", "pool", "eltwise", "concat") if net.count(k))
    table = format_table(
        ["layer", "kind", "output", "weights", "MACs", "act"], rows,
        right=[False, False, False, True, True, False],
    )
    return f"{table}\n\n{net.name}: {len(net.nodes)} nodes ({counts}), {total:,} MACs per inference"
