"""Off-chip DRAM of a compact chip: transfer time, energy and a transaction trace.

An area-limited chip reloads weights and intermediate activations from off-chip DRAM
(docs/compact.md, "DRAM model"). This module gives the cost of moving bytes over one
modelled LPDDR interface and records every transfer as the compact-chip paper does:
``transaction time, transaction type (write/read), logical memory address (32-bit)``.

Units: time ns, energy nJ, power mW, bandwidth GB/s (= bytes per ns).

Model
-----
* A transfer moves whole bursts: ``n = ceil(nbytes / burst_bytes)`` bursts of
  ``burst_bytes`` each. Time = ``n * burst_bytes / bandwidth`` (peak bandwidth, bursts
  back to back: sequential streaming, no refresh or bank stalls). Energy =
  ``n * burst_bytes * 8 * pJ/bit / 1000``.
* Background energy (active standby + refresh) = ``background_power_mw * duration_ns
  / 1000``; the caller chooses the duration (normally the whole run).
* Per-bit energy is the *incremental* read/write energy over active standby, so
  background and transfer energy add without double counting.

Numbers
-------
| spec | interface | GB/s | burst B | read pJ/bit | write pJ/bit | background mW |
|---|---|---|---|---|---|---|
| lpddr3 | LPDDR3-1600, x32, BL8 | 6.4 | 32 | 5.14 | 5.88 | 64.5 |
| lpddr4 | LPDDR4-3200, x32 (2 x16 channels), BL16 | 12.8 | 64 | 3.09 | 3.53 | 87.2 |
| lpddr5 | LPDDR5-4266, 128-bit (8 x16 channels), BL16 | 68.256 | 256 | 2.16 | 2.47 | 244 |

Where each number comes from:

* Bandwidth = data rate x bus width / 8; burst = burst length x bus width / 8. Data
  rates, widths and burst lengths: JEDEC JESD209-3 (LPDDR3, BL8), JESD209-4 (LPDDR4, BL16,
  two x16 channels per x32 die), JESD209-5 (LPDDR5, BL16 on x16 channels). LPDDR5 is the
  compact-chip paper's own configuration, "8Gb 4266MHz 128-bit LPDDR5" (4266 MT/s).
* LPDDR3 energy, from the IDD currents of the Micron (Elpida) EDF8132A1MC 4 Gb
  LPDDR3-1600 x32 datasheet, as tabulated in DRAMPower's memspec
  ``MICRON_4Gb_LPDDR3-1600_32bit_A.json`` (the tool the paper uses) and gem5's
  ``LPDDR3_1600_1x32``, with Micron's power method (TN-41-01: burst energy =
  (IDD4R/W - IDD3N) x VDD per rail):
  read = (1.8 V x (5-2) mA + 1.2 V x (260-45) mA) / 51.2 Gb/s = 263.4 mW / 51.2 = 5.14 pJ/bit;
  write = (1.8 x (10-2) + 1.2 x (284-45)) / 51.2 = 301.2 / 51.2 = 5.88 pJ/bit.
  Core only: the datasheet gives no VDDQ (I/O) current; the unterminated HSUL_12 I/O
  adds on the order of 1 pJ/bit, so these sit in the middle of the usual 4-6 pJ/bit.
* LPDDR4 energy = LPDDR3 x 0.60: Samsung's announcement of the first 8 Gb LPDDR4
  (press release, 30 Dec 2014): 3200 Mb/s, "approximately 40 percent less energy" than
  LPDDR3 at 1.1 V. 5.14 x 0.6 = 3.09, 5.88 x 0.6 = 3.53 pJ/bit (usual range 3-4).
* LPDDR5 energy = LPDDR4 x 0.70: Samsung's announcement of the first 8 Gb LPDDR5
  (press release, 17 Jul 2018): "up to 30 percent" lower power consumption. Samsung
  compares against LPDDR4X, so this is the optimistic end: 3.09 x 0.7 = 2.16,
  3.53 x 0.7 = 2.47 pJ/bit (usual range 2-3).
* Background = active standby (IDD3N, all rails) + all-bank refresh averaged over
  tREFI ((IDD5 - IDD3N) x tRFC / tREFI):
  LPDDR3 (EDF8132A1MC, tRFC 130 ns, tREFI 3.9 us): 1.8 x 2 + 1.2 x 45 +
  (1.8 x 38 + 1.2 x 115) x 130/3900 = 64.5 mW per x32 die;
  LPDDR4 (Micron 6 Gb LPDDR4-3200, DRAMPower memspec ``MICRON_6Gb_LPDDR4-3200_32bit_A``,
  per x16 channel: VDD1 1.8 V, VDD2 = VDDQ 1.1 V, IDD3N 2.25/30/0.75 mA, IDD5 10/90 mA,
  tRFCab 280 ns, tREFIab 3.9 us): 43.6 mW per channel, 87.2 mW for the x32 die;
  LPDDR5: LPDDR4's 43.6 mW per x16 channel x 0.70 (Samsung, as above) x 8 channels
  = 244 mW. An estimate: no public LPDDR5 datasheet lists IDD currents.

Every number is a module constant in `DRAM_SPECS`; a study that needs other parts builds
its own `DramSpec`.
"""

