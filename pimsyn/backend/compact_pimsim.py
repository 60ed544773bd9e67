"""pimsim-nn programs of a compact design, one per part (docs/compact.md, "Output files"):
`pimsim/part<k>/program.json`, `arch.json` and `network.json` run part k over the design's
batch on the one chip, as `ChipTest program.json arch.json`. The instruction rules are those
of `backend/pimsim.py` (docs/simulator.md, "Rules of the program format").

Cores and array groups: core k = macro k of the chip. A part's resident slices take
consecutive macros in `pim.resident` order (each slice its `macros`, crossbars filling
each macro up to the macro's crossbars); the crossbars on a core are its one array group.
A pool/eltwise layer runs on the last macro of its first provider in the part (core 0 when
every provider ran in an earlier part). Idle cores end on one `vmv`.

Instructions, from the records of design.mlir alone:
  reload        (several parts) the `pim.dram_load ... weights` of the part: one copy of each
                slice's weights (crossbars x S² x cell bits / 8 bytes) split over the slice's
                cores, one `ld` each (the copies are written on chip);
  per input of the batch, per layer in part order, per block (weight layer: ceil(output
  pixels / copies) blocks; pool/eltwise: its output pixels):
    load        `ld` from global memory when the layer reads activations from DRAM
                (`pim.dram_load ... activations`), else `lmv` from the scratchpad, on every
                core of the layer; bytes = its input vectors of the block over its cores
    mvmul       on every core of a weight layer (its group 0)
    merge       a weight layer on several cores: `send` to its last core, `recv` there
    ALU         pool `vvmax`/`vavg`, eltwise `vvadd`/`vvmul`/`vvsub`/`vvmax`
    store       `st` to global memory when the layer's output goes to DRAM (`pim.dram_store`)
    transfer    a `send`/`recv` pair from the layer's last core to each core of every
                consumer in the part (block output bytes)
Every event appends to the cores it involves in one global order (input, layer, block),
sends before their recvs, so each core's list is a projection of that order and no recv
waits for a send that comes later: the program cannot deadlock.
"""

from __future__ import annotations

import json
import math

from pimsyn.backend.pimsim import GLOBAL_MEMORY_ID, GZIP_ABOVE_BYTES, SIM_TIME_FACTOR, UNIT_NS

_OFFSET = {"offset_select": 0, "offset_value": 0}
_FIRST_SLOT_REG = 2
_SLOTS = 10  # three registers per layer slot of a core (input, output, buffer): r2 ... r31
_ELTWISE = {"add": "vvadd", "sum": "vvadd", "mul": "vvmul", "prod": "vvmul", "sub": "vvsub", "max": "vvmax"}


