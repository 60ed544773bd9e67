"""Any value of a numeric option of `pimsyn evaluate` / `pimsyn synth` either works or is
one line `error: ...` with exit code 2 — never a traceback, never Infinity/NaN in the
output (issue "Nothing lost, nothing silently wrong"; docs/errors.md)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pimsyn.options import OPTIONS, OptionError, check
from pimsyn.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
ALEXNET = str(ROOT / "test" / "data" / "networks" / "alexnet.json")
EVALUATE = {"--total-power": "49", "--ratio": "0.3", "--xbar": "256", "--cell-res": "2", "--dac-res": "1"}

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e300", "1e17", "-1", "0", "-0.0", "1e-300", "0.5", "4.0", "1e6"]),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.text(max_size=12),
)


def assert_ok_or_one_line(result) -> None:
    text = result.output + (result.stderr or "")
    assert "Traceback" not in text
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 0:
        assert "Infinity" not in result.stdout and "NaN" not in result.stdout
        return
    assert result.exit_code == 2, (result.exit_code, text)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(option=st.sampled_from(sorted(EVALUATE)), value=values)
def test_evaluate_numeric_options(option, value):
    args = dict(EVALUATE, **{option: value})
    argv = ["evaluate", "-n", ALEXNET, "--dup", "110,26,6,7,6", "--macros", "11,10,5,5,3,18,8,4", "--format", "json"]
    for name, v in args.items():
        argv.append(f"{name}={v}")  # "=" so that a value starting with "-" stays a value
    result = CliRunner().invoke(main, argv)
    assert_ok_or_one_line(result)
    if result.exit_code == 0:
        json.loads(result.stdout)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(["--total-power", "--seed", "--effort", "--jobs"]), value=values)
def test_synth_numeric_options_are_validated_up_front(option, value, tmp_path_factory, monkeypatch):
    # Only up to the search: stop there (the options were all accepted by then).
    import pimsyn.dse.driver as driver

    class Reached(Exception):
        pass

    def stop(*args, **kwargs):
        raise Reached()

    monkeypatch.setattr(driver, "synthesize", stop)
    out = tmp_path_factory.mktemp("synth")
    argv = ["synth", ALEXNET, "--total-power=49", "--ratios", "0.3", "--xbars", "256", "--cell-resolutions", "2",
            "--dac-resolutions", "1", "--effort=0.02", "--jobs=1", "-q", "-o", str(out), f"{option}={value}"]
    result = CliRunner().invoke(main, argv)
    if isinstance(result.exception, Reached):
        return  # every option was valid
    assert_ok_or_one_line(result)
    assert result.exit_code == 2
    assert list(out.iterdir()) == []


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(OPTIONS)), value=st.one_of(st.floats(), st.integers(), st.text(max_size=8),
                                                                 st.none(), st.booleans()))
def test_check_returns_a_finite_number_in_range_or_one_line(name, value):
    spec = OPTIONS[name]
    try:
        number = check(name, value)
    except OptionError as err:
        assert "\n" not in str(err) and str(err).startswith(f"--{name} must be")
        return
    assert isinstance(number, spec.kind)
    assert spec.low <= number <= spec.high
