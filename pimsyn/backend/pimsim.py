"""A pimsim-nn program of the synthesized accelerator (issue "The simulator program", part 2).

pimsim-nn (github.com/wangxy-2000/pimsim-nn) runs ``ChipTest program.json arch.json``; this
module writes, from design.mlir alone (docs/architecture.md, "Where new things go"), the
three files it needs to simulate one inference (``sim_mode`` 1) of exactly the synthesized
accelerator. The format rules it follows are listed in docs/simulator.md ("Rules of the
program format"); ``pimsyn.backend.pimsim_check`` checks them.

Cores and array groups
    one pimsim core per ``pim.macro`` (core k = macro k). The conv/FC layers holding
    crossbars on macro k (``pim.map ... crossbars``, home macros only) are the array groups
    of core k, in ``pim.map`` order: ``array_group_map["corek"][g]`` = the crossbars of that
    layer on that macro. A sharing partner runs its ALU work on the shared macro too, but
    its crossbars (and so its ``mvmul``) stay on its own home macros.

Instructions per dataflow op, layer and block (compact ``pim.dataflow`` op with its
``cnt`` range; the ``bit`` range is folded into each instruction, pimsim-nn's ``mvmul``
being bit-serial itself, ``in = ibiw / dac_resolution``):

    load      home macros (weight layer) / its macro (pool, eltwise):
              ``ld`` from global memory when the layer reads the network input, else ``lmv``
              (scratchpad -> input buffer); bytes = ceil(vec_width / macros) x data bytes
    mvm       ``mvmul`` on the layer's array group of every home macro (after ``setbw``
              ibiw = obiw = data_res; mbiw = weight_res); ``adc`` has no instruction (pimsim's
              mvmul includes the ADCs and the column shift-adder)
    shiftadd  ``vvsll`` then ``vvadd``, len = ceil(vec_width x bits / run macros)
    add       ``vvadd``; pool max ``vvmax``, avg ``vavg``; relu ``vrelu``; sigmoid /
              hardsigmoid ``vsigm``; tanh ``vtanh``; eltwise add / sum ``vvadd``, mul ``vvmul``,
              sub ``vvsub``, max ``vvmax``; every other activation or norm ``vrelu`` (the
              closest one-operand op; its source comment names the real op)
    store     ``lmv`` (output -> scratchpad), ``st`` to global memory for an output layer
    merge     one ``send`` (every ``src`` macro but the merge macro) and one ``recv`` on the
              ``dst`` merge macro per source, ``bytes`` each
    transfer  a ``send`` / ``recv`` pair per (src, dst) with src != dst, ceil(bytes / len(src))
              each (a destination receives ``bytes`` per block from all its providers)

ALU ops, loads of pool/eltwise layers and stores run on the layer's run macros (the
``dst`` of its ``pim.transfer``, else its home macros and its partner's), with the op's
vector width split evenly over them.

Ordering (no deadlock by construction): every (op, block) is an event with an estimated
start cycle (op ``start`` + block x the layer's initiation interval, the largest
latency x bits of its ops); the events are merged into ONE global sequence sorted by
(cycle, op index, block) and each event appends its instructions to the cores it
involves, the send before its recv. Each core's list is a projection of that global
sequence, so every recv's matching send is at the same or an earlier position of the
sequence on its sender, and the senders never block: by induction on the sequence every
core runs to its end. Per (src, dst) pair sends and recvs are appended in the same
order, so pimsim's in-order matching pairs exactly the messages we pair.

Registers (addresses only matter to the reorder buffer's hazard check): r0/r1 the
global-memory address pair, then three registers per layer slot of a core (input,
output, scratchpad buffer), slots wrapping after nine layers.
"""

from __future__ import annotations

import gzip
import heapq
import json
import math

from pimsyn.backend.errors import BackendError

#: pimsim-nn's global-memory switch id (format doc, Section 2).
GLOBAL_MEMORY_ID = -10
#: program.json is written gzip-compressed (same name; pimsim-nn detects it by magic bytes)
#: above this many bytes.
GZIP_ABOVE_BYTES = 8 * 1024 * 1024
_OFFSET = {"offset_select": 0, "offset_value": 0}
_FIRST_SLOT_REG = 2
_REGS_PER_SLOT = 3
_SLOTS = (32 - _FIRST_SLOT_REG) // _REGS_PER_SLOT
#: one-operand vector op of each activation kind; kinds not listed run as vrelu.
_UNARY = {"relu": "vrelu", "sigmoid": "vsigm", "hardsigmoid": "vsigm", "tanh": "vtanh"}
_ELTWISE = {"add": "vvadd", "sum": "vvadd", "mul": "vvmul", "prod": "vvmul", "sub": "vvsub", "max": "vvmax"}
_WEIGHT_KINDS = ("pim.conv", "pim.fc")
_BLOCK = "\x00"  # the block number's place in a source comment while an op's plan is recorded


