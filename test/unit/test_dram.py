"""pimsyn/hw/dram.py: transfer time/energy by hand, burst rounding, regions, the trace."""

from __future__ import annotations

import io
import time

import pytest

from pimsyn.errors import PimsynError
from pimsyn.hw.dram import (
    DRAM_SPECS, DramError, DramTrace, background_energy_nj, dram_spec, transfer_energy_nj, transfer_ns,
)

# name: (GB/s, burst bytes, read pJ/bit, write pJ/bit, background mW), the documented table
TABLE = {
    "lpddr3": (6.4, 32, 5.14, 5.88, 64.5),
    "lpddr4": (12.8, 64, 3.09, 3.53, 87.2),
    "lpddr5": (68.256, 256, 2.16, 2.47, 244.0),
}


def test_specs_match_the_documented_table():
    assert set(DRAM_SPECS) == set(TABLE)
    for name, (bw, burst, rd, wr, bg) in TABLE.items():
        spec = dram_spec(name)
        assert (spec.bandwidth_gb_per_s, spec.burst_bytes, spec.read_pj_per_bit,
                spec.write_pj_per_bit, spec.background_power_mw) == (bw, burst, rd, wr, bg)
        assert spec.source


@pytest.mark.parametrize("name, nbytes, ns, read_nj, write_nj", [
    # lpddr3: 4096 B = 128 bursts of 32 B; 4096 / 6.4 B/ns = 640 ns; 32768 bit x 5.14 pJ
    ("lpddr3", 4096, 640.0, 32768 * 5.14 / 1000, 32768 * 5.88 / 1000),
    # lpddr4: 4096 B = 64 bursts of 64 B; 4096 / 12.8 = 320 ns
    ("lpddr4", 4096, 320.0, 32768 * 3.09 / 1000, 32768 * 3.53 / 1000),
    # lpddr5: 4096 B = 16 bursts of 256 B; 4096 / 68.256 = 60.0094... ns
    ("lpddr5", 4096, 4096 / 68.256, 32768 * 2.16 / 1000, 32768 * 2.47 / 1000),
])
def test_transfer_by_hand(name, nbytes, ns, read_nj, write_nj):
    spec = dram_spec(name)
    assert transfer_ns(spec, nbytes) == pytest.approx(ns, rel=1e-12)
    assert transfer_energy_nj(spec, nbytes, write=False) == pytest.approx(read_nj, rel=1e-12)
    assert transfer_energy_nj(spec, nbytes, write=True) == pytest.approx(write_nj, rel=1e-12)
    assert read_nj == pytest.approx({"lpddr3": 168.42752, "lpddr4": 101.25312, "lpddr5": 70.77888}[name])


@pytest.mark.parametrize("name", sorted(TABLE))
def test_whole_bursts(name):
    spec = dram_spec(name)
    burst = spec.burst_bytes
    assert transfer_ns(spec, 0) == 0.0
    assert transfer_energy_nj(spec, 0, write=False) == 0.0
    one = transfer_ns(spec, burst)
    assert one == pytest.approx(burst / spec.bandwidth_gb_per_s)
    assert transfer_ns(spec, 1) == one
    assert transfer_ns(spec, burst - 1) == one
    assert transfer_ns(spec, burst + 1) == pytest.approx(2 * one)
    assert transfer_energy_nj(spec, 1, write=True) == pytest.approx(burst * 8 * spec.write_pj_per_bit / 1000)
    assert transfer_energy_nj(spec, burst + 1, write=False) == pytest.approx(2 * burst * 8 * spec.read_pj_per_bit / 1000)


def test_background_energy_is_linear_in_time():
    spec = dram_spec("lpddr3")
    assert background_energy_nj(spec, 0.0) == 0.0
    assert background_energy_nj(spec, 1e6) == pytest.approx(64.5 * 1e6 / 1000)   # 64.5 mW x 1 ms = 64.5 uJ
    for t in (1.0, 123.5, 1e9):
        assert background_energy_nj(spec, 2 * t) == pytest.approx(2 * background_energy_nj(spec, t))
        assert background_energy_nj(spec, t) == pytest.approx(spec.background_power_mw * t / 1000)
    with pytest.raises(DramError):
        background_energy_nj(spec, -1.0)


def test_unknown_spec_is_one_clear_value_error():
    with pytest.raises(ValueError) as info:
        dram_spec("ddr9")
    message = str(info.value)
    assert "ddr9" in message and "lpddr3, lpddr4, lpddr5" in message
    assert isinstance(info.value, PimsynError)
    assert dram_spec("LPDDR5") is DRAM_SPECS["lpddr5"]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_regions_burst_aligned_and_disjoint(name):
    spec = dram_spec(name)
    trace = DramTrace(spec)
    sizes = [1, 100, spec.burst_bytes, 3 * spec.burst_bytes + 7, 5000]
    bases = [trace.region(f"r{i}", n) for i, n in enumerate(sizes)]
    assert bases[0] == 0
    spans = []
    for base, n in zip(bases, sizes):
        assert base % spec.burst_bytes == 0
        spans.append((base, base + n))
    for (b0, e0), (b1, e1) in zip(spans, spans[1:]):
        assert e0 <= b1
    assert trace.regions["r3"] == (bases[3], sizes[3])
    with pytest.raises(DramError, match="already allocated"):
        trace.region("r0", 10)
    with pytest.raises(DramError, match="at least one byte"):
        trace.region("empty", 0)


