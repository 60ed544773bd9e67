"""Print (not assert) how long pim IR building, printing and parsing take.

    .venv/bin/python bench/ir_bench.py

Networks: resnet18 from the bundled network JSON, and light_resnet50 from the ONNX test
data shipped with the onnx package (when the ONNX frontend is available). Also times the
unroll pass on a synthetic compact dataflow of resnet18.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pimsyn.frontend.network_json import load_network_json  # noqa: E402
from pimsyn.ir.build import network_to_module  # noqa: E402
from pimsyn.ir.context import parse_module, print_module, verify_module  # noqa: E402
from pimsyn.ir.extract import module_to_network  # noqa: E402
from pimsyn.model.network import Network  # noqa: E402


def _best_of(func, repeat: int = 5) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_network(label: str, net: Network) -> None:
    build_s, module = _best_of(lambda: network_to_module(net))
    verify_s, _ = _best_of(lambda: verify_module(module))
    print_s, text = _best_of(lambda: print_module(module))
    parse_s, parsed = _best_of(lambda: parse_module(text))
    extract_s, back = _best_of(lambda: module_to_network(parsed))
    assert back == net, "round trip changed the network"
    print(
        f"{label:<16} layers={len(net.nodes):4d} chars={len(text):7d}  build {build_s * 1e3:7.2f} ms  "
        f"verify {verify_s * 1e3:7.2f} ms  print {print_s * 1e3:7.2f} ms  parse+verify {parse_s * 1e3:7.2f} ms  "
        f"print+parse {(print_s + parse_s) * 1e3:7.2f} ms  extract {extract_s * 1e3:6.2f} ms"
    )


def bench_unroll() -> None:
    from xdsl.context import Context

    sys.path.insert(0, str(ROOT / "test" / "unit"))
    from test_ir_unroll import compact_dataflow  # type: ignore[import-not-found]

    from pimsyn.ir.dataflow_ops import DataflowRegionOp
    from pimsyn.ir.design import dataflow_region
    from pimsyn.passes.unroll import UnrollPass

    net = load_network_json(ROOT / "test" / "data" / "networks" / "resnet18.json")
    for max_blocks in (20, 100):
        module = network_to_module(net)
        ops, _, _ = compact_dataflow(net, max_blocks=max_blocks)
        module.body.block.add_op(DataflowRegionOp(ops))
        start = time.perf_counter()
        UnrollPass(force=True).apply(Context(), module)
        unroll_s = time.perf_counter() - start
        count = len(dataflow_region(module).dataflow_ops())
        start = time.perf_counter()
        text = print_module(module)
        print_s = time.perf_counter() - start
        print(
            f"unroll resnet18 <= {max_blocks} blocks/layer: {count} ops in {unroll_s * 1e3:.0f} ms "
            f"({unroll_s / count * 1e6:.1f} us/op), print {print_s * 1e3:.0f} ms ({len(text)} chars)"
        )


def fixed_design(net: Network, macro_setting: str = "specified", conv_dup=None, macros=None):
    """A design point without search (AlexNet: spec 8.3 design A; else no duplication, a
    macro per 128 crossbars, 256x256 2-bit crossbars, RatioRram 0.3 and twice the power the
    weights need, at least 49 W): the design.mlir benchmarks need a design, not a good one."""
    import numpy as np

    from pimsyn.hw import apply_duplication, cost_network, load_hardware
    from pimsyn.hw.design import Design
    from pimsyn.hw.energy import used_crossbars

    hw = load_hardware()
    cnet = cost_network(net, hw, 256, 2)
    dup = np.asarray(conv_dup if conv_dup else [1] * net.count("conv"), dtype=np.int64)
    xbars = used_crossbars(cnet, apply_duplication(cnet, dup))[cnet.gene_layers]
    macros = macros or tuple(int(max(1, -(-x // 128))) for x in xbars)
    power = max(49.0, float(np.ceil(2 * xbars.sum() * hw.crossbar(256, 2).peak_power_w / 0.3)))
    return Design(network=net, hw=hw, total_power_w=power, rram_ratio=0.3, xbar_size=256, cell_res=2, dac_res=1,
                  adc_res=9, macro_setting=macro_setting, conv_dup=tuple(int(d) for d in dup),
                  macros=tuple(macros), partners=(-1,) * len(macros))


def bench_design(label: str, design) -> None:
    """design.mlir of a synthesized design (physical design, schedule, hardware table):
    build (the pass pipeline, evaluations included), print, parse + verify."""
    from pimsyn.passes.pipeline import design_to_module

    start = time.perf_counter()
    module = design_to_module(design)
    build_s = time.perf_counter() - start
    print_s, text = _best_of(lambda: print_module(module), 3)
    parse_s, parsed = _best_of(lambda: parse_module(text), 3)
    assert print_module(parsed) == text, "design.mlir round trip changed the text"
    macros = sum(1 for op in module.walk() if op.name == "pim.macro")
    print(
        f"design.mlir {label:<22} macros={macros:4d} chars={len(text):8d}  build {build_s:6.2f} s  "
        f"print {print_s * 1e3:7.1f} ms  parse+verify {parse_s * 1e3:7.1f} ms  "
        f"print+parse+verify {(print_s + parse_s) * 1e3:7.1f} ms"
    )


def main() -> None:
    alexnet = load_network_json(ROOT / "test" / "data" / "networks" / "alexnet.json")
    bench_design("alexnet design A", fixed_design(alexnet, "specified", (110, 26, 6, 7, 6), (11, 10, 5, 5, 3, 18, 8, 4)))
    bench_design("alexnet dup 1", fixed_design(alexnet))
    bench_network("resnet18 (json)", load_network_json(ROOT / "test" / "data" / "networks" / "resnet18.json"))
    try:
        import onnx

        from pimsyn.frontend.onnx_import import load_onnx
    except ImportError as err:
        print(f"light_resnet50: skipped ({err})")
    else:
        path = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light" / "light_resnet50.onnx"
        if path.exists():
            start = time.perf_counter()
            net = load_onnx(path)
            print(f"light_resnet50 ONNX import {(time.perf_counter() - start) * 1e3:.0f} ms")
            bench_network("light_resnet50", net)
            bench_design("light_resnet50 dup 1", fixed_design(net))
        else:
            print(f"light_resnet50: skipped ({path} not found)")
    bench_unroll()


if __name__ == "__main__":
    main()
