"""Hardware description: the reference tool's ``config.json`` read as-is (spec 1.2).

The file format is kept unchanged so the reference configuration can be used directly
and re-emitted (``HardwareConfig.raw``). Units follow spec 0: power in W, time in ns,
energy in nJ, frequency in GHz (operations per ns), memory capacity in KB.
"""

from __future__ import annotations

import difflib
import json
import math
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pimsyn.errors import PimsynError

#: ALU-type component tables (one table each in config.json, spec 1.2).
ALU_COMPONENTS = ("POOL", "RELU", "SHIFTADD", "ADDITION", "SIGMOID", "ELTWISE")

#: Activation / normalisation ALU units beyond the reference (our extension, for the ONNX
#: frontend's LeakyRelu, PRelu, HardSwish, ...). Their tables are optional in a hardware
#: file: a file without them (the reference config.json) gets these defaults, and a network
#: that does not use them is costed exactly as before (they never enter its op lists).
#:
#: Source of the numbers (an estimate, not a measurement): the reference table has one
#: RELU unit (max(x, 0): one simple vector operation, latency 4 ns, frequency 0.25 GHz) and
#: one SIGMOID unit (one transcendental evaluation, latency 10 ns, frequency 0.1 GHz), both
#: at the same powers (static 0.2e-4 W, dynamic 0.8e-4 W, peak 1e-4 W). Every new unit is
#: costed by its operation count per element: each simple operation (add, multiply,
#: compare/select, min/max) takes a RELU latency (4 ns), each transcendental evaluation
#: (exp, log, tanh, erf, sigmoid) a SIGMOID latency (10 ns); latency = 4*simple + 10*trans,
#: frequency = 1 / latency (as in every reference ALU table), powers those of RELU/SIGMOID,
#: so that the energy per element (latency * dynamic power) scales with the operation count.
#: The counts (simple, transcendental), per element:
#:   LEAKYRELU    max(x, a*x): mul, select                                  (2, 0) ->  8 ns
#:   PRELU        as LEAKYRELU with a per-channel slope                     (2, 0) ->  8 ns
#:   HARDSIGMOID  min(max(a*x + b, 0), 1): mul, add, max, min               (4, 0) -> 16 ns
#:   HARDSWISH    x * hardsigmoid(x)                                        (5, 0) -> 20 ns
#:   ELU          x > 0 ? x : a*(exp(x) - 1): exp, sub, mul, select         (3, 1) -> 22 ns
#:   SELU         l * elu(x)                                                (4, 1) -> 26 ns
#:   SOFTPLUS     log(1 + exp(x)): exp, add, log                            (1, 2) -> 24 ns
#:   SWISH        x * sigmoid(x)                                            (1, 1) -> 14 ns
#:   GELU         x * 0.5 * (1 + erf(x / sqrt 2)): mul, erf, add, mul, mul  (4, 1) -> 26 ns
#:   MISH         x * tanh(softplus(x)): exp, add, log, tanh, mul           (2, 3) -> 38 ns
#:   INSTANCENORM / LAYERNORM  sum x, sum x*x (mul, add), (x - mean) * rstd, scale, bias
#:                (7, 0) -> 28 ns; the one rsqrt per channel (instance) or pixel (layer)
#:                is amortised over the group and not counted.
#: The normalisations are costed as element-wise ALU work on the producer's blocks; the
#: reduction over the whole map (instance norm) is not a schedule dependency.
_SIMPLE_NS, _TRANSCENDENTAL_NS = 4, 10  # RELU and SIGMOID latencies of the reference table
_OP_COUNTS = {
    "LEAKYRELU": (2, 0), "PRELU": (2, 0), "HARDSIGMOID": (4, 0), "HARDSWISH": (5, 0),
    "ELU": (3, 1), "SELU": (4, 1), "SOFTPLUS": (1, 2), "SWISH": (1, 1), "GELU": (4, 1),
    "MISH": (2, 3), "INSTANCENORM": (7, 0), "LAYERNORM": (7, 0),
}


def _default_table(simple: int, transcendental: int) -> dict[str, float]:
    latency = _SIMPLE_NS * simple + _TRANSCENDENTAL_NS * transcendental
    return {"static_power": 0.2e-4, "dynamic_power": 0.8e-4, "peak_power": 1e-4,
            "frequency": 1 / latency, "latency": latency}


#: name -> default table (the hardware-file format) of the optional ALU units.
OPTIONAL_ALU_DEFAULTS: Mapping[str, Mapping[str, float]] = MappingProxyType({
    name: MappingProxyType(_default_table(*counts)) for name, counts in _OP_COUNTS.items()
})
OPTIONAL_ALU_COMPONENTS = tuple(OPTIONAL_ALU_DEFAULTS)
#: Top-level keys a hardware file may have; anything else is reported (HardwareWarning).
KNOWN_TOP_LEVEL_KEYS = (
    "weight_res", "data_res", "memory_bw", "vfu_width", "noc_bw", "noc_power", "SA", "EA", "RRAM", "memory",
    "ADC", "DAC", *ALU_COMPONENTS, *OPTIONAL_ALU_COMPONENTS, "area_mm2",
)


