"""What the backends read: a synthesized design taken from its design.mlir module alone.

Every backend (accelerator JSON, PIMCOMP files, network JSON, report) lowers from the IR
(docs/architecture.md, "Backends"). `read_design` walks the module once and returns two
plain records with the names the emitters use:

* `DesignRecord`: the design point and decisions (`#pim.hw`, `#pim.budget`,
  `#pim.macro_setting`, the embedded `#pim.hw_table`, per-layer `dup` / `macros`);
* `EvaluationRecord`: the metrics (`pim.metrics`), the chip (`pim.chip`: mesh, macros,
  scratchpad), the schedule (`pim.dataflow clock_ns/cycles`) and one `LayerRecord` per
  layer (alloc, per-macro units of its `pim.map`, crossbars, its dataflow ops).

Nothing is recomputed: a design.mlir copied alone to another machine emits the same files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from xdsl.dialects.builtin import ModuleOp

from pimsyn.backend.errors import BackendError

#: Dataflow op kind -> the component / op name of the cost model (spec 2.3 op lists).
OP_NAMES = {"load": "LD", "store": "ST", "mvm": "DAC", "adc": "ADC", "transfer": "TRAN", "merge": "MRG",
            "shiftadd": "SHIFTADD", "add": "ADDITION", "pool": "POOL", "relu": "RELU", "sigmoid": "SIGMOID",
            "eltwise": "ELTWISE", "leakyrelu": "LEAKYRELU", "prelu": "PRELU", "hardsigmoid": "HARDSIGMOID",
            "hardswish": "HARDSWISH", "elu": "ELU", "selu": "SELU", "softplus": "SOFTPLUS", "swish": "SWISH",
            "gelu": "GELU", "mish": "MISH", "instancenorm": "INSTANCENORM", "layernorm": "LAYERNORM"}
_HEADLINE = ("power_efficiency_gops_per_w", "peak_power_efficiency_gops_per_w", "cycles", "clock_ns",
             "latency_ns", "throughput_inferences_per_s", "energy_per_inference_nj", "edp_nj_ns",
             "average_power_w", "allocated_peak_power_w")
_INT_METRICS = ("cycles", "spm_kb", "ops")
WEIGHT_KINDS = ("conv", "fc")


@dataclass(frozen=True)
class LayerRecord:
    name: str
    kind: str
    dup: int
    blocks: int
    macros: int  # the gene's macro count c (0 for pool/eltwise)
    partner: str | None
    alloc: dict[str, int]  # whole-layer units (#pim.alloc)
    per_macro: dict[str, int]  # spec 6 per-macro counts (the pim.map units without DACs)
    crossbars: int
    macro_size: int  # ceil(crossbars / c) for conv/FC, 0 otherwise
    ops: tuple[str, ...]  # the layer's dataflow ops as op names (LD, DAC, ADC, ...)


@dataclass(frozen=True)
class DesignRecord:
    module: ModuleOp = field(repr=False, compare=False)
    name: str
    total_power_w: float
    rram_ratio: float
    xbar_size: int
    cell_res: int
    dac_res: int
    adc_res: int
    weight_res: int
    data_res: int
    macro_setting: str
    conv_dup: tuple[int, ...]
    macros: tuple[int, ...]  # gene order: convs then FCs
    hw_file: str | None
    seed: int | None

    @cached_property
    def network(self):
        from pimsyn.ir.extract import module_to_network

        return module_to_network(self.module)

    @cached_property
    def hw(self):
        from pimsyn.ir.hw_table import HwTableAttr

        attr = self.module.attributes.get("pim.hardware")
        if not isinstance(attr, HwTableAttr):
            raise BackendError("the design has no embedded hardware table (pim.hardware); rerun 'duplicate'")
        return attr.hardware()

    @property
    def weight_slices(self) -> int:
        """R = ceil(weight_res / cell_res): crossbars one full-precision weight tile spans."""
        return -(-self.weight_res // self.cell_res)


@dataclass(frozen=True)
class EvaluationRecord:
    feasible: bool
    reason: str
    metrics: dict[str, float]
    layers: tuple[LayerRecord, ...]
    mesh_rows: int
    mesh_cols: int
    total_macros: int
    spm_kb: int
    unified_macro_size: int
    energy_nj: dict[str, float]
    component_energy_nj: dict[str, tuple[float, float]]
    search: dict | None

    def __getattr__(self, key: str):
        # headline metrics (power_efficiency_gops_per_w, cycles, ...) read from pim.metrics
        metrics = self.__dict__.get("metrics", {})
        if key in _HEADLINE or key in ("ops", "peak_ops_per_s"):
            if key not in metrics:
                raise BackendError(f"the design has no metric '{key}'; run 'evaluate'")
            value = metrics[key]
            return int(value) if key in _INT_METRICS else value
        raise AttributeError(key)


def _layer_records(module, chip, region) -> tuple[LayerRecord, ...]:
    from pimsyn.ir import design as ir_design

    maps = {op.layer_name: op for op in chip.map_ops()} if chip is not None else {}
    ops_of: dict[str, list[str]] = {}
    for op in region.dataflow_ops() if region is not None else ():
        ops_of.setdefault(op.layer_name, []).append(OP_NAMES[op.kind])
    records = []
    for op in ir_design.layer_ops(module):
        kind = op.name.split(".", 1)[1]
        if kind not in ("conv", "fc", "pool", "eltwise"):
            continue
        name = op.layer
        weight = kind in WEIGHT_KINDS
        macros = ir_design.get_design_int(op, "macros") or 0
        crossbars = ir_design.get_design_int(op, "crossbars") or 0
        units = maps[name].units.counts if name in maps else {}
        records.append(LayerRecord(
            name=name, kind=kind, dup=ir_design.get_design_int(op, "dup") or 0,
            blocks=ir_design.get_design_int(op, "blocks") or 0, macros=macros if weight else 0,
            partner=ir_design.get_share_with(op), alloc=ir_design.get_alloc(op),
            per_macro={k: v for k, v in units.items() if k != "DAC"}, crossbars=crossbars if weight else 0,
            macro_size=-(-crossbars // macros) if weight and macros else 0, ops=tuple(ops_of.get(name, ())),
        ))
    return tuple(records)


def read_design(module: ModuleOp) -> tuple[DesignRecord, EvaluationRecord]:
    """The design and evaluation records of a synthesized design.mlir module."""
    from xdsl.dialects.builtin import StringAttr

    from pimsyn.ir import design as ir_design
    from pimsyn.ir.hw_table import to_python
    from pimsyn.ir.physical import chip_of

    hw_attr, budget = ir_design.get_hw(module), ir_design.get_budget(module)
    if hw_attr is None or budget is None:
        raise BackendError("the module is not a synthesized design (no #pim.hw / #pim.budget); "
                           "run the synthesis passes or `pimsyn synth`")
    metrics = ir_design.get_metrics(module)
    if not metrics:
        raise BackendError("the design has no metrics (pim.metrics); run 'evaluate'")
    feasible = bool(metrics.get("feasible", 0.0))
    chip = chip_of(module)
    region = ir_design.dataflow_region(module)
    layers = _layer_records(module, chip, region)
    ops = ir_design.layer_ops(module)
    convs = [op for op in ops if op.name == "pim.conv"]
    fcs = [op for op in ops if op.name == "pim.fc"]
    search_attr = module.attributes.get("pim.search")
    search = to_python(search_attr) if search_attr is not None else None
    hw_file = module.attributes.get("pim.hw_file")
    design = DesignRecord(
        module=module, name=module.sym_name.data if module.sym_name else "network",
        total_power_w=budget.total_power_w, rram_ratio=budget.rram_ratio, xbar_size=hw_attr.xbar,
        cell_res=hw_attr.cell_res, dac_res=hw_attr.dac_res, adc_res=hw_attr.adc_res,
        weight_res=hw_attr.weight_res, data_res=hw_attr.data_res,
        macro_setting=ir_design.get_macro_setting(module) or "specified",
        conv_dup=tuple(ir_design.get_design_int(op, "dup") or 0 for op in convs),
        macros=tuple(ir_design.get_design_int(op, "macros") or 0 for op in convs + fcs),
        hw_file=hw_file.data if isinstance(hw_file, StringAttr) else None,
        seed=int(search["seed"]) if search and "seed" in search else None,
    )
    if feasible and chip is None:
        raise BackendError("the design is not placed (no pim.chip); run 'place'")
    macro_ops = chip.macro_ops() if chip is not None else []
    energy = {k[len("energy_"):-len("_nj")]: v for k, v in metrics.items()
              if k.startswith("energy_") and k.endswith("_nj") and k not in _HEADLINE}
    split = {}
    for key, value in metrics.items():
        if key.startswith("component_") and key.endswith("_static_nj"):
            comp = key[len("component_"):-len("_static_nj")]
            split[comp] = (value, metrics.get(f"component_{comp}_dynamic_nj", 0.0))
    evaluation = EvaluationRecord(
        feasible=feasible, reason="" if feasible else "the design.mlir records an infeasible design",
        metrics=metrics, layers=layers, mesh_rows=chip.rows if chip else 0, mesh_cols=chip.cols if chip else 0,
        total_macros=len(macro_ops), spm_kb=max((m.count("spm_kb") for m in macro_ops), default=0),
        unified_macro_size=max((m.count("size") for m in macro_ops), default=0)
        if design.macro_setting == "unified" else 0,
        energy_nj=energy, component_energy_nj=split, search=search,
    )
    return design, evaluation
