"""Capture the DSE's arms at a halving round or the refinement, then replay the rest.

    python bench/refine_replay.py capture --network resnet18 --power 49 --seed 2 \\
        [--at refine | --at "halve 4"] [--effort 1] [--jobs 2] --out state.pkl
    python bench/refine_replay.py replay state.pkl [--chunks 96] [--arms 21,2,1 ...] [--salt N] [--jobs 2]

`capture` runs a real synthesis (`pimsyn.dse.driver.synthesize`, specified macros,
sharing on unless `--no-reuse`) and prints every halving round's arms ranked as the
driver cuts them (order, GOPS/W, RatioRram, cell bits, crossbar size); when the phase named
by `--at` starts ("refine", or "halve K" for the K-th halving round) it pickles the arms
that phase receives, the options and the remaining rounds, and stops.

`replay` continues from a captured state exactly as the driver would (the same task rng
paths, `driver._improve`, `driver._refocus` in the refinement), so a replay with the
default number of chunks ends at the synthesis's own result; `--chunks N` gives the
finalists N refinement chunks instead (what a longer `--effort` would buy), and
`--arms` keeps only the named arms (order tuples) through every later round instead of
the driver's cuts: "what if this arm had survived the halving"; `--salt N` appends
1000 + N to every task's rng path (beyond any climber number), so the same start climbs
with another draw: how much of a result is the climb's luck. Each round prints the
arms' values; each refinement chunk prints the finalists' values, `*` marking a finalist
that stalled and hands its next chunks to a second climber of the leader, and the
evaluations each finalist spent in the chunk (fewer than the chunk: its neighbourhood
was exhausted); the last line is the best design point (duplication, macro counts,
sharing partners).

Results depend only on the captured state, the seed and the chunk count, not on timing or
`--jobs` (docs/benchmarks.md, "A longer refinement for the big networks" and "What the
refinement replays say about the remaining gaps" were measured this way).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pimsyn.dse import driver, tasks  # noqa: E402
from pimsyn.dse.executors import make_executor  # noqa: E402
from pimsyn.dse.progress import Progress  # noqa: E402
from pimsyn.dse.result import SynthesisOptions  # noqa: E402
from pimsyn.errors import PimsynError  # noqa: E402
from pimsyn.files import check_output_file, write_files_atomic  # noqa: E402
from pimsyn.frontend.network_json import load_network_json  # noqa: E402
from pimsyn.hw import load_hardware  # noqa: E402


class _Captured(Exception):
    """Raised inside the synthesis once the state is written."""


NETWORKS = ROOT / "test" / "data" / "networks"
#: what `capture` writes
STATE_KEYS = frozenset({"network", "options", "arms", "round_index", "rounds"})


def _network(name: str):
    path = NETWORKS / f"{name}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in NETWORKS.glob("*.json")))
        sys.exit(f"refine_replay: no network {name!r} (one of: {known})")
    return load_network_json(path)


def _arm(arm) -> str:
    climber = f"+{arm.climber}" if arm.climber else ""
    return f"{arm.order}{climber} {arm.fitness / 1e9:.1f}"


def _describe(arms, limit: int = 12) -> str:
    shown = ", ".join(f"{_arm(a)} ({a.rram_ratio:g}/{a.cell_res}b/{a.xbar_size})" for a in arms[:limit])
    return shown + (f", ... {len(arms) - limit} more" if len(arms) > limit else "")


def capture(args) -> None:
    try:
        check_output_file(args.out)  # a bad --out in one line now, not after the search
    except PimsynError as err:
        sys.exit(f"refine_replay: {err}")
    options = SynthesisOptions(total_power_w=args.power, macro_setting="specified", macro_reuse=not args.no_reuse,
                               seed=args.seed, jobs=args.jobs, effort=args.effort, progress=False)
    rounds_seen: list = []
    real_rounds, real_improve = driver.halving_rounds, driver._improve

    def rounds(arms, budget):
        rounds_seen.append(real_rounds(arms, budget))
        return rounds_seen[-1]

    def improve(executor, arms, evaluations, chunk, phase, round_index, progress, curve, started, name,
                checkpoint=None, retired=None):
        print(f"{name}: {evaluations} evaluations per arm; {_describe(arms)}", flush=True)
        if name.startswith(args.at):
            state = dict(network=args.network, options=options, arms=arms, round_index=round_index,
                         rounds=rounds_seen[-1])
            write_files_atomic({Path(args.out): pickle.dumps(state)})
            print(f"captured {len(arms)} arms at '{name}' (round {round_index}) -> {args.out}", flush=True)
            raise _Captured
        return real_improve(executor, arms, evaluations, chunk, phase, round_index, progress, curve, started, name,
                            checkpoint, retired=retired)

    driver.halving_rounds, driver._improve = rounds, improve
    try:
        driver.synthesize(_network(args.network), load_hardware(), options)
        sys.exit(f"refine_replay: the synthesis ended without a phase named '{args.at}'")
    except _Captured:
        pass
    finally:
        driver.halving_rounds, driver._improve = real_rounds, real_improve


def replay(args) -> None:
    try:
        state = pickle.loads(Path(args.state).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError) as err:
        sys.exit(f"refine_replay: {args.state} is not a state written by 'capture' ({type(err).__name__}: {err})")
    if not isinstance(state, dict) or not STATE_KEYS <= state.keys():
        sys.exit(f"refine_replay: {args.state} is not a state written by 'capture' (it has no {sorted(STATE_KEYS)})")
    net, hw, options = _network(state["network"]), load_hardware(), state["options"]
    budget = driver.search_budget(net, hw, options)
    rounds = list(state["rounds"])
    if args.chunks is not None:
        rounds[-1] = (rounds[-1][0], budget.chunk * args.chunks)
    alive = state["arms"]
    if args.arms:
        wanted = set(args.arms)
        alive = [a for a in alive if a.order in wanted]
        missing = wanted - {a.order for a in alive}
        if missing:
            sys.exit(f"refine_replay: no captured arm {sorted(missing)} (the state holds "
                     f"{[a.order for a in state['arms']]})")
    real_refocus, real_path = driver._refocus, driver._path

    def refocus(before, after, step):
        out = real_refocus(before, after, step)
        values = ", ".join(f"{a.fitness / 1e9:.1f}{'*' if a is not b else ''}" for a, b in zip(after, out))
        spent = "/".join(str(a.evaluations - b.evaluations) for a, b in zip(after, before))
        print(f"  chunk {step + 1}: {values} ({spent} evaluations)", flush=True)
        return out

    driver._refocus = refocus
    if args.salt is not None:
        driver._path = lambda *where: real_path(*where) + (1000 + args.salt,)
    executor = make_executor(args.jobs, initializer=tasks.init_worker, initargs=(net, hw, options, budget))
    started = time.perf_counter()
    progress = Progress(total=10**12, enabled=False, started=started)  # quiet: the rounds print their own lines
    try:
        for index in range(state["round_index"], len(rounds)):
            survivors, evaluations = rounds[index]
            if not args.arms:
                alive = driver._ranked(alive, budget.arms_per_start)[:survivors]
            last = index == len(rounds) - 1
            name = "refine" if last else f"halve {index + 1}/{len(rounds) - 1}"
            print(f"{name}: {evaluations} evaluations per arm", flush=True)
            alive = driver._improve(executor, alive, evaluations, budget.chunk, tasks.HALVE, index, progress, [],
                                    started, name, None, retired=[] if last else None)
            print(f"  -> {_describe(sorted(alive, key=lambda a: -a.fitness))} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        driver._refocus, driver._path = real_refocus, real_path
        executor.close()
    best = min(alive, key=lambda c: (-c.fitness, c.order))
    print(f"best {best.fitness / 1e9:.2f} GOPS/W, arm {best.order}, {sum(a.evaluations for a in alive)} "
          f"evaluations by the last arms, {time.perf_counter() - started:.0f} s")
    print(f"design: RatioRram {best.rram_ratio:g}, {best.xbar_size} x {best.xbar_size}, {best.cell_res}-bit cells, "
          f"DAC {best.dac_res}; duplication {list(best.conv_dup)}; macros {list(best.macros)}; "
          f"partners {list(best.partners)}")


def _order(text: str) -> tuple[int, ...]:
    """An arm's order as printed by capture: 'combination,candidate,dac' (e.g. 21,2,1)."""
    try:
        return tuple(int(x) for x in text.strip("()").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an arm order like 21,2,1: {text!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="run a synthesis up to a phase and pickle the arms it receives")
    cap.add_argument("--network", required=True, help="one of test/data/networks/*.json (name without .json)")
    cap.add_argument("--power", type=float, required=True)
    cap.add_argument("--seed", type=int, default=1)
    cap.add_argument("--effort", type=float, default=1.0)
    cap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    cap.add_argument("--no-reuse", action="store_true")
    cap.add_argument("--at", default="refine", help="phase to capture: 'refine' or 'halve K'")
    cap.add_argument("--out", required=True)
    rep = sub.add_parser("replay", help="continue a captured state as the driver would")
    rep.add_argument("state")
    rep.add_argument("--chunks", type=int, default=None, help="refinement chunks per finalist (default: the run's)")
    rep.add_argument("--arms", nargs="*", type=_order, default=None,
                     help="keep only these arms (order tuples, e.g. 21,2,1)")
    rep.add_argument("--salt", type=int, default=None, help="another rng draw for the same start (>= 0)")
    rep.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.command == "capture":
        if args.at != "refine" and not args.at.startswith("halve "):
            sys.exit(f"refine_replay: --at must be 'refine' or 'halve K', not {args.at!r}")
        if args.at.startswith("halve "):
            args.at = args.at + "/"  # 'halve 4' must not match 'halve 41/...'
        capture(args)
    else:
        replay(args)


if __name__ == "__main__":
    main()
