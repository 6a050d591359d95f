"""CSV exports that a spreadsheet opens safely: ISO timestamps, numbers as numbers, and no text
cell that Excel or LibreOffice would run as a formula (OWASP "CSV injection")."""

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
    """An epoch second as ISO 8601 in UTC, as every export writes time."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def cell(value: Any) -> Any:
    """A value as it goes into the file: text that a spreadsheet would evaluate is prefixed
    with a quote; numbers, booleans and empty cells pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, numbers.Real):  # numpy's numbers too
        return "" if not math.isfinite(float(value)) else value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # Vigie's times are UTC
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
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