def _ceil(a, b) -> int:
    return -(-int(a) // max(1, int(b)))


def _hardware(module):
    from pimsyn.hw import load_hardware
    from pimsyn.ir.hw_table import HwTableAttr

    attr = module.attributes.get("pim.hardware")
    return attr.hardware(source="the pim.hardware table of the module") if isinstance(attr, HwTableAttr) \
        else load_hardware(None)


class _PartProgram:
    def __init__(self, view, part, cnet, hw) -> None:
        chip = view.design.chip
        self.chip, self.part, self.cnet, self.hw = chip, part, cnet, hw
        self.at = {name: i for i, name in enumerate(cnet.names)}
        self.word = _ceil(hw.data_res, 8)
        self.code: list[list[dict]] = [[] for _ in range(chip.macros)]
        self.slots: list[dict[str, int]] = [{} for _ in range(chip.macros)]
        self.groups: dict[int, int] = {}
        self.cores: dict[str, list[int]] = {}
        self.copies: dict[str, int] = {}
        self.fraction: dict[str, tuple[float, float]] = {}
        self.slice_cores: list[list[int]] = []
        core = 0
        for s in part.slices:
            total = s.crossbars * s.dup
            layer = self.at[s.layer]
            rows, cols = int(cnet.row_tiles[layer]), int(cnet.col_tiles[layer])
            self.fraction[s.layer] = ((s.rows[1] - s.rows[0]) / rows, (s.cols[1] - s.cols[0]) / cols)
            self.copies[s.layer] = s.dup
            self.slice_cores.append(list(range(core, core + s.macros)))
            for m in range(s.macros):
                self.groups[core] = min(chip.macro_crossbars, total - m * chip.macro_crossbars)
                self.cores.setdefault(s.layer, []).append(core)
                core += 1
        for name in part.layers:
            if name not in self.cores:
                provs = [cnet.names[p] for p in cnet.providers[self.at[name]] if cnet.names[p] in self.cores]
                self.cores[name] = [self.cores[provs[0]][-1]] if provs else [0]
        self.from_dram = {x.into for x in part.loads if x.kind == "activations"}
        self.to_dram = {x.layer for x in part.stores}
        for k in range(chip.macros):
            self.code[k] += [{"op": "setbw", "ibiw": int(hw.data_res), "obiw": int(hw.data_res)},
                             {"op": "sldi", "rd": 0, "imm": 0}, {"op": "sldi", "rd": 1, "imm": 0}]

    def regs(self, core: int, layer: str) -> tuple[int, int, int]:
        slots = self.slots[core]
        if layer not in slots:
            slot = slots[layer] = len(slots)
            base = _FIRST_SLOT_REG + (slot % _SLOTS) * 3
            region = 64 * 1024 // (3 * (_SLOTS + 1))
            for i in range(3):
                self.code[core].append({"op": "sldi", "rd": base + i, "imm": ((slot % _SLOTS) * 3 + i) * region})
        base = _FIRST_SLOT_REG + (slots[layer] % _SLOTS) * 3
        return base, base + 1, base + 2

    def message(self, src: int, dst: int, layer: str, size: int) -> None:
        if src == dst:
            return
        _, rout, _ = self.regs(src, layer)
        _, _, rbuf = self.regs(dst, layer)
        self.code[src].append({"op": "send", "rd": rout, "rs1": rout, "core": dst, "size": size,
                               "offset": dict(_OFFSET)})
        self.code[dst].append({"op": "recv", "rd": rbuf, "core": src, "size": size, "offset": dict(_OFFSET)})

    def layer_block(self, name: str, consumers: list[str], blocks: int) -> None:
        cnet, layer = self.cnet, self.at[name]
        cores = self.cores[name]
        weight = bool(cnet.is_weight[layer])
        rows, cols = self.fraction.get(name, (1.0, 1.0))
        copies = self.copies.get(name, 1)
        pixels_per_block = _ceil(int(cnet.pixels[layer]), blocks)
        if weight:
            in_bytes = math.ceil(int(cnet.in_len[layer]) * rows) * copies * self.word
        else:
            in_bytes = int(cnet.channels[layer]) * pixels_per_block * self.word
        out_bytes = max(1, math.ceil(int(cnet.channels[layer]) * cols)) * (copies if weight else pixels_per_block) \
            * self.word
        size = _ceil(in_bytes, len(cores))
        for core in cores:
            rin, rout, rbuf = self.regs(core, name)
            if name in self.from_dram:
                self.code[core].append({"op": "ld", "rd": rin, "rs1": 0, "size": size, "offset": dict(_OFFSET)})
            else:
                self.code[core].append({"op": "lmv", "rd": rin, "rs1": rbuf, "len": size, "size": size,
                                        "offset": dict(_OFFSET)})
            if weight:
                self.code[core].append({"op": "mvmul", "rd": rout, "rs1": rin, "mbiw": int(self.hw.weight_res),
                                        "relu": 0, "group": 0})
            else:
                self.code[core].append(self._alu(name, rin, rout, _ceil(out_bytes, self.word)))
        last = cores[-1]
        for core in cores[:-1]:  # merge on the last core
            self.message(core, last, name, out_bytes)
        if name in self.to_dram:
            _, rout, _ = self.regs(last, name)
            self.code[last].append({"op": "st", "rd": 0, "rs1": rout, "size": out_bytes, "offset": dict(_OFFSET)})
        for consumer in consumers:
            for core in self.cores[consumer]:
                self.message(last, core, name, out_bytes)

    def _alu(self, name: str, rin: int, rout: int, length: int) -> dict:
        kind = self.cnet.kinds[self.at[name]]
        opcode = "vvmax"
        if kind == "pool" and self.methods.get(name, "max").startswith("av"):
            return {"op": "vavg", "rd": rout, "rs1": rin, "len": length, "offset": dict(_OFFSET)}
        if kind == "eltwise":
            opcode = _ELTWISE.get(self.methods.get(name, "add"), "vvadd")
        return {"op": opcode, "rd": rout, "rs1": rout, "rs2": rout, "len": length, "offset": dict(_OFFSET)}

    def run(self, network, reload: bool) -> dict:
        cnet, part, chip = self.cnet, self.part, self.chip
        self.methods = {n.name: (n.pool_method or n.eltwise_op) for n in network.nodes}
        if reload:  # one copy of each slice's weights, over its cores (the copies are written on chip)
            for s, cores in zip(part.slices, self.slice_cores):
                nbytes = _ceil(s.crossbars * chip.xbar_size ** 2 * chip.cell_res // 8, len(cores))
                for core in cores:
                    _, _, rbuf = self.regs(core, s.layer)
                    self.code[core].append({"op": "ld", "rd": rbuf, "rs1": 0, "size": nbytes,
                                            "offset": dict(_OFFSET)})
        in_part = set(part.layers)
        consumers = {name: [cnet.names[c] for c in range(cnet.num_layers)
                            if cnet.names[c] in in_part and self.at[name] in cnet.providers[c]]
                     for name in part.layers}
        blocks = {}
        for name in part.layers:
            layer = self.at[name]
            pixels = int(cnet.pixels[layer])
            blocks[name] = _ceil(pixels, self.copies.get(name, 1)) if cnet.is_weight[layer] else pixels
        # A layer's block emits the same instructions every time: emit its first block, then
        # append that block's instructions (shared dicts, no register set-up) for the rest.
        plans: dict[str, dict[int, list[dict]]] = {}
        for first_input in [True] + [False] * (chip.batch - 1):
            for name in part.layers:
                repeat = blocks[name]
                if first_input:
                    before = [len(code) for code in self.code]
                    self.layer_block(name, consumers[name], blocks[name])
                    plans[name] = {core: [i for i in code[start:] if i["op"] != "sldi"]
                                   for core, (code, start) in enumerate(zip(self.code, before)) if len(code) > start}
                    repeat -= 1
                for core, insts in plans[name].items():
                    self.code[core].extend(insts * repeat)
        for code in self.code:
            if code[-1]["op"] in ("setbw", "sldi"):
                code.append({"op": "vmv", "rd": 2, "rs1": 2, "len": 1, "offset": dict(_OFFSET)})
        program: dict = {"config": {"core_cnt": chip.macros,
                                    "array_group_map": {f"core{k}": [x] for k, x in sorted(self.groups.items())}}}
        for k, code in enumerate(self.code):
            program[f"core{k}"] = code
        return program


def _mesh(macros: int) -> tuple[int, int]:
    rows = max(1, math.isqrt(macros))
    return rows, _ceil(macros, rows)


def compact_pimsim_arch(view, hw, part) -> dict:
    """pimsim-nn's arch config (PIMCOMP-NN's default with the chip's organisation)."""
    from pimsyn.backend.pimcomp_config import default_pimcomp_config
    from pimsyn.hw.compact_eval import CLOCK_NS

    chip = view.design.chip
    config = default_pimcomp_config()
    core = config.setdefault("chip_config", {}).setdefault("core_config", {})
    xbar, adc, dac = hw.crossbar(chip.xbar_size, chip.cell_res), hw.adc(chip.adc_res), hw.dac(chip.dac_res)
    core.setdefault("matrix_config", {}).update({
        "period": UNIT_NS, "pipeline_mode": True, "xbar_size": [chip.xbar_size, chip.xbar_size],
        "cell_precision": chip.cell_res, "xbar_array_count": chip.macro_crossbars,
        "dac_resolution": chip.dac_res, "dac_count": chip.xbar_size,
        "dac_latency_cycle": max(1, math.ceil(dac.latency_ns / UNIT_NS)), "dac_dynamic_power": dac.dynamic_power_w * 1e3,
        "xbar_latency": xbar.latency_ns, "xbar_read_power": xbar.dynamic_power_w * 1e3,
        "adc_resolution": chip.adc_res, "adc_count": 1,
        "adc_latency_cycle": max(1, math.ceil(adc.latency_ns / UNIT_NS)), "adc_dynamic_power": adc.dynamic_power_w * 1e3,
        "adc_static_power": adc.static_power_w * 1e3,
    })
    core.update({"period": CLOCK_NS, "vector_width": hw.vfu_width, "global_memory_switch_id": GLOBAL_MEMORY_ID})
    chip_config = config["chip_config"]
    chip_config.setdefault("network_config", {}).update({
        "bus_width": max(1, hw.noc_bw_bits // 8), "net_config_file_path": "network.json",
        "layout": list(_mesh(chip.macros))})
    chip_config["core_cnt"] = chip.macros
    chip_config["global_memory_switch_id"] = GLOBAL_MEMORY_ID
    busy_ms = max(part.cycles_ddm, part.cycles_sa) * CLOCK_NS * 1e-6
    value = max(busy_ms * SIM_TIME_FACTOR, 1.0)
    digits = 2 - int(math.floor(math.log10(value)))
    config["sim_config"] = {"sim_mode": 1, "sim_time": math.ceil(value * 10 ** digits) / 10 ** digits,
                            "report_verbose_level": 0}
    return config


def compact_pimsim_network(view, hw) -> dict:
    """Per (src, dst) core: one NoC cycle per flit, the energy of every hop (as backend/pimsim.py)."""
    macros = view.design.chip.macros
    _, cols = _mesh(macros)
    pj_per_hop = hw.noc_power_w * UNIT_NS * 1e3
    latency, energy = {}, {}
    for a in range(macros):
        ra, ca = divmod(a, cols)
        latency[str(a)] = {str(b): UNIT_NS for b in range(macros) if b != a}
        energy[str(a)] = {str(b): (abs(ra - b // cols) + abs(ca - b % cols)) * pj_per_hop
                          for b in range(macros) if b != a}
    return {"latency": latency, "energy": energy}


def compact_pimsim_programs(view) -> list[dict]:
    """The program of every part."""
    from pimsyn.hw import cost_network

    hw = _hardware(view.module)
    network = view.network
    chip = view.design.chip
    cnet = cost_network(network, hw, chip.xbar_size, chip.cell_res)
    reload = len(view.design.parts) > 1
    return [_PartProgram(view, part, cnet, hw).run(network, reload) for part in view.design.parts]


def program_text(program: dict) -> str:
    """The text `pimsim_asm.program_json_text` writes (compact JSON, key order kept), made
    once per distinct instruction object: a part's blocks repeat the same instruction dicts
    (millions of references for a large network)."""
    texts: dict[int, str] = {}

    def text(inst: dict) -> str:
        found = texts.get(id(inst))
        if found is None:
            found = texts[id(inst)] = json.dumps(inst, separators=(",", ":"), allow_nan=False)
        return found

    items = [f"{json.dumps(key)}:" + (json.dumps(value, separators=(",", ":"), allow_nan=False) if key == "config"
                                      else "[" + ",".join(map(text, value)) + "]")
             for key, value in program.items()]
    return "{" + ",".join(items) + "}\n"


def program_bytes(program: dict) -> bytes:
    """program.json's content: gzip-compressed (same file name) above 8 MB, as backend/pimsim.py."""
    import gzip

    data = program_text(program).encode()
    return gzip.compress(data, compresslevel=6, mtime=0) if len(data) > GZIP_ABOVE_BYTES else data


def compact_pimsim_files(view) -> dict[str, bytes | str]:
    """part<k>/program.json, arch.json, network.json of every part."""
    hw = _hardware(view.module)
    noc = json.dumps(compact_pimsim_network(view, hw), indent=1) + "\n"
    files: dict[str, bytes | str] = {}
    for part, program in zip(view.design.parts, compact_pimsim_programs(view)):
        files[f"part{part.index}/program.json"] = program_bytes(program)
        files[f"part{part.index}/arch.json"] = json.dumps(compact_pimsim_arch(view, hw, part), indent=2) + "\n"
        files[f"part{part.index}/network.json"] = noc
    return files
