"""Checks of a pimsim-nn program against the rules of its format (pimsim-nn-format.md, Section 1).

* `check_program(program)`: the static rules (structure, opcodes, fields, registers,
  setbw before compute, the last instruction of every core, array groups, send/recv peers);
* `replay_transfers(program)`: the cross-core send/recv matching of pimsim-nn replayed
  (sends never block; a recv blocks until the matching send of its source arrived; matched
  in program order per (src, dst) pair, sizes equal): a deadlock or an unmatched message is
  a problem.

Both return a list of problems, empty when the program is fine.
"""

from __future__ import annotations

from collections import deque

SCALAR_OPS = frozenset({"sldi", "sld", "sadd", "ssub", "smul", "saddi", "smuli"})
MATRIX_OPS = frozenset({"mvmul"})
VECTOR_OPS = frozenset({"vvadd", "vvsub", "vvmul", "vvdmul", "vvmax", "vvsll", "vvsra",
                        "vavg", "vrelu", "vtanh", "vsigm", "vmv", "vrsu", "vrsl"})
TRANSFER_OPS = frozenset({"ld", "st", "lldi", "lmv", "send", "recv", "sync", "wait"})
KNOWN_OPS = SCALAR_OPS | MATRIX_OPS | VECTOR_OPS | TRANSFER_OPS | {"setbw", "nop"}
REGISTER_FIELDS = ("rd", "rs1", "rs2")
EVENT_FIELDS = ("event_register",)
_MAX_PROBLEMS_PER_RULE = 20


class _Problems:
    """A problem list that caps how often one rule is reported (a 1M-instruction program)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.counts: dict[str, int] = {}

    def add(self, rule: str, message: str) -> None:
        count = self.counts.get(rule, 0) + 1
        self.counts[rule] = count
        if count <= _MAX_PROBLEMS_PER_RULE:
            self.items.append(message)
        elif count == _MAX_PROBLEMS_PER_RULE + 1:
            self.items.append(f"{rule}: more problems of this kind not listed")


def _cores(program: dict) -> tuple[int | None, list[tuple[int, list]]]:
    config = program.get("config") if isinstance(program, dict) else None
    count = config.get("core_cnt") if isinstance(config, dict) else None
    if not isinstance(count, int) or isinstance(count, bool):
        return None, []
    cores = []
    for k in range(count):
        code = program.get(f"core{k}")
        if isinstance(code, list):
            cores.append((k, code))
    return count, cores


def check_program(program: dict) -> list[str]:
    """Every rule of the format's Section 1; [] when the program follows them all."""
    p = _Problems()
    if not isinstance(program, dict):
        return ["the program is not a JSON object"]
    config = program.get("config")
    if not isinstance(config, dict):
        return ["config: missing (an object with core_cnt and array_group_map)"]
    count = config.get("core_cnt")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        p.add("core_cnt", f"config.core_cnt must be a positive integer, got {count!r}")
        return p.items
    groups = config.get("array_group_map")
    if not isinstance(groups, dict):
        p.add("array_group_map", "config.array_group_map is required (an object, may be {})")
        groups = {}
    for key, sizes in groups.items():
        if not isinstance(sizes, list) or any(not isinstance(x, int) or isinstance(x, bool) or x < 1 for x in sizes):
            p.add("array_group_map", f"array_group_map[{key!r}] must be a list of positive crossbar counts")
    for key in program:
        if key.startswith("core") and key[4:].isdigit() and int(key[4:]) >= count:
            p.add("core key", f"{key}: beyond core_cnt {count} (ignored by pimsim-nn)")
    _, cores = _cores(program)
    if not cores:
        p.add("empty", "no core has a program")
    for k, code in cores:
        name = f"core{k}"
        if not code:
            p.add("empty core", f"{name}: empty instruction list (a listed core must have instructions)")
            continue
        bw_set = False
        core_groups = groups.get(name) if isinstance(groups.get(name), list) else []
        for i, inst in enumerate(code):
            where = f"{name}[{i}]"
            if not isinstance(inst, dict):
                p.add("instruction", f"{where}: not an object")
                continue
            op = inst.get("op")
            if not isinstance(op, str) or op not in KNOWN_OPS:
                p.add("opcode", f"{where}: unknown opcode {op!r} (exact lowercase opcodes only)")
                continue
            if op == "nop":
                p.add("nop", f"{where}: nop is never retired (the core deadlocks)")
            if op == "sld":
                p.add("sld", f"{where}: sld is broken in pimsim-nn (use sldi)")
            for key, value in inst.items():
                if key == "op":
                    continue
                if key == "offset":
                    if (not isinstance(value, dict) or set(value) - {"offset_value", "offset_select"}
                            or any(not isinstance(v, int) or isinstance(v, bool) for v in value.values())):
                        p.add("offset", f"{where}: offset must be an object {{offset_value: int, offset_select: int}}")
                    elif value.get("offset_value", 0) != 0:
                        p.add("offset", f"{where}: offset_value must be 0 (fold offsets into registers)")
                    continue
                if not isinstance(value, int) or isinstance(value, bool):
                    p.add("int fields", f"{where}: field {key!r} must be a JSON integer, got {value!r}")
            for key in REGISTER_FIELDS + EVENT_FIELDS:
                value = inst.get(key, 0)
                if isinstance(value, int) and not 0 <= value < 32:
                    p.add("registers", f"{where}: {key} = {value} is not a register 0..31")
            if op in ("ld", "st"):
                pair = inst.get("rs1" if op == "ld" else "rd", 0)
                if isinstance(pair, int) and (pair % 2 or pair >= 31):
                    p.add("register pair", f"{where}: {op} needs an even register pair for the global address")
            if op == "setbw":
                if not all(isinstance(inst.get(k), int) and inst.get(k) > 0 for k in ("ibiw", "obiw")):
                    p.add("setbw", f"{where}: setbw needs ibiw and obiw > 0")
                bw_set = True
            elif op in MATRIX_OPS or op in VECTOR_OPS:
                if not bw_set:
                    p.add("setbw first", f"{where}: {op} before any setbw (bit widths are 0)")
            if op == "mvmul":
                group = inst.get("group", 0)
                if not isinstance(group, int) or not 0 <= group < len(core_groups):
                    p.add("array group", f"{where}: mvmul on group {group} not in array_group_map[{name!r}]")
                if not isinstance(inst.get("mbiw"), int) or inst.get("mbiw", 0) <= 0:
                    p.add("mbiw", f"{where}: mvmul needs mbiw > 0")
            if op in VECTOR_OPS and not (isinstance(inst.get("len"), int) and inst["len"] > 0):
                p.add("len", f"{where}: {op} needs len > 0")
            if op in ("send", "recv", "sync"):
                peer = inst.get("core")
                if not isinstance(peer, int) or not 0 <= peer < count or not isinstance(program.get(f"core{peer}"), list):
                    p.add("peer", f"{where}: {op} names core {peer!r}, which does not exist")
                elif peer == k and op != "sync":
                    p.add("peer", f"{where}: {op} to itself")
            if op == "send" and inst.get("rd", 0) != inst.get("rs1", 0):
                p.add("send regs", f"{where}: send must set rd and rs1 to the same register")
            if op in ("send", "recv") and not (isinstance(inst.get("size"), int) and inst["size"] > 0):
                p.add("size", f"{where}: {op} needs size > 0")
            if op == "lmv" and not (isinstance(inst.get("len"), int) and isinstance(inst.get("size"), int)):
                p.add("lmv", f"{where}: lmv must set both len and size")
        last = code[-1].get("op") if isinstance(code[-1], dict) else None
        if last not in MATRIX_OPS | VECTOR_OPS | TRANSFER_OPS or last in ("sync", "wait"):
            p.add("last", f"{name}: last instruction {last!r} is not a matrix, vector or transfer op "
                          "(in sim_mode 1 the core never finishes)")
    return p.items


