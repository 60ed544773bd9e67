"""Cross-op checks of the physical design (``pim.chip``, ``pim.macro``, ``pim.map`` and the
placed ``pim.transfer`` / ``pim.merge`` ops), run by the verifiers of ``pim.chip`` and
``pim.dataflow`` so that ``module.verify()`` rejects an inconsistent design.

Every message names the op and the field (docs/architecture.md, "The physical design in
the IR"):

* macro ids are 0..M-1 (the serpentine positions), each at a distinct mesh position;
* a map names a layer op of the module, at most one map per layer, only existing macros;
* a conv/FC map lists as many macros as the layer's ``macros`` and crossbars adding up
  to the layer's ``crossbars``; its ``shared_with`` is the layer's ``share_with``;
* a macro's ``layers`` are its home layer (the map that lists it) and, for a shared
  macro, that layer's sharing partner; its ``crossbars`` the sum the maps put on it;
* a placed transfer/merge names existing macros: a transfer's ``dst`` is every macro its
  layer runs on, a merge's ``dst`` the layer's merge macro.
"""

from __future__ import annotations

from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr
from xdsl.utils.exceptions import VerifyException

from pimsyn.ir.layer_ops import LayerOp

WEIGHT_OPS = ("pim.conv", "pim.fc")
#: layer ops that run on macros (the cost layers of spec 2.3)
MAPPED_OPS = ("pim.conv", "pim.fc", "pim.pool", "pim.eltwise")


def _layer_ops(module: ModuleOp) -> dict:
    return {op.layer: op for op in module.ops if isinstance(op, LayerOp)}


def _int_attr(op, key: str) -> int | None:
    attr = op.attributes.get(key)
    return attr.value.data if isinstance(attr, IntegerAttr) else None


def _partner(op) -> str | None:
    attr = op.attributes.get("share_with")
    return attr.data if isinstance(attr, StringAttr) else None


def chip_of(module: ModuleOp):
    """The module's `pim.chip` op, if any (matched by name: this module sits below the op
    definitions, whose verifiers call it)."""
    chips = [op for op in module.ops if op.name == "pim.chip"]
    if len(chips) > 1:
        raise VerifyException(f"a module holds at most one pim.chip op, found {len(chips)}")
    return chips[0] if chips else None


def layer_runs(chip) -> dict[str, tuple[int, ...]]:
    """Macros each layer's dataflow runs on: its home macros, plus its partner's when shared."""
    maps = {op.layer_name: op for op in chip.map_ops()}
    runs = {}
    for name, op in maps.items():
        ids = list(op.macro_ids)
        partner = maps.get(op.partner) if op.partner else None
        if partner is not None:
            ids = sorted(set(ids) | set(partner.macro_ids))
        runs[name] = tuple(ids)
    return runs


