# lit configuration of pimsyn's FileCheck tests (run: .venv/bin/lit test/lit -v).
# pyright: reportUndefinedVariable=false
import os
import sys

import lit.formats

config.name = "pimsyn"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["lit.cfg.py", "Inputs"]

# Tools of the virtual environment running lit (pimsyn-opt, pimsyn, xdsl-opt, filecheck).
bin_dir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bin_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%networks", os.path.join(config.test_source_root, "..", "data", "networks")))

# The real ONNX Model Zoo graphs shipped inside the onnx package.
import onnx  # noqa: E402

config.substitutions.append(
    ("%onnx_light", os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light"))
)

# CIRCT's Python bindings (the verilog target): `REQUIRES: circt` tests need them; `make`
# installs them wherever PyPI has a wheel for the platform.
import importlib.util  # noqa: E402

if importlib.util.find_spec("circt") is not None:
    config.available_features.add("circt")
