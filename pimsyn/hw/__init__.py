"""Hardware description and the PIMSYN cost model (spec Section 5, except the DAG schedule)."""

from pimsyn.hw.config import (
    ComponentSpec, CrossbarSpec, HardwareConfig, HardwareError, MemorySpec, adc_resolution,
    load_hardware,
)
from pimsyn.hw.evaluate import DesignPoint, Evaluation, LayerEvaluation, evaluate, fitness
from pimsyn.hw.layers import (
    CostNetwork, CrossbarBudget, LayerState, apply_duplication, cost_network, crossbar_budget,
)
from pimsyn.hw.placement import PlacementError

__all__ = [
    "ComponentSpec", "CostNetwork", "CrossbarBudget", "CrossbarSpec", "DesignPoint", "Evaluation",
    "HardwareConfig", "HardwareError", "LayerEvaluation", "LayerState", "MemorySpec",
    "PlacementError", "adc_resolution", "apply_duplication", "cost_network", "crossbar_budget",
    "evaluate", "fitness", "load_hardware",
]
