"""Simulate a synthesized design.mlir: the one entry point of the package."""

from __future__ import annotations

import time

from xdsl.dialects.builtin import ModuleOp

from pimsyn.sim import kernel
from pimsyn.sim.dataflow import Flow, read_flow
from pimsyn.sim.errors import SimError
from pimsyn.sim.program import Program, build_program
from pimsyn.sim.resources import build_resources
from pimsyn.sim.result import SimResult, summarise

#: events of the largest run `simulate` accepts (its arrays take about 20 bytes per event)
MAX_EVENTS = 400_000_000


def simulate(design: ModuleOp | Flow, *, batch: int = 1, spm_ports: bool = False,
             contention: bool = True) -> SimResult:
    """Run ``batch`` back-to-back inferences of the design (docs/simulator.md).

    ``spm_ports``: model one read and one write scratchpad port per macro;
    ``contention=False``: ignore every shared resource (the dependency-only schedule)."""
    result, _, _ = simulate_with_starts(design, batch=batch, spm_ports=spm_ports, contention=contention)
    return result


def simulate_with_starts(design: ModuleOp | Flow, *, batch: int = 1, spm_ports: bool = False,
                         contention: bool = True):
    """:func:`simulate`, also returning the flow, the program and every event's start
    cycle (for traces and tests): (result, (flow, program), start)."""
    if batch < 1:
        raise SimError(f"--batch must be >= 1, got {batch}")
    flow = design if isinstance(design, Flow) else read_flow(design)
    if flow.nodes * batch > MAX_EVENTS:
        raise SimError(f"{flow.nodes * batch:,} events ({flow.nodes:,} per inference x batch {batch}) "
                       f"exceed the simulator's limit of {MAX_EVENTS:,}; use a smaller --batch")
    program = build_program(flow, build_resources(flow, spm_ports=spm_ports, contention=contention), batch=batch)
    args = kernel_args(program, flow.bits)
    kernel.prepare(args)  # compile, or load the compiled kernel from numba's cache: not timed
    begin = time.perf_counter()
    start, done, stall = kernel.run_events(*args)
    wall = time.perf_counter() - begin
    if done != program.nodes:
        raise SimError(f"the simulation stopped after {done:,} of {program.nodes:,} events: the dataflow's "
                       "dependencies form a cycle")
    return summarise(flow, program, start, stall, wall, kernel.COMPILED), (flow, program), start


def kernel_args(program: Program, bits: int) -> tuple:
    """The kernel's arguments for a program (:func:`pimsyn.sim.kernel.run_events`)."""
    return (
        program.base, program.per_block, program.blocks, program.batch, program.op_ptr, program.offset,
        program.reps, program.tau, program.sigma, program.delta, program.group, program.prio_kind,
        program.slot_ptr, program.slot_op, program.cons_ptr, program.blk_ptr, program.cons_layer,
        program.cons_block, program.group_ptr, program.group_res, program.resources, program.indeg.copy(),
        program.resource_nodes, bits,
    )
