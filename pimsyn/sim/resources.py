"""Shared resources of the simulated chip (docs/simulator.md, "Resources").

Every op kind that can collide with another layer's ops holds a set of resources for its
latency; an op starts only when all of them are free:

* **NoC links.** A transfer or merge holds every directed mesh link of its routes for its
  latency: routes are XY (along the source row first, then along the destination
  column, the placement's routing, paper Sec. IV-D), from each `src` macro to each `dst`
  macro the IR names. Two layers whose link sets are disjoint never wait for each other.
* **ADCs.** Two layers that share macros (`pim.map ... shared_with`) share one bank of
  ADCs: their ADC conversions (one per bit) exclude each other.
* **Scratchpad ports** (optional, `spm_ports=True`): each macro's scratchpad has one read
  port, held by the loads of the layers that run there, and one write port, held by their
  stores.

A resource set no other op kind touches cannot delay anything, so it is dropped: those
ops run at their dependency-ready time. Ties between ops ready in the same cycle go by a
priority per resource kind (:data:`PRIORITY`), the cost model's tie rules (spec 5.13): for
ADCs the higher bit first, then the earlier layer; for the NoC the shorter transfer first,
then the earlier layer; for ports the earlier layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pimsyn.sim.dataflow import NOC_KINDS, Flow

#: resource kinds, as stored per op (0 = none)
NONE, ADC, NOC, SPM = 0, 1, 2, 3
KIND_NAMES = {ADC: "adc", NOC: "noc", SPM: "spm"}


@dataclass(frozen=True)
class Resources:
    """Per (layer, op): the resource kind and the group of resource ids it holds."""

    kind: list[list[int]]  # [layer][op] -> NONE | ADC | NOC | SPM
    group: list[list[int]]  # [layer][op] -> group index, -1 none
    group_ptr: np.ndarray  # CSR over groups
    group_res: np.ndarray
    count: int  # resource ids in use


def xy_links(src: tuple[int, int], dst: tuple[int, int], cols: int, rows: int) -> list[int]:
    """Directed link ids of the XY route src -> dst: along src's row, then dst's column.

    Link id = 4 * (router index) + direction (0 east, 1 west, 2 south, 3 north), the
    router being the one the link leaves."""
    (r, c), (r2, c2) = src, dst
    links = []
    step = 1 if c2 > c else -1
    while c != c2:
        links.append(4 * (r * cols + c) + (0 if step > 0 else 1))
        c += step
    step = 1 if r2 > r else -1
    while r != r2:
        links.append(4 * (r * cols + c) + (2 if step > 0 else 3))
        r += step
    return links


def build_resources(flow: Flow, spm_ports: bool = False, contention: bool = True) -> Resources:
    """The contended resource groups of the design; ``contention=False`` drops them all
    (the dependency-only schedule, to see what contention costs)."""
    sets = resource_sets(flow, spm_ports) if contention else {}
    # keep only sets that meet another op's set
    owners: dict[int, set] = {}
    for key, (_, res) in sets.items():
        for r in res:
            owners.setdefault(r, set()).add(key)
    contended = {key for key, (_, res) in sets.items() if any(len(owners[r]) > 1 for r in res)}
    kind = [[NONE] * len(layer.ops) for layer in flow.layers]
    group = [[-1] * len(layer.ops) for layer in flow.layers]
    ptr, ids = [0], []
    for key in sorted(contended):
        li, k = key
        res_kind, res = sets[key]
        kind[li][k] = res_kind
        group[li][k] = len(ptr) - 1
        ids.extend(sorted(res))
        ptr.append(len(ids))
    count = 4 * flow.rows * flow.cols + len(flow.layers) + 2 * len(flow.positions)
    return Resources(kind=kind, group=group, group_ptr=np.asarray(ptr, dtype=np.int64),
                     group_res=np.asarray(ids, dtype=np.int64), count=count)


def conflict_pairs(flow: Flow, spm_ports: bool = False) -> set[frozenset]:
    """Pairs of (layer name, op kind) whose resource sets meet: the ops that can delay each
    other (for NoC ops, the cost model's conflict pairs of spec 5.4)."""
    sets = sorted(resource_sets(flow, spm_ports).items())
    pairs = set()
    for i, ((la, ka), (_, ra)) in enumerate(sets):
        for (lb, kb), (_, rb) in sets[i + 1:]:
            if ra & rb:
                pairs.add(frozenset({(flow.layers[la].name, flow.layers[la].ops[ka].kind),
                                     (flow.layers[lb].name, flow.layers[lb].ops[kb].kind)}))
    return pairs


def resource_sets(flow: Flow, spm_ports: bool) -> dict[tuple[int, int], tuple[int, frozenset]]:
    """(layer, op) -> (resource kind, resource ids) for every op that holds resources."""
    sets: dict[tuple[int, int], tuple[int, frozenset]] = {}
    links_base = 0
    adc_base = 4 * flow.rows * flow.cols
    spm_base = adc_base + len(flow.layers)
    macro_ids = sorted(flow.positions)
    slot = {m: i for i, m in enumerate(macro_ids)}
    for li, layer in enumerate(flow.layers):
        for k, op in enumerate(layer.ops):
            if op.kind in NOC_KINDS:
                links = set()
                for s in op.src:
                    for d in op.dst:
                        links.update(xy_links(flow.positions[s], flow.positions[d], flow.cols, flow.rows))
                if links:
                    sets[(li, k)] = (NOC, frozenset(links_base + x for x in links))
            elif op.kind == "adc" and layer.partner >= 0:
                sets[(li, k)] = (ADC, frozenset({adc_base + min(li, layer.partner)}))
            elif spm_ports and op.kind in ("load", "store"):
                port = 0 if op.kind == "load" else 1
                sets[(li, k)] = (SPM, frozenset(spm_base + 2 * slot[m] + port for m in layer.run))
    return sets
