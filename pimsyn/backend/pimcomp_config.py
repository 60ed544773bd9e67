"""A complete PIMCOMP-NN config.json for one synthesized accelerator.

PIMCOMP-NN (github.com/sunxt99/PIMCOMP-NN, Apache-2.0) crashes on a partial config, so we
start from its own complete default (bundled as ``pimsyn/data/pimcomp-default-config.json``,
licence in ``pimsyn/data/LICENSE-PIMCOMP-NN.txt``) and overwrite only the keys our design
decides. The same file is the config of its simulator pimsim-nn (github.com/wangxy-2000/
pimsim-nn), which reads every key; PIMCOMP-NN itself reads five (backend/Preparation.cpp,
LoadHardwareConfiguration, lines 104-114). What each key we set is read as:

``matrix_config.xbar_size`` [H, W]
    PIMCOMP-NN: CrossbarH = [0], CrossbarW = [1] (Preparation.cpp:106,108). We write [S, S].
``matrix_config.xbar_array_count``
    PIMCOMP-NN: CoreH, logical crossbars per core, CoreW being fixed to 1 (Preparation.cpp:
    110-111). A logical crossbar holds S x S full-precision weights (CrossbarPartition.cpp:64),
    so it stands for ceil(16 / cell bits) of our physical crossbars: the caller converts.
``matrix_config.cell_precision``
    PIMCOMP-NN: CellPrecision (Preparation.cpp:105), only printed and copied to the simulator
    file; pimsim-nn: weights per crossbar row = W * cell_precision / 16 (XbarArray.cpp:76).
``matrix_config.adc_count``
    NOT a count for PIMCOMP-NN: it is ArithmeticPrecision, the bit width of inputs, weights
    and outputs (Preparation.cpp:104; README table "ArithmeticPrecision ... adc_count"), used
    for bytes moved and the MVM latency (HierarchyMapping.cpp:817,1051). We write 16, the
    precision of our networks; ``PimcompCore.adc_count`` has no key PIMCOMP-NN would read
    correctly (pimsim-nn would read this key as ADCs per crossbar, XbarArray.cpp:40).
``matrix_config.dac_count``, ``dac_resolution``, ``adc_resolution``
    Not read by PIMCOMP-NN. pimsim-nn: dac_count = DACs per crossbar, rows/dac_count DAC
    steps per input bit (XbarArray.cpp:39); dac_resolution = input bits per DAC step
    (XbarArray.cpp:37); adc_resolution is only declared (Config.hpp:118). Our DACs per core
    are spread over the core's crossbars: ceil(dac_count / xbar_array_count), at most S.
``network_config.layout`` [rows, cols]
    PIMCOMP-NN: ChipH = [0], ChipW = [1] (Preparation.cpp:112,114); it sizes its tables by
    ChipH * ChipW but indexes static arrays of MAX_CORE = 1000 entries by core (configure.h:23,
    HierarchyMapping.cpp:819-827, evaluation/ModelEvaluation.cpp:103-155), so rows * cols
    must be <= 1000. pimsim-nn wants both positive (Config.hpp:59).
``chip_config.core_cnt``
    Not read by PIMCOMP-NN (it writes the number of cores it used into its simulator file,
    ElementPlacement.cpp:494-495). pimsim-nn: cores simulated (Config.hpp:261, Chip.cpp:42);
    the default has 136 on a 12 x 12 layout, so it may be smaller than rows * cols.

Everything else (periods, latencies, powers, memories, bus, sim_config) keeps PIMCOMP-NN's
default values.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

from pimsyn.backend.errors import BackendError

#: The bundled copy of PIMCOMP-NN's config.json.
DEFAULT_CONFIG_RESOURCE = "pimcomp-default-config.json"
#: PIMCOMP-NN's MAX_CORE (configure.h:23): per-core static arrays hold this many cores.
PIMCOMP_MAX_CORES = 1000
#: What PIMCOMP-NN reads from adc_count: the bits of inputs / weights / outputs.
PIMCOMP_ARITHMETIC_PRECISION = 16


@dataclass(frozen=True)
class PimcompCore:
    """The values our synthesized design decides (see the module docstring for the keys)."""

    cell_precision: int  # ReRAM cell bits
    xbar_size: int  # S (crossbars are S x S)
    xbar_array_count: int  # crossbars per core, in PIMCOMP-NN's logical crossbars
    dac_resolution: int
    dac_count: int  # DACs per core
    adc_resolution: int
    adc_count: int  # ADCs per core
    mesh_rows: int
    mesh_cols: int
    core_count: int  # macros actually used (<= rows*cols)


@lru_cache(maxsize=1)
def _bundled_default() -> dict:
    text = resources.files("pimsyn.data").joinpath(DEFAULT_CONFIG_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def default_pimcomp_config() -> dict:
    """A fresh deep copy of PIMCOMP-NN's default config.json (callers may mutate it)."""
    return copy.deepcopy(_bundled_default())


