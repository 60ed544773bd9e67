# Two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ONNX_LIGHT = $(shell $(BIN)/python -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'backend/test/data/light'))")
DEMO_MODEL ?= light_bvlc_alexnet.onnx
DEMO_OUT   ?= out/demo

.PHONY: demo test venv lit unit bench clean chromium

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
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dask]' || { \
	  echo "*****************************************************************************"; \
	  echo "* SKIPPED: dask[distributed] does not install here: --scheduler/--cluster     *"; \
	  echo "* are unavailable (they say so); the process pool works as before.          *"; \
	  echo "*****************************************************************************"; }
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[sweep]' || { \
	  echo "*****************************************************************************"; \
	  echo "* SKIPPED: pyarrow does not install here: pimsyn sweep writes CSV only.       *"; \
	  echo "*****************************************************************************"; }
	@$(MAKE) --no-print-directory chromium
	touch $(STAMP)

# Headless Chromium renders report.html for its screenshot test (Debian package chromium).
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (Debian package) for the report.html screenshot test"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || { \
	  echo "*****************************************************************************"; \
	  echo "* SKIPPED: apt-get install chromium failed: the report.html screenshot test  *"; \
	  echo "* is skipped; the HTML tests still run.                                     *"; \
	  echo "*****************************************************************************"; }; \
	else \
	  echo "*****************************************************************************"; \
	  echo "* SKIPPED: chromium is not installed and this is not root with apt-get: the  *"; \
	  echo "* report.html screenshot test is skipped; the HTML tests still run.          *"; \
	  echo "*****************************************************************************"; \
	fi

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