def test_region_overflowing_32_bits():
    spec = dram_spec("lpddr4")
    trace = DramTrace(spec)
    assert trace.region("big", (1 << 32) - 128) == 0
    assert trace.region("last", 64) == (1 << 32) - 128
    with pytest.raises(DramError, match="32-bit address space") as info:
        trace.region("too much", 65)
    assert "2^32" in str(info.value)
    assert trace.region("fits", 64) == (1 << 32) - 64     # the failed one took nothing
    with pytest.raises(DramError, match="32-bit"):
        DramTrace(spec).region("huge", 1 << 32 | 1)


def test_read_write_rows_and_end_times():
    spec = dram_spec("lpddr3")                 # 32 B bursts, 5 ns each
    trace = DramTrace(spec)
    w = trace.region("weights", 100)           # 4 bursts at 0x0..0x60
    a = trace.region("acts", 64)               # 0x80
    assert (w, a) == (0, 0x80)
    assert trace.read(10.0, w, 100) == pytest.approx(30.0)
    assert trace.write(12.0, a, 64) == pytest.approx(22.0)
    assert trace.read(0.0, w + 32, 1) == pytest.approx(5.0)
    assert trace.write(50.0, a, 0) == 50.0     # nothing moved, nothing recorded
    assert trace.rows == [
        (0.0, "R", 0x20),
        (10.0, "R", 0x00), (12.0, "W", 0x80), (15.0, "R", 0x20), (17.0, "W", 0xA0),
        (20.0, "R", 0x40), (25.0, "R", 0x60),
    ]
    times = [row[0] for row in trace.rows]
    assert times == sorted(times)
    totals = trace.totals
    assert (totals.read_bursts, totals.write_bursts) == (5, 2)
    assert (totals.bytes_read, totals.bytes_written) == (160, 64)
    assert totals.read_energy_nj == pytest.approx(160 * 8 * 5.14 / 1000)
    assert totals.write_energy_nj == pytest.approx(64 * 8 * 5.88 / 1000)
    assert totals.energy_nj == pytest.approx(totals.read_energy_nj + totals.write_energy_nj)
    assert totals.busy_ns == pytest.approx(35.0)
    assert trace.energy_nj(1000.0) == pytest.approx(totals.energy_nj + 64.5)


def test_equal_times_keep_recording_order():
    trace = DramTrace(dram_spec("lpddr3"))
    r = trace.region("r", 64)
    trace.write(5.0, r + 32, 32)
    trace.read(5.0, r, 32)
    trace.read(1.0, r, 32)
    assert trace.rows == [(1.0, "R", 0), (5.0, "W", 32), (5.0, "R", 0)]


def test_bad_accesses():
    trace = DramTrace(dram_spec("lpddr3"))
    r = trace.region("r", 64)
    with pytest.raises(DramError, match="aligned"):
        trace.read(0.0, r + 4, 8)
    with pytest.raises(DramError, match="allocated region"):
        trace.read(0.0, r, 65)
    with pytest.raises(DramError, match="allocated region"):
        trace.write(0.0, 0x1000, 32)
    with pytest.raises(DramError, match="32-bit"):
        trace.read(0.0, 1 << 32, 32)
    with pytest.raises(DramError, match="time"):
        trace.read(-1.0, r, 32)
    with pytest.raises(DramError, match="non-negative"):
        trace.read(0.0, r, -1)
    assert len(trace) == 0


def test_csv_format():
    trace = DramTrace(dram_spec("lpddr5"))      # 256 B bursts, 256 / 68.256 ns each
    trace.region("pad", 1 << 20)
    base = trace.region("ofm", 512)
    trace.write(100.0, base, 512)
    trace.read(1.5, 0, 10)
    text = trace.csv_text()
    burst_ns = 256 / 68.256
    assert text == (
        "time_ns,type,address\n"
        "1.500,R,0x00000000\n"
        "100.000,W,0x00100000\n"
        f"{100 + burst_ns:.3f},W,0x00100100\n"
    )
    assert text.splitlines()[3] == "103.751,W,0x00100100"
    out = io.StringIO()
    assert trace.write_csv(out) == 3
    assert out.getvalue() == text
    assert DramTrace(dram_spec("lpddr3")).csv_text() == "time_ns,type,address\n"


def test_high_addresses_format_as_8_hex_digits():
    trace = DramTrace(dram_spec("lpddr3"))
    trace.region("low", (1 << 32) - 32)
    top = trace.region("top", 32)
    trace.read(0.0, top, 32)
    assert trace.rows == [(0.0, "R", 0xFFFFFFE0)]
    assert trace.csv_text().splitlines()[1] == "0.000,R,0xffffffe0"


def test_a_million_rows():
    spec = dram_spec("lpddr4")
    trace = DramTrace(spec)
    base = trace.region("weights", 64 * 500_000)
    start = time.perf_counter()
    t = 0.0
    for i in range(2):                                   # 2 x 500k bursts: one call each
        t = trace.read(t, base, 64 * 500_000)
    for i in range(1000):                                # and many small, out-of-order calls
        trace.write(float(i), base + 64 * i, 64)
    assert len(trace) == 1_001_000
    out = io.StringIO()
    assert trace.write_csv(out) == 1_001_000
    elapsed = time.perf_counter() - start
    lines = out.getvalue().count("\n")
    assert lines == 1_001_001
    times, types, addrs = trace.arrays()
    assert (times[1:] >= times[:-1]).all()
    assert trace.totals.bytes_read == 64 * 1_000_000
    assert elapsed < 30