def replay_transfers(program: dict) -> list[str]:
    """Replay the send/recv matching across cores; report deadlocks and unmatched messages."""
    p = _Problems()
    _, cores = _cores(program)
    comms = {}
    for k, code in cores:
        comms[k] = [(i, inst["op"], inst.get("core"), inst.get("size", 0)) for i, inst in enumerate(code)
                    if isinstance(inst, dict) and inst.get("op") in ("send", "recv")]
    pos = {k: 0 for k in comms}
    channels: dict[tuple[int, int], deque] = {}
    waiting: dict[tuple[int, int], int] = {}  # (src, dst) -> the dst core blocked on it
    ready = deque(comms)

    def run(k: int) -> None:
        seq = comms[k]
        i = pos[k]
        while i < len(seq):
            index, op, peer, size = seq[i]
            if op == "send":
                if peer not in comms:
                    p.add("peer", f"core{k}[{index}]: send to core {peer!r}, which does not exist")
                    i += 1
                    continue
                channels.setdefault((k, peer), deque()).append((index, size))
                if waiting.pop((k, peer), None) is not None:
                    ready.append(peer)
                i += 1
                continue
            queue = channels.get((peer, k))
            if not queue:
                if peer not in comms:
                    p.add("peer", f"core{k}[{index}]: recv from core {peer!r}, which does not exist")
                    i += 1
                    continue
                waiting[(peer, k)] = k
                break
            send_index, send_size = queue.popleft()
            if send_size != size:
                p.add("size", f"core{k}[{index}]: recv of {size} bytes matches core{peer}[{send_index}]'s send of "
                              f"{send_size} bytes")
            i += 1
        pos[k] = i

    while ready:
        run(ready.popleft())
    blocked = sorted(k for k in comms if pos[k] < len(comms[k]))
    if blocked:
        details = ", ".join(f"core{k}[{comms[k][pos[k]][0]}] recv from core{comms[k][pos[k]][2]}"
                            for k in blocked[:8])
        p.add("deadlock", f"deadlock: {len(blocked)} core(s) blocked forever: {details}"
                          + (" ..." if len(blocked) > 8 else ""))
    for (src, dst), queue in sorted(channels.items()):
        if queue:
            p.add("unmatched", f"{len(queue)} send(s) from core{src} to core{dst} never received "
                               f"(first core{src}[{queue[0][0]}])")
    return p.items
