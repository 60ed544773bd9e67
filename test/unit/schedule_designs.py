"""AlexNet schedule problems of spec Section 8, built by hand from the spec's tables.

Layer data (C, W, kernel, stride, pads) come from the AlexNet JSON; d, n, q, u, the op lists
(TRAN where T-hops != 0, MRG where M-hops != 0), the NoC conflict pairs and the tau values
are transcribed from spec 8.2 (design B-hist) and 8.3 (design A).
"""

from __future__ import annotations

import math
from pathlib import Path

from pimsyn.frontend.network_json import load_network_json
from pimsyn.hw.schedule import LayerSchedule, ScheduleProblem

DATA = Path(__file__).resolve().parents[1] / "data" / "networks"
BITS = 16  # B = ceil(16 / r_dac), r_dac = 1

# per layer: (d, n, m) for design B-hist (8.2); q = ceil(m/d), u = ceil(m/q)
_B_HIST = [
    (119, 26, 11), (26, 29, 1), (26, 29, 10), (6, 29, 1), (6, 29, 5), (6, 29, 5), (6, 29, 3),
    (2, 29, 1), (2, 29, 1), (1, 1, 18), (1, 1, 8), (1, 1, 4),
]
# design A (8.3): conv duplication [110, 26, 6, 7, 6], pools d = [27, 6, 2, 2]
_A = [
    (110, 28, 11), (27, 28, 1), (26, 29, 10), (6, 29, 1), (6, 29, 5), (7, 25, 5), (6, 29, 3),
    (2, 29, 1), (2, 29, 1), (1, 1, 18), (1, 1, 8), (1, 1, 4),
]
# NoC delays D^T / D^M in NoC cycles (None: zero hops, no TRAN / MRG op)
_TRAN = [None, None, 134, None, 244, 485, 322, None, None, 135, 133, 260]
_MRG_B = [182, None, 149, None, 194, 132, 130, None, None, 1030, 1028, 253]
_MRG_A = [166] + _MRG_B[1:]
# final-pass LD tau (ST is 1 everywhere): 8.2 for B-hist, 8.3 for A (features.8 LD 4)
_LD_FINAL_B = [3, 2, 3, 1, 3, 3, 3, 1, 1, 6, 6, 3]
_LD_FINAL_A = [3, 2, 3, 1, 3, 4, 3, 1, 1, 6, 6, 3]
CLOCK_B_NS = 102.78066914498142
CLOCK_A_NS = 102.15676959619952


def _layers(per_layer, mrg):
    net = load_network_json(DATA / "alexnet.json")
    nodes = [node for node in net.nodes if node.kind in ("conv", "fc", "pool", "eltwise")]
    index = {net.nodes.index(node): i for i, node in enumerate(nodes)}
    layers = []
    for i, (node, (dup, blocks, macros), tran, merge) in enumerate(zip(nodes, per_layer, _TRAN, mrg)):
        q = math.ceil(macros / dup)
        u = math.ceil(macros / q)
        if node.kind in ("conv", "fc"):
            body = ("DAC", "ADC", "SHIFTADD", "ADDITION")
        else:
            body = ("POOL",)
        ops = ("TRAN",) * (tran is not None) + ("LD",) + body + ("ST",) + ("MRG",) * (merge is not None)
        w, h = (node.shape[2], node.shape[3]) if len(node.shape) == 4 else (1, 1)
        layers.append(LayerSchedule(
            name=node.name.split("/")[-2] if "/" in node.name else node.name, kind=node.kind,
            blocks=blocks, dup=dup, channels=node.channels, out_w=w, out_h=h,
            kernel=node.kernel, stride=node.stride, pad0=(node.pads[0], node.pads[1]),
            input_split=q, dup_split=u, ops=ops,
            providers=tuple(index[j] for j in node.inputs if j in index),
        ))
    return tuple(layers)


def _problem(per_layer, mrg) -> ScheduleProblem:
    layers = _layers(per_layer, mrg)
    pairs = frozenset(
        frozenset({(i, "TRAN"), (i, "MRG")}) for i, layer in enumerate(layers)
        if "TRAN" in layer.ops and "MRG" in layer.ops
    )
    return ScheduleProblem(layers=layers, bits=BITS, noc_conflicts=pairs, adc_conflicts=frozenset())


def _cycles(problem: ScheduleProblem, mrg, ld, clock_ns: float) -> list[list[int]]:
    out = []
    for i, layer in enumerate(problem.layers):
        row = []
        for op in layer.ops:
            if op == "TRAN":
                row.append(math.ceil(_TRAN[i] / clock_ns))
            elif op == "MRG":
                row.append(math.ceil(mrg[i] / clock_ns))
            elif op == "LD":
                row.append(ld[i])
            else:
                row.append(1)
        out.append(row)
    return out


def design_b_hist():
    """(problem, first-pass tau, final tau) of design B-hist (spec 8.2)."""
    problem = _problem(_B_HIST, _MRG_B)
    first = _cycles(problem, _MRG_B, [1] * 12, 100.0)
    final = _cycles(problem, _MRG_B, _LD_FINAL_B, CLOCK_B_NS)
    return problem, first, final


def design_a():
    """(problem, first-pass tau, final tau) of design A (spec 8.3)."""
    problem = _problem(_A, _MRG_A)
    first = _cycles(problem, _MRG_A, [1] * 12, 100.0)
    final = _cycles(problem, _MRG_A, _LD_FINAL_A, CLOCK_A_NS)
    return problem, first, final