def _check(core: PimcompCore) -> None:
    """Raise BackendError for values PIMCOMP-NN (or pimsim-nn) cannot take."""
    for field in fields(core):
        value = getattr(core, field.name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BackendError(f"PIMCOMP-NN config: {field.name} must be a positive integer, got {value!r}")
    cores = core.mesh_rows * core.mesh_cols
    if cores > PIMCOMP_MAX_CORES:
        raise BackendError(
            f"the macro mesh is {core.mesh_rows}x{core.mesh_cols} = {cores} cores but PIMCOMP-NN supports at most "
            f"{PIMCOMP_MAX_CORES} (MAX_CORE in its configure.h)")
    if core.core_count > cores:
        raise BackendError(
            f"PIMCOMP-NN config: {core.core_count} cores used do not fit the {core.mesh_rows}x{core.mesh_cols} layout")


def dacs_per_crossbar(core: PimcompCore) -> int:
    """pimsim-nn's dac_count (per crossbar): our DACs per core over its crossbars, 1..S."""
    return max(1, min(core.xbar_size, math.ceil(core.dac_count / core.xbar_array_count)))


def pimcomp_config(core: PimcompCore) -> dict:
    """PIMCOMP-NN's complete default config with our design's values merged in."""
    _check(core)
    config = default_pimcomp_config()
    chip = config["chip_config"]
    matrix = chip["core_config"]["matrix_config"]
    matrix["cell_precision"] = core.cell_precision
    matrix["xbar_size"] = [core.xbar_size, core.xbar_size]
    matrix["xbar_array_count"] = core.xbar_array_count
    matrix["dac_resolution"] = core.dac_resolution
    matrix["dac_count"] = dacs_per_crossbar(core)
    matrix["adc_resolution"] = core.adc_resolution
    matrix["adc_count"] = PIMCOMP_ARITHMETIC_PRECISION
    chip["network_config"]["layout"] = [core.mesh_rows, core.mesh_cols]
    chip["core_cnt"] = core.core_count
    return config


def pimcomp_config_text(core: PimcompCore) -> str:
    return json.dumps(pimcomp_config(core), indent=4) + "\n"


def _json_type(value) -> str:
    """The JSON type of a parsed value (bool is not a number; int and float both are)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def key_tree_mismatches(reference: dict, candidate: dict) -> list[str]:
    """Every key path (``a.b[0]``) missing from candidate, extra in it, or of another JSON type.

    Objects are compared key by key and arrays element by element; an empty list means the two
    trees have the same keys and JSON types everywhere (values may differ).
    """
    problems: list[str] = []
    _compare(reference, candidate, "", problems)
    return problems


def _compare(ref, cand, path: str, problems: list[str]) -> None:
    ref_type, cand_type = _json_type(ref), _json_type(cand)
    if ref_type != cand_type:
        problems.append(f"type: {path or '<root>'} is {cand_type}, expected {ref_type}")
        return
    if ref_type == "object":
        for key in ref:
            sub = f"{path}.{key}" if path else str(key)
            if key in cand:
                _compare(ref[key], cand[key], sub, problems)
            else:
                problems.append(f"missing: {sub}")
        problems.extend(f"extra: {path}.{key}" if path else f"extra: {key}" for key in cand if key not in ref)
    elif ref_type == "array":
        for index in range(max(len(ref), len(cand))):
            sub = f"{path}[{index}]"
            if index >= len(cand):
                problems.append(f"missing: {sub}")
            elif index >= len(ref):
                problems.append(f"extra: {sub}")
            else:
                _compare(ref[index], cand[index], sub, problems)
