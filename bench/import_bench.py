"""Import time of the ONNX Model Zoo graphs shipped with onnx (light_*.onnx).

Each model is timed end to end (onnx.load + checker + one infer_shapes + walk), best of
``--repeat`` runs. Target: light_resnet50 under 2 s. Run: .venv/bin/python bench/import_bench.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import onnx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's pimsyn (worktree comparisons)

from pimsyn.frontend import load_onnx  # noqa: E402

LIGHT_DIR = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
RESNET50_TARGET_S = 2.0


def best_time_s(path: Path, repeat: int) -> tuple[float, int]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        net = load_onnx(path)
        best = min(best, time.perf_counter() - start)
    return best, len(net.nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    total_s = 0.0
    print(f"{'model':<22} {'nodes':>6} {'import ms':>10}")
    for path in sorted(LIGHT_DIR.glob("light_*.onnx")):
        seconds, nodes = best_time_s(path, args.repeat)
        total_s += seconds
        print(f"{path.stem:<22} {nodes:>6} {seconds * 1e3:>10.1f}")
    print(f"{'total':<22} {'':>6} {total_s * 1e3:>10.1f}")
    resnet_s, _ = best_time_s(LIGHT_DIR / "light_resnet50.onnx", 1)
    verdict = "ok" if resnet_s < RESNET50_TARGET_S else "TOO SLOW"
    print(f"light_resnet50 single run: {resnet_s:.3f} s (target < {RESNET50_TARGET_S} s) {verdict}")


if __name__ == "__main__":
    main()