from __future__ import annotations

import io
import math
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from typing import IO, Iterator

import numpy as np

from pimsyn.errors import PimsynError

#: Logical addresses are 32-bit (the paper's trace format).
ADDRESS_SPACE = 1 << 32

#: Rows formatted per chunk when the trace is written out.
CSV_CHUNK_ROWS = 65536

CSV_HEADER = "time_ns,type,address"


class DramError(PimsynError, ValueError):
    """A bad DRAM request: unknown spec, region out of the 32-bit space, bad access."""


@dataclass(frozen=True)
class DramSpec:
    name: str                      # "lpddr3" | "lpddr4" | "lpddr5"
    bandwidth_gb_per_s: float      # peak data bandwidth of the channel(s) modelled
    read_pj_per_bit: float         # energy per bit read (incremental over standby)
    write_pj_per_bit: float
    background_power_mw: float     # standby/refresh power while the chip runs
    burst_bytes: int               # bytes per burst (burst length x bus width)
    source: str                    # where the numbers come from

    def __post_init__(self) -> None:
        if not self.bandwidth_gb_per_s > 0:
            raise DramError(f"DRAM spec {self.name!r}: bandwidth must be positive, got {self.bandwidth_gb_per_s}")
        if not (isinstance(self.burst_bytes, int) and self.burst_bytes > 0):
            raise DramError(f"DRAM spec {self.name!r}: burst_bytes must be a positive integer, got {self.burst_bytes!r}")
        for field in ("read_pj_per_bit", "write_pj_per_bit", "background_power_mw"):
            if not getattr(self, field) >= 0:
                raise DramError(f"DRAM spec {self.name!r}: {field} must be >= 0, got {getattr(self, field)}")

    @property
    def burst_ns(self) -> float:
        """Time of one burst at peak bandwidth."""
        return self.burst_bytes / self.bandwidth_gb_per_s


DRAM_SPECS: dict[str, DramSpec] = {
    "lpddr3": DramSpec(
        name="lpddr3",
        bandwidth_gb_per_s=6.4,          # 1600 MT/s x 32 bit
        read_pj_per_bit=5.14,
        write_pj_per_bit=5.88,
        background_power_mw=64.5,
        burst_bytes=32,                  # BL8 x 32 bit
        source="LPDDR3-1600 x32: Micron EDF8132A1MC IDD values (DRAMPower memspec "
               "MICRON_4Gb_LPDDR3-1600_32bit_A), Micron TN-41-01 method; JESD209-3",
    ),
    "lpddr4": DramSpec(
        name="lpddr4",
        bandwidth_gb_per_s=12.8,         # 3200 MT/s x 32 bit
        read_pj_per_bit=3.09,
        write_pj_per_bit=3.53,
        background_power_mw=87.2,
        burst_bytes=64,                  # BL16 x 32 bit (two x16 channels)
        source="LPDDR4-3200 x32: energy = LPDDR3 x 0.6 (Samsung 8Gb LPDDR4 press release, "
               "2014-12-30: ~40% less energy); background from Micron 6Gb LPDDR4-3200 IDD "
               "values (DRAMPower memspec MICRON_6Gb_LPDDR4-3200_32bit_A); JESD209-4",
    ),
    "lpddr5": DramSpec(
        name="lpddr5",
        bandwidth_gb_per_s=68.256,       # 4266 MT/s x 128 bit (the paper's configuration)
        read_pj_per_bit=2.16,
        write_pj_per_bit=2.47,
        background_power_mw=244.0,
        burst_bytes=256,                 # BL16 x 128 bit (eight x16 channels)
        source="LPDDR5-4266 128-bit (the compact-chip paper's 8Gb 4266MHz 128-bit LPDDR5): "
               "energy and per-channel background = LPDDR4 x 0.7 (Samsung 8Gb LPDDR5 press "
               "release, 2018-07-17: up to 30% lower power); JESD209-5",
    ),
}


def dram_spec(name: str) -> DramSpec:
    """The spec called `name` (case-insensitive)."""
    spec = DRAM_SPECS.get(str(name).lower())
    if spec is None:
        raise DramError(f"unknown DRAM spec {name!r}; known: {', '.join(sorted(DRAM_SPECS))}")
    return spec


