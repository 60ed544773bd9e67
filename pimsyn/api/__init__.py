"""The Python API of pimsyn (also `import pimsyn`): what the command-line tools are made of.

    import pimsyn
    net = pimsyn.load_model("resnet18.onnx")
    hw = pimsyn.load_hardware()                      # the bundled reference table
    res = pimsyn.synthesize(net, total_power_w=49, hardware=hw, effort=1, seed=1, progress=True)
    res.metrics.power_efficiency_gops_per_w
    res.write("out/resnet18")                        # the files `pimsyn synth` writes
    text = res.design.to_mlir()
    design = pimsyn.Design.from_mlir("out/resnet18/design.mlir")

Errors are `pimsyn.PimsynError` subclasses (the CLI prints them as one line, exit 2).
docs/api.md describes every function and type.
"""

from pimsyn.api.compact import CompactResult, plan_synthesis
from pimsyn.api.design import Design, DesignPoint
from pimsyn.api.errors import (
    BackendError, HardwareError, ImpossibleBudgetError, InputFileError, IRError, MalformedModelError,
    ModelNotFoundError, NetworkError, OptionError, OutputPathError, PimsynError, UnsupportedOperatorError,
)
from pimsyn.api.metrics import Metrics
from pimsyn.api.sweep import SweepResult, sweep
from pimsyn.api.synthesis import SynthesisResult, evaluate, load_hardware, load_model, synthesize
from pimsyn.dse.space import DesignSpace

__all__ = [
    "BackendError", "CompactResult", "Design", "DesignPoint", "DesignSpace", "HardwareError", "ImpossibleBudgetError",
    "InputFileError", "IRError", "MalformedModelError", "Metrics", "ModelNotFoundError", "NetworkError",
    "OptionError", "OutputPathError", "PimsynError", "SynthesisResult", "UnsupportedOperatorError",
    "evaluate", "load_hardware", "load_model", "plan_synthesis", "sweep", "synthesize", "SweepResult",
]
