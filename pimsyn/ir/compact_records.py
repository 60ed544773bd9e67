"""The records of a compact design (`hw/compact_design.py`) <-> its ops
(`ir/compact_ops.py`), both ways, so that what synth writes and what the backends read
back are the same records (docs/compact.md, "Compact synthesis")."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from pimsyn.hw.compact_design import (
    BatchRow, CompactChipRecord, CompactDesign, DramLoad, DramStore, PartRecord, ResidentSlice,
)
from pimsyn.ir.compact_ops import BatchPointOp, CompactOp, DramLoadOp, DramStoreOp, PartOp, ResidentOp, compact_of
from pimsyn.ir.syntax import to_attr

#: pim.batch_point field -> BatchRow field
_ROW_FIELDS = {"throughput": "throughput_inferences_per_s", "latency_ns": "latency_ns",
               "energy_nj": "energy_per_inference_nj", "tops_per_w": "tops_per_w",
               "dram_share": "dram_energy_share", "reloads": "reloads_per_inference",
               "gops_per_mm2": "gops_per_mm2", "throughput_ddm": "throughput_ddm", "throughput_sa": "throughput_sa"}


def _properties(cls, values: dict) -> dict:
    """An op's properties from Python values (None / False: left out)."""
    props = {}
    for field in cls.FIELDS:
        value = values.get(field.key)
        if value is not None and value is not False:
            props[field.key] = to_attr(field.kind, value)
    if cls.LEAD:
        props = {cls.LEAD: to_attr("string", values[cls.LEAD]), **props}
    return props


def _make(cls, values: dict, ops=None):
    from xdsl.ir import Block, Region

    regions = [Region(Block(list(ops)))] if ops is not None else []
    return cls.create(properties=_properties(cls, values), regions=regions)


def compact_op(design: CompactDesign) -> CompactOp:
    """The `pim.compact` op of a design."""
    chip = design.chip
    parts = []
    for part in design.parts:
        body = [_make(ResidentOp, {"layer": s.layer, "rows": s.rows, "cols": s.cols, "crossbars": s.crossbars,
                                   "dup": s.dup, "ddm": s.ddm, "sa": s.sa, "macros": s.macros, "split": not s.whole})
                for s in part.slices]
        body += [_make(DramLoadOp, {"layer": load.layer, "kind": load.kind, "bytes": load.bytes,
                                    "from_part": load.from_part if load.kind == "activations" and load.from_part >= 0
                                    else None, "into": load.into or None}) for load in part.loads]
        body += [_make(DramStoreOp, {"layer": store.layer, "kind": "activations", "bytes": store.bytes})
                 for store in part.stores]
        parts.append(_make(PartOp, {"index": part.index, "layers": part.layers, "duplication": part.duplication,
                                    "cycles_ddm": part.cycles_ddm, "cycles_sa": part.cycles_sa,
                                    "overlap": part.overlap}, body))
    points = [_make(BatchPointOp, {"batch": row.batch, **{key: getattr(row, attr) for key, attr in _ROW_FIELDS.items()}})
              for row in design.batch_table]
    return _make(CompactOp, {
        "organisation": chip.organisation, "macros": chip.macros, "macro_crossbars": chip.macro_crossbars,
        "xbar": chip.xbar_size, "cell_res": chip.cell_res, "dac_res": chip.dac_res, "adc_res": chip.adc_res,
        "macro_area_mm2": chip.macro_area_mm2, "dram": chip.dram, "batch": chip.batch,
        "area_limit_mm2": chip.area_limit_mm2, "max_crossbars": chip.max_crossbars,
        "total_power_w": chip.total_power_w,
    }, parts + points)


def compact_design_of(module: ModuleOp, metrics: dict[str, float] | None = None, seed: int = 1) -> CompactDesign:
    """The records of the module's `pim.compact` op (a ValueError when it has none)."""
    op = compact_of(module)
    if op is None:
        raise ValueError("the module holds no pim.compact op")
    v = op.value
    chip = CompactChipRecord(
        organisation=v("organisation"), macros=v("macros"), macro_crossbars=v("macro_crossbars"), xbar_size=v("xbar"),
        cell_res=v("cell_res"), dac_res=v("dac_res"), adc_res=v("adc_res"), macro_area_mm2=v("macro_area_mm2"),
        dram=v("dram"), batch=v("batch"), area_limit_mm2=v("area_limit_mm2"), max_crossbars=v("max_crossbars"),
        total_power_w=v("total_power_w"),
    )
    parts = []
    for part in op.parts():
        slices = tuple(ResidentSlice(
            layer=s.value("layer"), rows=tuple(s.value("rows")), cols=tuple(s.value("cols")),
            crossbars=s.value("crossbars"), dup=s.value("dup"), ddm=s.value("ddm"), sa=s.value("sa"),
            macros=s.value("macros"), whole=not s.value("split")) for s in part.ops_of(ResidentOp))
        loads = tuple(DramLoad(
            layer=d.value("layer"), kind=d.value("kind"), bytes=d.value("bytes"),
            from_part=d.value("from_part") if d.value("from_part") is not None else -1,
            into=d.value("into") or "") for d in part.ops_of(DramLoadOp))
        stores = tuple(DramStore(layer=d.value("layer"), bytes=d.value("bytes")) for d in part.ops_of(DramStoreOp))
        parts.append(PartRecord(
            index=part.value("index"), layers=tuple(part.value("layers")), duplication=part.value("duplication"),
            cycles_ddm=part.value("cycles_ddm"), cycles_sa=part.value("cycles_sa"), overlap=part.value("overlap"),
            slices=slices, loads=loads, stores=stores))
    rows = tuple(BatchRow(batch=p.value("batch"), **{attr: p.value(key) for key, attr in _ROW_FIELDS.items()})
                 for p in op.batch_points())
    name = module.sym_name.data if module.sym_name else "network"
    return CompactDesign(name=name, chip=chip, parts=tuple(parts), batch_table=rows, metrics=dict(metrics or {}),
                         seed=seed)