def verify_chip(chip, module: ModuleOp) -> None:
    macros = chip.macro_ops()
    ids = [m.macro_id for m in macros]
    if sorted(ids) != list(range(len(ids))):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        detail = f"macro {dup[0]} is defined twice" if dup else f"ids are {sorted(ids)}"
        raise VerifyException(f"pim.chip: macro ids must be 0 to {len(ids) - 1} ({detail})")
    seen_at: dict[tuple[int, int], int] = {}
    for m in macros:
        row, col = m.position
        if not (0 <= row < chip.rows and 0 <= col < chip.cols):
            m._fail(f"at [{row}, {col}] is outside the {chip.rows} x {chip.cols} mesh")
        if (row, col) in seen_at:
            m._fail(f"at [{row}, {col}] is taken by macro {seen_at[(row, col)]}")
        seen_at[(row, col)] = m.macro_id
    count = len(macros)
    layers = _layer_ops(module)
    maps: dict[str, object] = {}
    home: dict[int, str] = {}
    placed_crossbars = [0] * count
    for mp in chip.map_ops():
        name = mp.layer_name
        if name not in layers:
            mp._fail("names no layer op of the module")
        if name in maps:
            mp._fail("the layer is mapped twice")
        maps[name] = mp
        for key, values in (("macros", mp.macro_ids), ("merge", (mp.value("merge"),))):
            for macro in values:
                if macro >= count:
                    mp._fail(f"{key} names macro {macro}, but the chip has macros 0 to {count - 1}")
        layer = layers[name]
        if layer.name in WEIGHT_OPS:
            if mp.crossbars is None:
                mp._fail("a conv/FC map needs crossbars per macro")
            want = _int_attr(layer, "macros")
            if want is not None and len(mp.macro_ids) != want:
                mp._fail(f"macros lists {len(mp.macro_ids)} macros but the layer has macros = {want}")
            total = _int_attr(layer, "crossbars")
            if total is not None and sum(mp.crossbar_counts) != total:
                mp._fail(f"crossbars add up to {sum(mp.crossbar_counts)} but the layer has crossbars = {total}")
            if mp.partner != _partner(layer):
                mp._fail(f"shared_with is {mp.partner or 'absent'} but the layer's share_with is "
                         f"{_partner(layer) or 'absent'}")
            for macro, xbars in zip(mp.macro_ids, mp.crossbar_counts):
                if macro in home:
                    mp._fail(f"macro {macro} is already the home of layer \"{home[macro]}\"")
                home[macro] = name
                placed_crossbars[macro] += xbars
        elif len(mp.macro_ids) != 1:
            mp._fail(f"a pool/eltwise layer runs on one macro, got {len(mp.macro_ids)}")
    for name, layer in layers.items():
        if layer.name in MAPPED_OPS and name not in maps:
            raise VerifyException(f"pim.chip: layer \"{name}\" ({layer.name}) has no pim.map")
    for m in macros:
        names = m.layer_names
        mid = m.macro_id
        if mid not in home:
            m._fail("is the home of no conv/FC layer (no pim.map lists it)")
        if names[0] != home[mid]:
            m._fail(f"layers starts with \"{names[0]}\" but pim.map puts \"{home[mid]}\" on it")
        for other in names:
            if other not in layers:
                m._fail(f"layers names \"{other}\", which is no layer op of the module")
        if len(names) == 2:
            a, b = names
            if _partner(layers[a]) != b or _partner(layers[b]) != a:
                m._fail(f"serves \"{a}\" and \"{b}\", which are not sharing partners (share_with)")
        elif _partner(layers[names[0]]) is not None:
            m._fail(f"serves \"{names[0]}\" alone, but that layer shares its macros with "
                    f"\"{_partner(layers[names[0]])}\"")
        if m.count("crossbars") != placed_crossbars[mid]:
            m._fail(f"crossbars is {m.count('crossbars')} but the maps put {placed_crossbars[mid]} on it")
    runs = layer_runs(chip)
    for name, mp in maps.items():
        if mp.value("merge") not in runs[name]:
            mp._fail(f"merge is macro {mp.value('merge')}, which is not one of the layer's macros {list(runs[name])}")


def verify_endpoints(region, module: ModuleOp) -> None:
    """Placed transfer/merge ops against the chip (or: no endpoints without a chip)."""
    chip = chip_of(module)
    ops = [op for op in region.dataflow_ops() if op.name in ("pim.transfer", "pim.merge")]
    if chip is None:
        for op in ops:
            if op.src is not None:
                op._fail("names macros (src/dst) but the module has no pim.chip")
        return
    count = len(chip.macro_ops())
    maps = {op.layer_name: op for op in chip.map_ops()}
    runs = layer_runs(chip)
    for op in ops:
        if op.src is None:
            op._fail("has no src/dst although the module is placed (pim.chip); run 'place'")
        for key in ("src", "dst"):
            for macro in op.ints(key):
                if macro >= count:
                    op._fail(f"{key} names macro {macro}, but the chip has macros 0 to {count - 1}")
        layer = op.layer_name
        if layer not in maps:
            op._fail("its layer has no pim.map")
        merge = maps[layer].value("merge")
        if op.name == "pim.merge":
            if op.ints("dst")[0] != merge:
                op._fail(f"dst is macro {op.ints('dst')[0]} but the layer merges in macro {merge}")
            others = [m for m in runs[layer] if m != merge]
            if sorted(op.ints("src")) != others:
                op._fail(f"src {list(op.ints('src'))} is not the layer's macros other than the merge macro {others}")
            continue
        if tuple(sorted(op.ints("dst"))) != runs[layer]:
            op._fail(f"dst {list(op.ints('dst'))} is not the macros the layer runs on {list(runs[layer])}")
        # the transfer is its layer's first op; once unrolled, it may also wait on an earlier
        # op of its own layer (the previous block on the same macros), which is no provider
        providers = [dep.owner.layer_name for dep in op.deps if dep.owner.layer_name != layer]
        expected = [maps[p].value("merge") for p in providers if p in maps]
        if providers and list(op.ints("src")) != expected:
            op._fail(f"src {list(op.ints('src'))} is not the merge macros of its providers "
                     f"({', '.join(providers)}): {expected}")