class HardwareWarning(UserWarning):
    """Something in a hardware description pimsyn ignores (e.g. an unknown top-level key)."""


class HardwareError(PimsynError, ValueError):
    """A hardware description pimsyn cannot use; the message names the problem."""


@dataclass(frozen=True)
class ComponentSpec:
    """One peripheral component (ADC, DAC or an ALU unit), per unit."""

    static_power_w: float
    dynamic_power_w: float
    peak_power_w: float
    frequency_ghz: float
    latency_ns: float


@dataclass(frozen=True)
class CrossbarSpec:
    """One ReRAM crossbar of a given size and cell resolution (RRAM["S_rho"])."""

    static_power_w: float
    dynamic_power_w: float
    peak_power_w: float
    latency_ns: float


@dataclass(frozen=True)
class MemorySpec:
    """One scratchpad (eDRAM) macro of a given capacity (memory["K"])."""

    capacity_kb: int
    leak_power_w: float
    read_latency_ns: float
    write_latency_ns: float
    read_energy_nj: float
    write_energy_nj: float


@dataclass(frozen=True)
class AnnealingParams:
    """SA section (spec 3); t0/tf are read but ignored by the reference (A5)."""

    iterations: int
    t0: float
    tf: float
    cooling: float
    alpha: float
    chains: int
    energy_function: str


@dataclass(frozen=True)
class EvolutionParams:
    """EA section (spec 4)."""

    population: int
    elite_ratio: float
    generations: int
    macro_num_mutate_prob: float
    macro_sharing_mutate_prob: float
    max_macro_size: int
    min_macro_size: int
    macro_size_stride: int


@dataclass(frozen=True)
class HardwareConfig:
    weight_res: int
    data_res: int
    memory_bw_bits: int
    vfu_width: int
    noc_bw_bits: int
    noc_power_w: float
    annealing: AnnealingParams
    evolution: EvolutionParams
    crossbars: Mapping[tuple[int, int], CrossbarSpec]  # (S, rho) -> spec
    memories: Mapping[int, MemorySpec]  # KB -> spec, ascending
    adcs: Mapping[int, ComponentSpec]  # resolution -> spec
    dacs: Mapping[int, ComponentSpec]
    alu: Mapping[str, ComponentSpec]  # ALU_COMPONENTS, then OPTIONAL_ALU_COMPONENTS (file or default)
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)
    source: str = "<default>"
    #: one line per ignored top-level key of the file (also issued as a HardwareWarning)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def adc(self, resolution: int) -> ComponentSpec:
        return _lookup(self.adcs, resolution, "ADC", "resolution", self.source)

    def dac(self, resolution: int) -> ComponentSpec:
        return _lookup(self.dacs, resolution, "DAC", "resolution", self.source)

    def crossbar(self, xbar_size: int, cell_res: int) -> CrossbarSpec:
        try:
            return self.crossbars[(xbar_size, cell_res)]
        except KeyError:
            have = ", ".join(f"{s}_{r}" for s, r in sorted(self.crossbars))
            raise HardwareError(
                f"no RRAM entry {xbar_size}_{cell_res} in {self.source} (have {have})"
            ) from None

    def memory(self, capacity_kb: int) -> MemorySpec:
        return _lookup(self.memories, capacity_kb, "memory", "capacity (KB)", self.source)

    def component(self, name: str, dac_res: int, adc_res: int) -> ComponentSpec:
        """Table of the component an op label names (spec 0: component = op label)."""
        if name == "ADC":
            return self.adc(adc_res)
        if name == "DAC":
            return self.dac(dac_res)
        try:
            return self.alu[name]
        except KeyError:
            raise HardwareError(f"no component table '{name}' in {self.source}") from None

    def __reduce__(self):
        """Pickling (spawned worker processes, Dask workers): MappingProxyType does not
        pickle, so the tables travel as plain dicts and are frozen again on arrival."""
        from dataclasses import fields

        state = {f.name: getattr(self, f.name) for f in fields(self)}
        thawed = {name for name, value in state.items() if isinstance(value, Mapping)}
        return (_unpickle_hardware, ({n: _thaw(v) if n in thawed else v for n, v in state.items()}, thawed))

    def as_dict(self) -> dict[str, Any]:
        """The description in the reference format (a fresh copy of the dict it was read from)."""
        return _thaw(self.raw)

    def to_json(self) -> str:
        """Re-emit the description in the reference format (the dict it was read from)."""
        return json.dumps(self.as_dict(), indent=4)