def _ceil(a: int, b: int) -> int:
    return -(-int(a) // max(1, int(b)))


class _Layout:
    """What the emitter needs from the module: macros, maps, groups, layer roles."""

    def __init__(self, design, evaluation) -> None:
        from pimsyn.ir import design as ir_design
        from pimsyn.ir.physical import chip_of

        module = design.module
        chip = chip_of(module)
        region = ir_design.dataflow_region(module)
        if chip is None or region is None:
            raise BackendError("the design is not placed and scheduled (no pim.chip / pim.dataflow); "
                               "run 'place' and 'schedule'")
        if region.is_unrolled:
            raise BackendError("the pimsim program needs the compact pim.dataflow (not an unrolled one)")
        self.macros = sorted(chip.macro_ops(), key=lambda m: m.macro_id)
        self.core_count = len(self.macros)
        if [m.macro_id for m in self.macros] != list(range(self.core_count)):
            raise BackendError("pimsim program: macro ids must be 0..M-1")
        self.maps = {op.layer_name: op for op in chip.map_ops()}
        self.ops = region.dataflow_ops()
        self.data_bytes = _ceil(design.data_res, 8)
        # array groups: per core, (layer, crossbars) in pim.map order
        self.groups: dict[int, list[tuple[str, int]]] = {k: [] for k in range(self.core_count)}
        self.home: dict[str, list[int]] = {}
        for name, mp in self.maps.items():
            counts = mp.crossbar_counts
            if not counts:
                continue
            home = [m for m, x in zip(mp.macro_ids, counts) if x > 0]
            self.home[name] = home
            for macro, xbars in zip(mp.macro_ids, counts):
                if xbars > 0:
                    self.groups[macro].append((name, int(xbars)))
        self.group_index = {(name, k): g for k, groups in self.groups.items()
                            for g, (name, _) in enumerate(groups)}
        # run macros: the transfer's dst, else the home macros and the partner's
        transfer_dst = {op.layer_name: list(op.ints("dst") or ()) for op in self.ops if op.kind == "transfer"}
        self.run: dict[str, list[int]] = {}
        for name, mp in self.maps.items():
            if transfer_dst.get(name):
                self.run[name] = transfer_dst[name]
            else:
                macros = list(mp.macro_ids)
                if mp.partner and mp.partner in self.maps:
                    macros += [m for m in self.maps[mp.partner].macro_ids if m not in macros]
                self.run[name] = macros
        # layer roles from the SSA graph
        self.reads_input: set[str] = set()
        self.is_output: set[str] = set()
        self.layer_kind: dict[str, str] = {}
        self.pool_method: dict[str, str] = {}
        self.eltwise_op: dict[str, str] = {}
        for op in ir_design.layer_ops(module):
            if op.name == "pim.input":
                continue
            name = op.layer
            self.layer_kind[name] = op.name
            if any(getattr(v.owner, "name", "") == "pim.input" for v in op.operands):
                self.reads_input.add(name)
            if all(not list(r.uses) for r in op.results):
                self.is_output.add(name)
            if op.name == "pim.pool":
                self.pool_method[name] = op.method.data
            elif op.name == "pim.eltwise":
                self.eltwise_op[name] = op.properties["op"].data
        for name in self.maps:
            if name not in self.run or not self.run[name]:
                raise BackendError(f"pimsim program: layer '{name}' runs on no macro")

    def macros_of(self, name: str) -> list[int]:
        return self.run.get(name) or list(self.maps[name].macro_ids)


def _interval(layer_ops) -> int:
    """A layer's estimated block initiation interval in schedule cycles."""
    return max(1, max(((op.optional_param("latency") or 1) * max(1, op.bit.size) for op in layer_ops), default=1))


def _events(ops):
    """(cycle, op index, block) of every (op, block), as one globally sorted sequence."""
    by_layer: dict[str, list] = {}
    for op in ops:
        by_layer.setdefault(op.layer_name, []).append(op)
    interval = {name: _interval(layer_ops) for name, layer_ops in by_layer.items()}
    def stream(index: int, op):
        start, step, first = op.optional_param("start") or 0, interval[op.layer_name], op.cnt.start
        for b in range(op.cnt.start, op.cnt.end):
            yield start + (b - first) * step, index, b

    return heapq.merge(*(stream(index, op) for index, op in enumerate(ops)))


class _Emitter:
    def __init__(self, design, evaluation, with_sources: bool) -> None:
        self.design = design
        self.layout = _Layout(design, evaluation)
        self.with_sources = with_sources
        n = self.layout.core_count
        self.code: list[list[dict]] = [[] for _ in range(n)]
        self.src: list[list[str]] = [[] for _ in range(n)]
        self.slots: list[dict[str, int]] = [{} for _ in range(n)]
        for k in range(n):
            self._emit(k, {"op": "setbw", "ibiw": design.data_res, "obiw": design.data_res}, "setbw data_res")
            self._emit(k, {"op": "sldi", "rd": 0, "imm": 0}, "global address (low)")
            self._emit(k, {"op": "sldi", "rd": 1, "imm": 0}, "global address (high)")

    def _emit(self, core: int, inst: dict, comment: str) -> None:
        self.code[core].append(inst)
        if self.with_sources:
            self.src[core].append(comment)

    def _regs(self, core: int, layer: str) -> tuple[int, int, int]:
        """(input, output, buffer) registers of a layer on a core, set on first use."""
        slots = self.slots[core]
        slot = slots.get(layer)
        if slot is None:
            slot = slots[layer] = len(slots)
            base = _FIRST_SLOT_REG + (slot % _SLOTS) * _REGS_PER_SLOT
            spm = max(1, self.layout.macros[core].count("spm_kb")) * 1024
            region = spm // (3 * (_SLOTS + 1))
            for i in range(3):
                self._emit(core, {"op": "sldi", "rd": base + i, "imm": ((slot % _SLOTS) * 3 + i) * region},
                           f'address of "{layer}" ({("input", "output", "buffer")[i]})')
            return base, base + 1, base + 2
        base = _FIRST_SLOT_REG + (slot % _SLOTS) * _REGS_PER_SLOT
        return base, base + 1, base + 2

    def emit_event(self, op, block: int | str) -> None:
        lay, kind, name = self.layout, op.kind, op.layer_name
        bits = op.bit
        bit_text = f" bit {bits.start}" + (f" to {bits.end}" if bits.size > 1 else "") if kind in (
            "mvm", "adc", "shiftadd") else ""
        label = f'pim.{kind} "{name}" cnt {block}{bit_text}'
        if kind == "adc":
            return  # part of pimsim's mvmul
        if kind == "mvm":
            for core in lay.home.get(name, ()):
                rin, rout, _ = self._regs(core, name)
                self._emit(core, {"op": "mvmul", "rd": rout, "rs1": rin, "mbiw": self.design.weight_res,
                                  "relu": 0, "group": lay.group_index[(name, core)]}, label)
            return
        if kind in ("merge", "transfer"):
            self._messages(op, block, label)
            return
        weight = lay.layer_kind.get(name) in _WEIGHT_KINDS
        if kind == "load":
            cores = lay.home.get(name) if weight else None
            cores = cores or lay.macros_of(name)
            size = _ceil(op.param("vec_width"), len(cores)) * lay.data_bytes
            for core in cores:
                rin, _, rbuf = self._regs(core, name)
                if name in lay.reads_input:
                    inst = {"op": "ld", "rd": rin, "rs1": 0, "size": size, "offset": dict(_OFFSET)}
                else:
                    inst = {"op": "lmv", "rd": rin, "rs1": rbuf, "len": size, "size": size, "offset": dict(_OFFSET)}
                self._emit(core, inst, label)
            return
        cores = lay.macros_of(name)
        if kind == "store":
            size = _ceil(op.param("vec_width"), len(cores)) * lay.data_bytes
            for core in cores:
                _, rout, rbuf = self._regs(core, name)
                if name in lay.is_output:
                    inst = {"op": "st", "rd": 0, "rs1": rout, "size": size, "offset": dict(_OFFSET)}
                else:
                    inst = {"op": "lmv", "rd": rbuf, "rs1": rout, "len": size, "size": size, "offset": dict(_OFFSET)}
                self._emit(core, inst, label)
            return
        # ALU ops
        width = op.param("vec_width") * (max(1, bits.size) if kind == "shiftadd" else 1)
        length = _ceil(width, len(cores))
        for core in cores:
            rin, rout, _ = self._regs(core, name)
            for opcode, comment in self._vector_opcodes(kind, name):
                inst = {"op": opcode, "rd": rout, "rs1": rout if opcode != "vavg" else rin, "len": length,
                        "offset": dict(_OFFSET)}
                if opcode.startswith("vv"):
                    inst["rs2"] = rout
                self._emit(core, inst, label + comment)

    def _vector_opcodes(self, kind: str, name: str) -> list[tuple[str, str]]:
        if kind == "shiftadd":
            return [("vvsll", " (shift)"), ("vvadd", " (add)")]
        if kind == "add":
            return [("vvadd", "")]
        if kind == "pool":
            method = self.layout.pool_method.get(name, "max")
            return [("vavg", "") if method.startswith("av") else ("vvmax", "")]
        if kind == "eltwise":
            operation = self.layout.eltwise_op.get(name, "add")
            opcode = _ELTWISE.get(operation)
            return [(opcode, "")] if opcode else [("vvadd", f" ({operation} as vvadd)")]
        opcode = _UNARY.get(kind)
        return [(opcode, "")] if opcode else [("vrelu", f" ({kind} as vrelu)")]

    def _messages(self, op, block: int, label: str) -> None:
        src, dst = list(op.ints("src") or ()), list(op.ints("dst") or ())
        if not src or not dst:
            raise BackendError(f'pimsim program: {op.name} "{op.layer_name}" has no src/dst macros; run \'place\'')
        size = op.param("bytes") if op.kind == "merge" else _ceil(op.param("bytes"), len(src))
        name = op.layer_name
        for s in src:
            for d in dst:
                if s == d:
                    continue
                _, rout, _ = self._regs(s, name)
                self._emit(s, {"op": "send", "rd": rout, "rs1": rout, "core": d, "size": size,
                               "offset": dict(_OFFSET)}, f"{label} send to {d}")
                _, _, rbuf = self._regs(d, name)
                self._emit(d, {"op": "recv", "rd": rbuf, "core": s, "size": size,
                               "offset": dict(_OFFSET)}, f"{label} recv from {s}")

    def finish(self) -> None:
        """Cores without work get one vector op: a core must end on a matrix/vector/transfer op."""
        for core, code in enumerate(self.code):
            if code[-1]["op"] in ("setbw", "sldi"):
                self._emit(core, {"op": "vmv", "rd": 2, "rs1": 2, "len": 1, "offset": dict(_OFFSET)},
                           "idle macro: one vector op so that the core finishes")

    def run(self) -> None:
        """Emit every event; an op's instructions are the same for every block, so the first
        block's are recorded (without its register set-up) and replayed for the others (the
        replayed instruction dicts are shared objects: copy one before mutating it)."""
        ops = self.layout.ops
        plans: dict[int, list[tuple[int, dict, str]]] = {}
        code, src, with_sources = self.code, self.src, self.with_sources
        for _, index, block in _events(ops):
            plan = plans.get(index)
            if plan is None:
                before = [len(c) for c in code]
                self.emit_event(ops[index], _BLOCK)
                plan = plans[index] = []
                for core, start in enumerate(before):
                    for i in range(start, len(code[core])):
                        inst = code[core][i]
                        if inst["op"] != "sldi":
                            plan.append((core, inst, src[core][i] if with_sources else ""))
                        if with_sources:
                            src[core][i] = src[core][i].replace(_BLOCK, str(block))
                continue
            for core, inst, comment in plan:
                code[core].append(inst)
                if with_sources:
                    src[core].append(comment.replace(_BLOCK, str(block)))
        self.finish()


def _emitted(design, evaluation, with_sources: bool) -> _Emitter:
    if not evaluation.feasible:
        raise BackendError(f"no pimsim program for an infeasible design: {evaluation.reason}")
    emitter = _Emitter(design, evaluation, with_sources)
    emitter.run()
    return emitter


def _program_of(emitter: _Emitter) -> dict:
    layout = emitter.layout
    program: dict = {"config": {"core_cnt": layout.core_count,
                                "array_group_map": {f"core{k}": [x for _, x in layout.groups[k]]
                                                    for k in range(layout.core_count) if layout.groups[k]}}}
    for k, code in enumerate(emitter.code):
        program[f"core{k}"] = code
    return program


def pimsim_program(design, evaluation) -> dict:
    """The pimsim-nn program JSON object of one inference."""
    return _program_of(_emitted(design, evaluation, with_sources=False))


def program_sources(design, evaluation) -> dict[str, list[str]]:
    """Per core key, one comment per instruction naming the IR op it comes from."""
    emitter = _emitted(design, evaluation, with_sources=True)
    return {f"core{k}": src for k, src in enumerate(emitter.src)}


# ---------------------------------------------------------------------------------------
# arch.json and network.json


#: Period (ns) of pimsim-nn's matrix unit, scratchpad and NoC: one cycle of the
#: components' own timing (our ADC/DAC/memory latencies are of this order), see pimsim_arch.
UNIT_NS = 1.0
#: sim_time = this many times our latency (pimsim-nn's instruction-level timing serialises
#: more than our analytical schedule, docs/simulator.md).
SIM_TIME_FACTOR = 300.0


def _cycles(latency_ns: float, period_ns: float) -> int:
    return max(1, math.ceil(latency_ns / period_ns - 1e-9))


def _mw(watts: float) -> float:
    return watts * 1e3


def pimsim_arch(design, evaluation) -> dict:
    """pimsim-nn's arch config (PIMCOMP-NN's default with our hardware values)."""
    from pimsyn.backend.pimcomp_config import default_pimcomp_config

    layout = _Layout(design, evaluation)
    hw = design.hw
    period = float(evaluation.clock_ns)
    # The matrix unit and the scratchpad run on the components' own latencies, not on our
    # pipeline clock (one ADC conversion is ~1 ns, the clock ~100 ns): their periods are
    # UNIT_NS and their latencies in those units (pimsim-nn then serialises conversions as
    # our allocation does, spec 5.8-5.9).
    unit = UNIT_NS
    config = default_pimcomp_config()
    chip = config.setdefault("chip_config", {})
    core = chip.setdefault("core_config", {})
    matrix = core.setdefault("matrix_config", {})
    xbar = hw.crossbar(design.xbar_size, design.cell_res)
    adc = hw.adc(design.adc_res)
    dac = hw.dac(design.dac_res)
    total_xbars = max(1, sum(m.count("crossbars") for m in layout.macros))
    total_dacs = sum(m.count("dac") for m in layout.macros)
    total_adcs = sum(m.count("adc") for m in layout.macros)
    shiftadd = hw.alu.get("SHIFTADD")
    matrix.update({
        "period": unit, "pipeline_mode": True,
        "xbar_size": [design.xbar_size, design.xbar_size], "cell_precision": design.cell_res,
        "xbar_array_count": max(m.count("size") for m in layout.macros),
        "dac_resolution": design.dac_res,
        "dac_count": max(1, min(design.xbar_size, _ceil(total_dacs, total_xbars))),
        "dac_latency_cycle": _cycles(dac.latency_ns, unit), "dac_dynamic_power": _mw(dac.dynamic_power_w),
        "xbar_latency": xbar.latency_ns, "xbar_read_power": _mw(xbar.dynamic_power_w),
        "sample_hold_latency_cycle": 1,
        "adc_resolution": design.adc_res,
        "adc_count": max(1, min(design.xbar_size, _ceil(total_adcs, total_xbars))),
        "adc_latency_cycle": _cycles(adc.latency_ns, unit), "adc_dynamic_power": _mw(adc.dynamic_power_w),
        "adc_static_power": _mw(adc.static_power_w),
    })
    if shiftadd is not None:
        matrix["shift_adder_latency_cycle"] = _cycles(shiftadd.latency_ns, unit)
        matrix["shift_adder_dynamic_power"] = _mw(shiftadd.dynamic_power_w)
    spm_kb = max(m.count("spm_kb") for m in layout.macros)
    memory = hw.memories.get(spm_kb) or next((m for kb, m in sorted(hw.memories.items()) if kb >= spm_kb), None)
    local = core.setdefault("local_memory_config", {})
    beat = max(1, hw.memory_bw_bits // 8)
    if memory is not None:
        local.update({"data_width": beat, "period": unit,
                      "read_latency_cycle": _cycles(memory.read_latency_ns, unit),
                      "write_latency_cycle": _cycles(memory.write_latency_ns, unit),
                      "read_dynamic_energy": memory.read_energy_nj * 1e3,
                      "write_dynamic_energy": memory.write_energy_nj * 1e3,
                      "static_power": _mw(memory.leak_power_w)})
    vector_ns = max((hw.alu[k].latency_ns for k in ("SHIFTADD", "ADDITION") if k in hw.alu), default=period)
    core.update({"period": period, "vector_width": hw.vfu_width,
                 "vector_latency_cycle": max(period, vector_ns),
                 "global_memory_switch_id": GLOBAL_MEMORY_ID})
    if shiftadd is not None:
        core["vector_alu_dynamic_energy"] = shiftadd.dynamic_power_w * vector_ns * 1e3
        core["vector_alu_static_power"] = _mw(shiftadd.static_power_w)
    network = chip.setdefault("network_config", {})
    network.update({"bus_width": max(1, hw.noc_bw_bits // 8), "net_config_file_path": "network.json",
                    "layout": [max(1, evaluation.mesh_rows), max(1, evaluation.mesh_cols)]})
    chip["core_cnt"] = layout.core_count
    chip["global_memory_switch_id"] = GLOBAL_MEMORY_ID
    latency_ms = float(evaluation.latency_ns) * 1e-6
    config["sim_config"] = {"sim_mode": 1, "sim_time": _sim_time_ms(latency_ms), "report_verbose_level": 0}
    return config


def _sim_time_ms(latency_ms: float) -> float:
    """pimsim-nn stops at sim_time; a core that has not finished by then is left out of its
    latency (a figure that is too small, with no warning), so give it room: SIM_TIME_FACTOR
    x our latency (pimsim-nn measured up to 138x ours, docs/simulator.md), at least 1 ms,
    3 significant digits."""
    value = max(latency_ms * SIM_TIME_FACTOR, 1.0)
    digits = 2 - int(math.floor(math.log10(value)))
    return math.ceil(value * 10 ** digits) / 10 ** digits


def pimsim_network(design, evaluation) -> dict:
    """pimsim-nn's NoC file: per (src, dst) core ns and pJ per flit of our NoC model. Spec
    5.5 counts a transfer as hops + flits NoC cycles of UNIT_NS; pimsim-nn charges
    flits x (per-flit latency), so a flit costs one NoC cycle and the hop term (small
    against the flits of a block) is left out; the energy charges every hop."""
    layout = _Layout(design, evaluation)
    cycle = UNIT_NS
    pj_per_hop = design.hw.noc_power_w * cycle * 1e3  # W x ns = nJ
    latency: dict[str, dict[str, float]] = {}
    energy: dict[str, dict[str, float]] = {}
    positions = [m.position for m in layout.macros]
    for a, (ra, ca) in enumerate(positions):
        lat_row, en_row = {}, {}
        for b, (rb, cb) in enumerate(positions):
            if a == b:
                continue
            hops = abs(ra - rb) + abs(ca - cb)
            lat_row[str(b)] = cycle
            en_row[str(b)] = hops * pj_per_hop
        latency[str(a)], energy[str(a)] = lat_row, en_row
    return {"latency": latency, "energy": energy}


def program_bytes(program: dict) -> bytes:
    """program.json's content: JSON, gzip-compressed (same file name) above 8 MB."""
    from pimsyn.backend.pimsim_asm import program_json_text  # the one serialisation (`pimsyn asm` too)

    text = program_json_text(program).encode()
    if len(text) > GZIP_ABOVE_BYTES:
        return gzip.compress(text, compresslevel=6, mtime=0)
    return text


def pimsim_files(design, evaluation) -> dict[str, bytes | str]:
    """{"program.json", "arch.json", "network.json"}: pimsim-nn's inputs for one inference."""
    return {
        "program.json": program_bytes(pimsim_program(design, evaluation)),
        "arch.json": json.dumps(pimsim_arch(design, evaluation), indent=2) + "\n",
        "network.json": json.dumps(pimsim_network(design, evaluation), indent=1) + "\n",
    }


def write_pimsim(directory, design, evaluation) -> list:
    """Write the three files into `directory` (the one helper that writes files)."""
    from pathlib import Path

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in pimsim_files(design, evaluation).items():
        path = out / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths
