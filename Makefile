# Two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ONNX_LIGHT = $(shell $(BIN)/python -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'backend/test/data/light'))")
DEMO_MODEL ?= light_bvlc_alexnet.onnx
DEMO_OUT   ?= out/demo

.PHONY: demo test venv lit unit bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[netlist]' || { \
	  echo "*****************************************************************************"; \
	  echo "* SKIPPED: CIRCT's Python bindings (pip package circt) do not install here:  *"; \
	  echo "* the verilog target and its tests are unavailable on this platform.        *"; \
	  echo "*****************************************************************************"; }
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[fast]' || { \
	  echo "*****************************************************************************"; \
	  echo "* SKIPPED: numba does not install here: the simulator kernels (pimsyn sim)   *"; \
	  echo "* run as plain Python instead (same results, about 100x slower).            *"; \
	  echo "*****************************************************************************"; }
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[plot]' || { \
	  echo "*****************************************************************************"; \
	  echo "* SKIPPED: matplotlib does not install here: pimsyn explore-size --plot is    *"; \
	  echo "* unavailable (it says so); everything else works.                          *"; \
	  echo "*****************************************************************************"; }
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pimsyn layers $(ONNX_LIGHT)/$(DEMO_MODEL)
	$(BIN)/pimsyn synth $(ONNX_LIGHT)/$(DEMO_MODEL) --total-power 49 --seed 1 -o $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python test/run_all.py

unit: $(STAMP)
	$(BIN)/pytest -q

lit: $(STAMP)
	$(BIN)/lit -sv test/lit

bench: $(STAMP)
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache
