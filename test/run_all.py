"""Run every test (pytest unit tests, then lit golden tests) and print one total.

The last line is the plain `N passed, N failed` over both runners, which CI reads. Exit
status is non-zero if anything failed or if no test ran at all.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def junit_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a JUnit XML report (pytest's or lit's)."""
    if not path.exists():
        return 0, 0, 0
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def slowest_files(path: Path, count: int = 8) -> list[tuple[str, float]]:
    """The `count` test files with the largest summed test time in a pytest JUnit report
    (CI must stay within 20 minutes; this says where the time goes)."""
    if not path.exists():
        return []
    totals: dict[str, float] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        name = "/".join(part for part in module if not part[:1].isupper()) or "?"
        totals[name] = totals.get(name, 0.0) + float(case.get("time", 0.0))
    return sorted(totals.items(), key=lambda item: -item[1])[:count]


def parallel_args() -> list[str]:
    """pytest-xdist over the cores (at most 4), one test file per worker at a time
    (`--dist loadfile`: a file's module fixtures are built once); serial without xdist."""
    import importlib.util
    import os

    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or importlib.util.find_spec("xdist") is None:
        return []
    return ["-n", str(workers), "--dist", "loadfile"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        unit_xml, lit_xml = Path(tmp) / "unit.xml", Path(tmp) / "lit.xml"
        unit = subprocess.run(
            [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", *parallel_args(), f"--junitxml={unit_xml}"],
            cwd=ROOT,
        )
        lit = subprocess.run(
            [str(BIN / "lit"), "-sv", f"--xunit-xml-output={lit_xml}", "test/lit"], cwd=ROOT
        )
        u, l = junit_counts(unit_xml), junit_counts(lit_xml)
        slow = slowest_files(unit_xml)
    if slow:
        print("slowest test files (summed test time): " + ", ".join(f"{name} {sec:.0f} s" for name, sec in slow))
    passed, failed, skipped = u[0] + l[0], u[1] + l[1], u[2] + l[2]
    print(f"unit: {u[0]} passed, {u[1]} failed, {u[2]} skipped; lit: {l[0]} passed, {l[1]} failed, {l[2]} skipped")
    # A runner that crashed without reporting counts as a failure, not as zero tests.
    if unit.returncode not in (0, 1) and u == (0, 0, 0):
        failed += 1
    if lit.returncode != 0 and l == (0, 0, 0):
        failed += 1
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 0 if failed == 0 and passed > 0 and unit.returncode == 0 and lit.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