def _check_nbytes(nbytes: int) -> int:
    if isinstance(nbytes, bool) or not isinstance(nbytes, (int, np.integer)) or nbytes < 0:
        raise DramError(f"DRAM transfer size must be a non-negative integer of bytes, got {nbytes!r}")
    return int(nbytes)


def bursts(spec: DramSpec, nbytes: int) -> int:
    """Whole bursts needed to move `nbytes`."""
    return -(-_check_nbytes(nbytes) // spec.burst_bytes)


def transfer_ns(spec: DramSpec, nbytes: int) -> float:
    """Time to move `nbytes` at peak bandwidth, counted in whole bursts."""
    return bursts(spec, nbytes) * spec.burst_bytes / spec.bandwidth_gb_per_s


def transfer_energy_nj(spec: DramSpec, nbytes: int, write: bool) -> float:
    """Energy to read (or write) `nbytes`, counted in whole bursts."""
    pj_per_bit = spec.write_pj_per_bit if write else spec.read_pj_per_bit
    return bursts(spec, nbytes) * spec.burst_bytes * 8 * pj_per_bit / 1000.0


def background_energy_nj(spec: DramSpec, duration_ns: float) -> float:
    """Standby + refresh energy over `duration_ns` (mW x ns = pJ)."""
    if not (duration_ns >= 0 and math.isfinite(duration_ns)):
        raise DramError(f"DRAM background duration must be a finite time >= 0 ns, got {duration_ns!r}")
    return spec.background_power_mw * duration_ns / 1000.0


@dataclass(frozen=True)
class DramTotals:
    """What a trace moved and what it cost (whole bursts)."""

    read_bursts: int
    write_bursts: int
    bytes_read: int
    bytes_written: int
    read_energy_nj: float
    write_energy_nj: float
    busy_ns: float                 # sum of transfer times (ignores overlap)

    @property
    def energy_nj(self) -> float:
        """Transfer energy (reads + writes), without background."""
        return self.read_energy_nj + self.write_energy_nj


class DramTrace:
    """Logical address regions and a per-burst transaction record over one spec.

    Rows are kept in three flat arrays (time float64, type byte, address uint32): a
    million rows take 13 MB. `rows`, `iter_rows` and `write_csv` give them in time order
    (stable: rows of equal time keep their recording order)."""

    def __init__(self, spec: DramSpec):
        self.spec = spec
        self._next = 0                       # first free address
        self._bases: list[int] = []          # region bases, ascending
        self._ends: list[int] = []           # region ends (exclusive, burst-aligned)
        self.regions: dict[str, tuple[int, int]] = {}   # name -> (base, nbytes)
        self._times = array("d")
        self._types = array("B")             # 0 = read, 1 = write
        self._addrs = array("I")             # 4 bytes on every platform numpy supports
        assert self._addrs.itemsize == 4
        self._monotone = True
        self._read_bursts = 0
        self._write_bursts = 0

    # ---- regions -------------------------------------------------------------------
    def region(self, name: str, nbytes: int) -> int:
        """Allocate `nbytes` (rounded up to whole bursts) after the last region; the base."""
        nbytes = _check_nbytes(nbytes)
        if nbytes == 0:
            raise DramError(f"DRAM region {name!r} must hold at least one byte")
        if name in self.regions:
            raise DramError(f"DRAM region {name!r} is already allocated")
        size = bursts(self.spec, nbytes) * self.spec.burst_bytes
        base = self._next
        if base + size > ADDRESS_SPACE:
            raise DramError(
                f"DRAM region {name!r} ({nbytes} bytes) does not fit in the 32-bit address space: "
                f"0x{base:08x} + {size} bytes > 2^32 ({ADDRESS_SPACE - base} bytes left)")
        self._next = base + size
        self._bases.append(base)
        self._ends.append(base + size)
        self.regions[name] = (base, nbytes)
        return base

    @property
    def allocated_bytes(self) -> int:
        return self._next

    def _check_access(self, base: int, nbytes: int, kind: str) -> int:
        nbytes = _check_nbytes(nbytes)
        if isinstance(base, bool) or not isinstance(base, (int, np.integer)) or not 0 <= base < ADDRESS_SPACE:
            raise DramError(f"DRAM {kind} address {base!r} is not a 32-bit address")
        base = int(base)
        if base % self.spec.burst_bytes:
            raise DramError(f"DRAM {kind} at 0x{base:08x} is not aligned to the {self.spec.burst_bytes}-byte burst")
        index = bisect_right(self._bases, base) - 1
        end = base + bursts(self.spec, nbytes) * self.spec.burst_bytes
        if index < 0 or end > self._ends[index] or base >= self._ends[index]:
            raise DramError(f"DRAM {kind} of {nbytes} bytes at 0x{base:08x} is not inside one allocated region")
        return nbytes

    # ---- transactions --------------------------------------------------------------
    def read(self, time_ns: float, base: int, nbytes: int) -> float:
        """Record a read of `nbytes` from `base` starting at `time_ns`; the end time."""
        return self._record(time_ns, base, nbytes, 0)

    def write(self, time_ns: float, base: int, nbytes: int) -> float:
        """Record a write of `nbytes` to `base` starting at `time_ns`; the end time."""
        return self._record(time_ns, base, nbytes, 1)

    def _record(self, time_ns: float, base: int, nbytes: int, kind: int) -> float:
        name = "write" if kind else "read"
        if not (isinstance(time_ns, (int, float, np.integer, np.floating)) and math.isfinite(time_ns) and time_ns >= 0):
            raise DramError(f"DRAM {name} time must be a finite time >= 0 ns, got {time_ns!r}")
        nbytes = self._check_access(base, nbytes, name)
        n = bursts(self.spec, nbytes)
        start = float(time_ns)
        if n == 0:
            return start
        burst_ns = self.spec.burst_ns
        if self._times and start < self._times[-1]:
            self._monotone = False
        if n == 1:
            self._times.append(start)
            self._types.append(kind)
            self._addrs.append(int(base))
        else:
            steps = np.arange(n, dtype=np.float64)
            self._times.frombytes((start + steps * burst_ns).tobytes())
            self._types.frombytes(bytes([kind]) * n)
            self._addrs.frombytes(
                (int(base) + np.arange(n, dtype=np.uint64) * self.spec.burst_bytes).astype(np.uint32).tobytes())
        if kind:
            self._write_bursts += n
        else:
            self._read_bursts += n
        return start + n * burst_ns

    # ---- results -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._times)

    def _order(self) -> np.ndarray | None:
        """Indices in time order, or None when rows were recorded in time order."""
        if self._monotone:
            return None
        return np.argsort(np.frombuffer(self._times, dtype=np.float64), kind="stable")

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(time_ns float64, is_write uint8, address uint32), in time order."""
        times = np.frombuffer(self._times, dtype=np.float64)
        types = np.frombuffer(self._types, dtype=np.uint8)
        addrs = np.frombuffer(self._addrs, dtype=np.uint32)
        order = self._order()
        if order is None:
            return times.copy(), types.copy(), addrs.copy()
        return times[order], types[order], addrs[order]

    def iter_rows(self) -> Iterator[tuple[float, str, int]]:
        """Rows (time_ns, "R"|"W", address) in time order, one chunk in memory at a time."""
        times, types, addrs = self.arrays()
        for lo in range(0, len(times), CSV_CHUNK_ROWS):
            hi = lo + CSV_CHUNK_ROWS
            for t, w, a in zip(times[lo:hi].tolist(), types[lo:hi].tolist(), addrs[lo:hi].tolist()):
                yield (t, "W" if w else "R", a)

    @property
    def rows(self) -> list[tuple[float, str, int]]:
        """Every row (time_ns, "R"|"W", address) in time order."""
        return list(self.iter_rows())

    def write_csv(self, out: IO[str]) -> int:
        """Stream the trace as CSV (header ``time_ns,type,address``; time with 3 decimals,
        i.e. ps; address as 0x%08x) to a text stream, chunk by chunk; the row count."""
        out.write(CSV_HEADER + "\n")
        times, types, addrs = self.arrays()
        for lo in range(0, len(times), CSV_CHUNK_ROWS):
            hi = lo + CSV_CHUNK_ROWS
            out.write("".join(
                "%.3f,%s,0x%08x\n" % (t, "W" if w else "R", a)
                for t, w, a in zip(times[lo:hi].tolist(), types[lo:hi].tolist(), addrs[lo:hi].tolist())))
        return len(times)

    def csv_text(self) -> str:
        buffer = io.StringIO()
        self.write_csv(buffer)
        return buffer.getvalue()

    @property
    def totals(self) -> DramTotals:
        spec = self.spec
        read_bytes = self._read_bursts * spec.burst_bytes
        write_bytes = self._write_bursts * spec.burst_bytes
        return DramTotals(
            read_bursts=self._read_bursts,
            write_bursts=self._write_bursts,
            bytes_read=read_bytes,
            bytes_written=write_bytes,
            read_energy_nj=transfer_energy_nj(spec, read_bytes, write=False),
            write_energy_nj=transfer_energy_nj(spec, write_bytes, write=True),
            busy_ns=(self._read_bursts + self._write_bursts) * spec.burst_ns,
        )

    def energy_nj(self, duration_ns: float) -> float:
        """Transfer energy of the trace plus background energy over `duration_ns`."""
        return self.totals.energy_nj + background_energy_nj(self.spec, duration_ns)
