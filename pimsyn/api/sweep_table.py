"""The table of a sweep: CSV (always) and Parquet (where pyarrow is installed), one row per
run, the columns of `sweep.COLUMNS` in that order with their units in the names."""

from __future__ import annotations

import csv
import io


def csv_text(rows: list[dict], columns) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in columns})
    return buffer.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # exact: read back as the same float
    return value


def parquet_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def parquet_bytes(rows: list[dict], columns) -> bytes:
    """The same table as Parquet: numbers typed (int64 / double / bool), text as strings,
    a missing number as null."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for key in columns:
        values = [row.get(key) for row in rows]
        arrays[key] = pa.array(values, type=_arrow_type(pa, values))
    buffer = io.BytesIO()
    pq.write_table(pa.table(arrays), buffer)
    return buffer.getvalue()


def _arrow_type(pa, values):
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()
