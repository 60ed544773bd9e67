"""pimsyn: synthesis of ReRAM processing-in-memory CNN accelerators (PIMSYN, DATE'24).

The Python API (`pimsyn.api`, docs/api.md) is available from the package itself:
`pimsyn.load_model`, `pimsyn.load_hardware`, `pimsyn.synthesize`, `pimsyn.evaluate`,
`pimsyn.sweep`, `pimsyn.Design`, `pimsyn.Metrics`, ... It is imported on first use, so
`import pimsyn` stays cheap for the command-line tools.
"""

from __future__ import annotations

__all__ = [
    "BackendError", "CompactResult", "Design", "DesignPoint", "DesignSpace", "HardwareError", "ImpossibleBudgetError",
    "InputFileError", "IRError", "MalformedModelError", "Metrics", "ModelNotFoundError", "NetworkError",
    "OptionError", "OutputPathError", "PimsynError", "SynthesisResult", "UnsupportedOperatorError",
    "evaluate", "load_hardware", "load_model", "plan_synthesis", "sweep", "synthesize", "SweepResult",
]


def __getattr__(name: str):
    if name in __all__:
        import pimsyn.api

        return getattr(pimsyn.api, name)
    raise AttributeError(f"module 'pimsyn' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
