"""CSV exports that a spreadsheet opens safely: one ISO 8601 form for time (UTC, Z, seconds),
numbers rounded to what they mean, true/false, and no text cell that Excel or LibreOffice
would run as a formula (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

# A cell starting with one of these is a formula to a spreadsheet (tab and CR too, as OWASP lists).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iso(ts: float) -> str:
    """An epoch second as ISO 8601 in UTC to the second, as every export writes time."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _number(value: float) -> float | int:
    """A figure as it means: 16157.98, not 16157.979999999992; 0, not 4.35e-16 or -0.0;
    120, not 120.0."""
    if value.is_integer() and abs(value) < 2**63:
        return int(value)  # a size in bytes keeps every digit
    tidy = float(f"{value:.15g}")  # a double's sure digits: the noise goes
    if abs(tidy) < 1e-9:
        return 0
    return int(tidy) if tidy.is_integer() and abs(tidy) < 1e15 else tidy


def cell(value: Any) -> Any:
    """A value as it goes into the file: text that a spreadsheet would evaluate is prefixed
    with a quote; numbers, booleans and empty cells pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return "true" if value else "false"  # numpy's booleans too
    if isinstance(value, numbers.Integral):  # numpy's too
        return int(value)
    if isinstance(value, numbers.Real):
        return "" if not math.isfinite(float(value)) else _number(float(value))
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # Vigie's times are UTC
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """UTF-8 CSV with a header row; missing cells are empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([cell(c) for c in columns])
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")
