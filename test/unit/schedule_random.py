"""Random small schedule problems for the fast-vs-oracle cross-check (seeded numpy)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pimsyn.hw.schedule import LayerSchedule, ScheduleProblem


def _out(size: int, kernel: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - kernel) // stride + 1


def _blocks(rng: np.random.Generator, pixels: int, min_blocks: int = 1, dup_divisor: int = 2) -> tuple[int, int]:
    """(n, d): either from a random duplication (d <= pixels / dup_divisor, at least 1-2),
    or a pool-style history n >= min_blocks."""
    if rng.random() < 0.7:
        dup = int(rng.integers(1, max(2, pixels // dup_divisor) + 1))
        dup = min(dup, pixels)
        return -(-pixels // dup), dup
    blocks = int(rng.integers(min(min_blocks, pixels), pixels + 1))
    return blocks, -(-pixels // blocks)


def random_problem(rng: np.random.Generator, *, max_layers: int = 6, square: bool = False,
                   min_layers: int = 2, max_rows: int = 10, fc_tail: int = 0, dup_divisor: int = 2,
                   max_stride: int = 2, eltwise_prob: float = 0.2, noc_op_prob: float = 0.6,
                   cross_pair_prob: float = 0.15, noc_max_cycles: int = 4):
    """A random network: conv/pool chain with an optional residual eltwise and FC tail
    (``fc_tail`` forces that many FC layers at the end, after at least one other layer).
    ``noc_op_prob``: chance of a TRAN (with providers) and of a MRG per layer;
    ``cross_pair_prob``: chance that two TRAN/MRG keys of different layers conflict."""
    specs = []  # (kind, rows, cols, channels, kernel, stride, pad0, providers)
    rows = int(rng.integers(4, max_rows + 1))
    cols = rows if square else int(rng.integers(4, max_rows + 1))
    channels = int(rng.integers(1, 9))
    count = int(rng.integers(min_layers, max_layers + 1))
    for idx in range(count):
        prev = idx - 1
        choice = rng.random()
        if idx > 0 and specs[prev][0] == "fc":
            kind = "fc"
        elif idx > 0 and idx >= count - fc_tail:
            kind = "fc"
        elif idx == count - 1 and idx > 0 and rng.random() < 0.5:
            kind = "fc"
        elif idx >= 2 and choice < eltwise_prob and specs[prev][1:3] == specs[prev - 1][1:3] and specs[prev][0] != "fc":
            kind = "eltwise"
        elif idx > 0 and choice < eltwise_prob + 0.25:
            kind = "pool"
        else:
            kind = "conv"
        if kind == "fc":
            specs.append(("fc", 1, 1, int(rng.integers(1, 17)), (1, 1), (1, 1), (0, 0), (prev,) if idx else ()))
            continue
        if kind == "eltwise":
            _, r, c, ch, *_ = specs[prev]
            specs.append(("eltwise", r, c, ch, (1, 1), (1, 1), (0, 0), (prev, prev - 1)))
            continue
        kh, kw = (int(rng.integers(1, 4)) for _ in range(2))
        sh, sw = (int(rng.integers(1, max_stride + 1)) for _ in range(2))
        ph, pw = int(rng.integers(0, (kh - 1) // 2 + 1)), int(rng.integers(0, (kw - 1) // 2 + 1))
        if square:
            kw, sw, pw = kh, sh, ph
        in_rows, in_cols = (rows, cols) if idx == 0 else specs[prev][1:3]
        out_rows, out_cols = _out(in_rows, kh, sh, ph), _out(in_cols, kw, sw, pw)
        if out_rows < 1 or out_cols < 1:
            kh = kw = sh = sw = 1
            ph = pw = 0
            out_rows, out_cols = in_rows, in_cols
        ch = int(rng.integers(1, 9)) if kind == "conv" else (channels if idx == 0 else specs[prev][3])
        specs.append((kind, out_rows, out_cols, ch, (kh, kw), (sh, sw), (ph, pw), (prev,) if idx else ()))

    layers = []
    bits = int(rng.choice([1, 2, 3, 4, 8]))
    for idx, (kind, r, c, ch, kernel, stride, pad, provs) in enumerate(specs):
        pixels = r * c
        floor_blocks = max([layers[p].blocks for p in provs], default=1)
        blocks, dup = _blocks(rng, pixels, floor_blocks if kind in ("pool", "eltwise") else 1, dup_divisor)
        if kind == "fc":
            blocks, dup = 1, 1
        body = {"conv": ("DAC", "ADC", "SHIFTADD", "ADDITION"), "fc": ("DAC", "ADC", "SHIFTADD", "ADDITION"),
                "pool": ("POOL",), "eltwise": ("ELTWISE",)}[kind]
        post = ("RELU",) if rng.random() < 0.3 else ()
        tran = ("TRAN",) if provs and rng.random() < noc_op_prob else ()
        mrg = ("MRG",) if rng.random() < noc_op_prob else ()
        q = int(rng.integers(1, 4))
        u = int(rng.integers(1, 4))
        layers.append(LayerSchedule(
            name=f"{kind}{idx}", kind=kind, blocks=blocks, dup=dup, channels=ch, out_w=r, out_h=c,
            kernel=kernel, stride=stride, pad0=pad, input_split=q, dup_split=u,
            ops=tran + ("LD",) + body + post + ("ST",) + mrg, providers=provs,
        ))
    keys = [(i, op) for i, layer in enumerate(layers) for op in ("TRAN", "MRG") if op in layer.ops]
    noc = set()
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            same_layer = keys[a][0] == keys[b][0]
            if rng.random() < (0.7 if same_layer else cross_pair_prob):
                noc.add(frozenset((keys[a], keys[b])))
    weight_layers = [i for i, layer in enumerate(layers) if "ADC" in layer.ops]
    adc = set()
    if len(weight_layers) >= 2 and rng.random() < 0.4:
        for _ in range(int(rng.integers(1, 3))):
            a, b = rng.choice(weight_layers, size=2, replace=False)
            adc.add(frozenset((int(a), int(b))))
    problem = ScheduleProblem(layers=tuple(layers), bits=bits, noc_conflicts=frozenset(noc),
                              adc_conflicts=frozenset(adc))
    return problem, random_cycles(rng, problem, noc_max_cycles)


def random_noc_problem(rng: np.random.Generator):
    """A NoC-heavy residual network, as ResNets make them: long stride-1 chains with
    eltwise joins, TRAN/MRG on almost every layer, many conflict pairs across layers and
    TRAN/MRG durations up to 12 cycles (long waits behind a running transfer)."""
    return random_problem(rng, max_layers=8, min_layers=5, max_rows=10, square=bool(rng.random() < 0.5),
                          dup_divisor=int(rng.choice([2, 8, 16])), max_stride=1, eltwise_prob=0.4,
                          noc_op_prob=0.9, cross_pair_prob=float(rng.choice([0.3, 0.6])),
                          noc_max_cycles=int(rng.choice([4, 12])))


def random_long_chain_problem(rng: np.random.Generator):
    """Long chains of blocks, as networks without duplication make them (d = 1 or 2, up to
    ~2,000 blocks per layer), with NoC conflicts on most TRAN/MRG keys: same-step victims
    whose ``A`` order walks lp chains hundreds of blocks long, so the kernel answers most
    comparisons from the pairs it stored (``schedule_kernel._walk``)."""
    return random_problem(rng, max_layers=6, min_layers=4, max_rows=40, dup_divisor=10**6, max_stride=1,
                          noc_op_prob=0.9, cross_pair_prob=0.5, noc_max_cycles=int(rng.choice([2, 6])))


def random_sharing_problem(rng: np.random.Generator):
    """A longer random network (stride 1, so maps and block counts stay large; an FC tail
    of 0-2 layers) whose ADC-sharing pairs are disjoint, as macro plans make them: the first
    and the last conv (far apart), two FCs, or 1-2 random disjoint pairs."""
    problem, _ = random_problem(rng, max_layers=9, min_layers=5, max_rows=16, fc_tail=int(rng.integers(0, 3)),
                                square=bool(rng.random() < 0.5), dup_divisor=int(rng.choice([2, 8, 16])),
                                max_stride=1)
    weights = [i for i, layer in enumerate(problem.layers) if "ADC" in layer.ops]
    convs = [i for i in weights if problem.layers[i].kind == "conv"]
    fcs = [i for i in weights if problem.layers[i].kind == "fc"]
    style = int(rng.integers(0, 3))
    pairs: list[tuple[int, int]] = []
    if style == 0 and len(convs) >= 2:
        pairs = [(convs[0], convs[-1])]
    elif style == 1 and len(fcs) >= 2:
        pairs = [tuple(int(x) for x in rng.choice(fcs, size=2, replace=False))]
    elif len(weights) >= 2:
        order = [int(x) for x in rng.permutation(weights)]
        pairs = list(zip(order[0::2], order[1::2]))[: int(rng.integers(1, 3))]
    problem = replace(problem, adc_conflicts=frozenset(frozenset(pair) for pair in pairs))
    return problem, random_cycles(rng, problem)


def random_cycles(rng: np.random.Generator, problem: ScheduleProblem, noc_max_cycles: int = 4) -> list[list[int]]:
    shared_adc = {layer for pair in problem.adc_conflicts for layer in pair}
    out = []
    for idx, layer in enumerate(problem.layers):
        row = []
        for op in layer.ops:
            if op in ("TRAN", "MRG"):
                row.append(int(rng.integers(1, noc_max_cycles + 1)))
            elif op in ("LD", "ST"):
                row.append(int(rng.integers(1, 5)))
            elif op == "ADC" and idx in shared_adc:
                row.append(1)
            else:
                row.append(int(rng.integers(1, 3)) if rng.random() < 0.3 else 1)
        out.append(row)
    return out


def random_noc_sharing_problem(rng: np.random.Generator):
    """A NoC-heavy residual network (:func:`random_noc_problem`) with 1-2 disjoint
    ADC-sharing pairs as well (B >= 4, pairs mostly of neighbouring weight layers, whose
    bursts come at similar rates): both conflict kinds in one segment, long NoC waits."""
    problem, _ = random_noc_problem(rng)
    weights = [i for i, layer in enumerate(problem.layers) if "ADC" in layer.ops]
    if rng.random() < 0.6:
        first = int(rng.integers(0, max(1, len(weights) - 1)))
        pairs = [tuple(weights[first:first + 2])] if len(weights) >= 2 else []
    else:
        order = [int(x) for x in rng.permutation(weights)]
        pairs = list(zip(order[0::2], order[1::2]))[: int(rng.integers(1, 3))]
    problem = replace(problem, bits=int(rng.choice([4, 8])),
                      adc_conflicts=frozenset(frozenset(pair) for pair in pairs))
    return problem, random_cycles(rng, problem, int(rng.choice([4, 12])))