def adc_resolution(xbar_size: int, cell_res: int, dac_res: int) -> int:
    """ADC resolution of spec 2.2: trunc(log2 S + r_dac + rho - 1) when r_dac > 1 and
    rho > 1, else trunc(log2 S + r_dac + rho - 2) (log2 in floating point, as coded)."""
    offset = 1 if (dac_res > 1 and cell_res > 1) else 2
    return int(math.log2(xbar_size) + dac_res + cell_res - offset)


def load_hardware(path: str | Path | None = None) -> HardwareConfig:
    """Read a config.json; ``None`` reads the bundled copy of the reference config."""
    if path is None:
        text = resources.files("pimsyn.data").joinpath("default-hw.json").read_text()
        source = "default-hw.json"
    else:
        path = Path(path)
        source = str(path)
        try:
            text = path.read_text()
        except OSError as err:
            raise HardwareError(f"{path}: cannot read hardware description ({err.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise HardwareError(f"{source}: not valid JSON (line {err.lineno}: {err.msg})") from None
    return hardware_from_dict(data, source)


def hardware_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> HardwareConfig:
    if not isinstance(data, Mapping):
        raise HardwareError(f"{source}: top level must be an object")
    reader = _Reader(source)
    sa = reader.table(data, "SA")
    ea = reader.table(data, "EA")
    crossbars: dict[tuple[int, int], CrossbarSpec] = {}
    for key, entry in reader.table(data, "RRAM").items():
        size_res = _parse_key(key, source, "RRAM", pair=True)
        where = f"RRAM[{key}]"
        crossbars[size_res] = CrossbarSpec(
            static_power_w=reader.number(entry, "static_power", where, nonneg=True),
            dynamic_power_w=reader.number(entry, "dynamic_power", where, nonneg=True),
            peak_power_w=reader.number(entry, "peak_power", where, positive=True),
            latency_ns=reader.number(entry, "latency", where, nonneg=True),
        )
    memories: dict[int, MemorySpec] = {}
    for key, entry in reader.table(data, "memory").items():
        kb = _parse_key(key, source, "memory")
        where = f"memory[{key}]"
        memories[kb] = MemorySpec(
            capacity_kb=kb,
            leak_power_w=reader.number(entry, "leak_power", where, nonneg=True),
            read_latency_ns=reader.number(entry, "read_latency", where, nonneg=True),
            write_latency_ns=reader.number(entry, "write_latency", where, nonneg=True),
            read_energy_nj=reader.number(entry, "read_energy", where, nonneg=True),
            write_energy_nj=reader.number(entry, "write_energy", where, nonneg=True),
        )
    adcs = {
        _parse_key(k, source, "ADC"): reader.component(v, f"ADC[{k}]")
        for k, v in reader.table(data, "ADC").items()
    }
    dacs = {
        _parse_key(k, source, "DAC"): reader.component(v, f"DAC[{k}]")
        for k, v in reader.table(data, "DAC").items()
    }
    alu = {name: reader.component(reader.table(data, name), name) for name in ALU_COMPONENTS}
    for name, default in OPTIONAL_ALU_DEFAULTS.items():
        alu[name] = reader.component(reader.table(data, name) if name in data else default, name)
    notes = unknown_key_notes(data, source)
    for note in notes:
        warnings.warn(note, HardwareWarning, stacklevel=2)
    for name, table in (("RRAM", crossbars), ("memory", memories), ("ADC", adcs), ("DAC", dacs)):
        if not table:
            raise HardwareError(f"{source}: table '{name}' is empty")
    return HardwareConfig(
        weight_res=reader.integer(data, "weight_res", "top level"),
        data_res=reader.integer(data, "data_res", "top level"),
        memory_bw_bits=reader.integer(data, "memory_bw", "top level"),
        vfu_width=reader.integer(data, "vfu_width", "top level"),
        noc_bw_bits=reader.integer(data, "noc_bw", "top level"),
        noc_power_w=reader.number(data, "noc_power", "top level", nonneg=True),
        annealing=AnnealingParams(
            iterations=reader.integer(sa, "iter", "SA"),
            t0=reader.number(sa, "T0", "SA"),
            tf=reader.number(sa, "Tf", "SA"),
            cooling=reader.number(sa, "sigma", "SA", positive=True),
            alpha=reader.number(sa, "alpha", "SA"),
            chains=reader.integer(sa, "length", "SA"),
            energy_function=str(sa.get("func_name", "computation")),
        ),
        evolution=EvolutionParams(
            population=reader.integer(ea, "gene_num", "EA"),
            elite_ratio=reader.number(ea, "elite_ratio", "EA", positive=True),
            generations=reader.integer(ea, "max_iter", "EA"),
            macro_num_mutate_prob=reader.number(ea, "macro_num_mutate_prob", "EA", nonneg=True),
            macro_sharing_mutate_prob=reader.number(ea, "macro_sharing_mutate_prob", "EA", nonneg=True),
            max_macro_size=reader.integer(ea, "default_max_macro_size", "EA"),
            min_macro_size=reader.integer(ea, "default_min_macro_size", "EA"),
            macro_size_stride=reader.integer(ea, "default_macro_size_stride", "EA"),
        ),
        crossbars=MappingProxyType(dict(sorted(crossbars.items()))),
        memories=MappingProxyType(dict(sorted(memories.items()))),
        adcs=MappingProxyType(dict(sorted(adcs.items()))),
        dacs=MappingProxyType(dict(sorted(dacs.items()))),
        alu=MappingProxyType(alu),
        raw=_freeze(data),
        source=source,
        notes=notes,
    )


def unknown_key_notes(data: Mapping[str, Any], source: str) -> tuple[str, ...]:
    """One line per top-level key pimsyn does not read, naming the nearest known key."""
    notes = []
    lowered = {k.lower(): k for k in KNOWN_TOP_LEVEL_KEYS}
    for key in data:
        if key in KNOWN_TOP_LEVEL_KEYS:
            continue
        # nearest known key, case-insensitively ('Relu', 'Sigmod' -> RELU, SIGMOID)
        nearest = difflib.get_close_matches(str(key).lower(), list(lowered), n=1, cutoff=0.0)
        hint = f" (nearest known key: '{lowered[nearest[0]]}')" if nearest else ""
        notes.append(f"{source}: unknown top-level key '{key}' ignored{hint}")
    return tuple(notes)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        if key not in data:
            raise HardwareError(f"{self.source}: missing table '{key}'")
        value = data[key]
        if not isinstance(value, Mapping):
            raise HardwareError(f"{self.source}: '{key}' must be an object")
        return value

    def number(self, entry: Any, key: str, where: str, *, positive: bool = False,
               nonneg: bool = False) -> float:
        if not isinstance(entry, Mapping):
            raise HardwareError(f"{self.source}: {where} must be an object")
        if key not in entry:
            raise HardwareError(f"{self.source}: {where} is missing '{key}'")
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise HardwareError(f"{self.source}: {where}.{key} must be a number, got {value!r}")
        if positive and value <= 0:
            raise HardwareError(f"{self.source}: {where}.{key} must be positive, got {value!r}")
        if nonneg and value < 0:
            raise HardwareError(f"{self.source}: {where}.{key} must not be negative, got {value!r}")
        return value

    def integer(self, entry: Any, key: str, where: str) -> int:
        value = self.number(entry, key, where, positive=True)
        if int(value) != value:
            raise HardwareError(f"{self.source}: {where}.{key} must be an integer, got {value!r}")
        return int(value)

    def component(self, entry: Any, where: str) -> ComponentSpec:
        return ComponentSpec(
            static_power_w=self.number(entry, "static_power", where, nonneg=True),
            dynamic_power_w=self.number(entry, "dynamic_power", where, nonneg=True),
            peak_power_w=self.number(entry, "peak_power", where, positive=True),
            frequency_ghz=self.number(entry, "frequency", where, positive=True),
            latency_ns=self.number(entry, "latency", where, nonneg=True),
        )


def _parse_key(key: str, source: str, table: str, pair: bool = False):
    try:
        if pair:
            size, res = str(key).split("_")
            return int(size), int(res)
        return int(key)
    except ValueError:
        form = "'<size>_<cell_res>'" if pair else "an integer"
        raise HardwareError(f"{source}: {table} key {key!r} must be {form}") from None


def _lookup(table: Mapping[int, Any], key: int, name: str, what: str, source: str):
    try:
        return table[key]
    except KeyError:
        raise HardwareError(
            f"no {name} with {what} {key} in {source} (have {_ranges(sorted(table))})"
        ) from None


def _ranges(values: list[int]) -> str:
    """4, 6, 7, 8 -> '4, 6..8' (compact list for error messages)."""
    parts: list[str] = []
    start = prev = None
    for v in values + [None]:
        if start is not None and v is not None and v == prev + 1:
            prev = v
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}..{prev}")
        start = prev = v
    return ", ".join(parts)


def _unpickle_hardware(state: dict, frozen: set) -> HardwareConfig:
    return HardwareConfig(**{name: _refreeze(value) if name in frozen else value for name, value in state.items()})


def _refreeze(value: Any) -> Any:
    """`_freeze` for a table whose keys may be tuples and values dataclasses (left as they are)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _refreeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_refreeze(v) for v in value)
    return value


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value
