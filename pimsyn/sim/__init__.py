"""The built-in behaviour-level simulator (`pimsyn sim`, docs/simulator.md).

It executes the scheduled compact dataflow of a design.mlir event by event: every
(inference, layer, block, op, bit), with each op's latency, the four dependency kinds of
the dataflow, and the chip's shared resources (NoC links, ADCs shared by two layers,
optionally scratchpad ports), and reports cycles, energy, per-layer busy time and
per-macro utilisation. Modules: `dataflow` (what is read from the IR), `resources`,
`program` (the event arrays), `kernel` (the event loop), `result`, `trace`, `simulate`.
"""

from pimsyn.sim.errors import SimError
from pimsyn.sim.simulate import simulate

__all__ = ["SimError", "simulate"]
