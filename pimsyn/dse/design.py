"""Build a `Design` (`pimsyn.hw.design`) from what a user gives: command-line options, the
reference tool's accelerator JSON, or a design.mlir written by `pimsyn synth`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pimsyn.hw.design import Design
from pimsyn.errors import PimsynError


def _check_lengths(net_conv: int, net_weight: int, conv_dup, macros, partners) -> None:
    if len(conv_dup) != net_conv:
        raise PimsynError(f"--dup has {len(conv_dup)} values but the network has {net_conv} conv layers")
    if len(macros) != net_weight:
        raise PimsynError(f"--macros has {len(macros)} values but the network has {net_weight} conv+FC layers")
    if any(d < 1 for d in conv_dup):
        raise PimsynError("every duplication factor must be >= 1")
    if any(m < 1 for m in macros):
        raise PimsynError("every macro count must be >= 1")
    if len(partners) != net_weight:
        raise PimsynError("partner list length does not match the weight layers")


def parse_share(text: str | None, count: int) -> tuple[int, ...]:
    """'0:3,2:5' -> partner array (symmetric pairs of gene indices)."""
    partners = [-1] * count
    if not text:
        return tuple(partners)
    for item in text.split(","):
        try:
            a, b = (int(x) for x in item.split(":"))
        except ValueError:
            raise PimsynError(f"--share expects pairs 'i:j', got '{item}'") from None
        if not (0 <= a < count and 0 <= b < count) or a == b:
            raise PimsynError(f"--share pair {a}:{b} is not two different weight layers (0..{count - 1})")
        if partners[a] != -1 or partners[b] != -1:
            raise PimsynError(f"--share: a layer may share with one other layer only ({a}:{b})")
        partners[a], partners[b] = b, a
    return tuple(partners)


def design_from_options(net, hw, *, total_power_w, xbar_size, cell_res, rram_ratio, dac_res, adc_res,
                        conv_dup, macros, share, macro_setting) -> Design:
    from pimsyn.hw import adc_resolution

    n_conv = net.count("conv")
    n_weight = n_conv + net.count("fc")
    partners = parse_share(share, n_weight)
    _check_lengths(n_conv, n_weight, conv_dup, macros, partners)
    if adc_res is None:
        adc_res = adc_resolution(xbar_size, cell_res, dac_res)
    return Design(
        network=net, hw=hw, total_power_w=total_power_w, rram_ratio=rram_ratio, xbar_size=xbar_size,
        cell_res=cell_res, dac_res=dac_res, adc_res=adc_res, macro_setting=macro_setting,
        conv_dup=tuple(conv_dup), macros=tuple(macros), partners=partners,
    )


def design_from_reference_json(net, hw, path, total_power_w: float, macro_setting: str) -> Design:
    """A design point from the reference tool's accelerator JSON (spec 6).

    Its `duplication` entries give the conv duplication and `macro_num` the macro counts;
    note that the reference file mixes two designs (spec A3), so this re-evaluates the
    layer details it lists, which may differ from the efficiency it prints.
    """
    try:
        data = json.loads(Path(path).read_text())
    except OSError as err:
        raise PimsynError(f"{path}: cannot read ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise PimsynError(f"{path}: not valid JSON (line {err.lineno}: {err.msg})") from None
    try:
        convs = [n.name for n in net.nodes if n.kind == "conv"]
        fcs = [n.name for n in net.nodes if n.kind == "fc"]
        for name in convs + fcs:
            if name not in data:
                raise PimsynError(f"{path}: no entry for layer '{name}' of network '{net.name}'")
        conv_dup = tuple(int(data[n]["duplication"]) for n in convs)
        gene = convs + fcs
        macros = tuple(int(data[n]["macro_num"]) for n in gene)
        partners = [-1] * len(gene)
        for i, name in enumerate(gene):
            other = data[name].get("macro_sharing", "None")
            if other not in ("None", None) and other in gene:
                j = gene.index(other)
                partners[i], partners[j] = j, i
        design = design_from_options(
            net, hw, total_power_w=total_power_w, xbar_size=int(data["xbar_size"]),
            cell_res=int(data["rram_res"]), rram_ratio=float(data["rram_ratio"]),
            dac_res=int(data["dac_res"]), adc_res=int(data["adc_res"]), conv_dup=conv_dup,
            macros=macros, share=None, macro_setting=macro_setting,
        )
        return replace(design, partners=tuple(partners))
    except KeyError as err:
        raise PimsynError(f"{path}: missing key {err} (not a PIMSYN accelerator JSON?)") from None


def design_from_module_file(path: str, config: str | None = None) -> Design:
    """Read a design.mlir written by `pimsyn synth` back into a Design (its hardware from the
    table embedded in the file, unless `config` names another hardware file)."""
    from pimsyn.passes.design_state import design_from_module
    from pimsyn.ir.context import read_module

    return design_from_module(read_module(path), config)
