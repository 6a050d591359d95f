"""CSV exports open safely in a spreadsheet: formulas neutralised, numbers written as they mean,
one form of time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import numpy as np
import pytest

from monitor.csv_export import cell, iso, to_csv


@pytest.mark.parametrize(
    "text", ["=1+2", "+33 6 12", "-2+3", "@SUM(A1)", "\tcmd", "\r=x", '=HYPERLINK("http://x")']
)
def test_it_neutralises_text_a_spreadsheet_would_run(text: str) -> None:
    assert cell(text) == "'" + text


@pytest.mark.parametrize(
    ("number", "written"),
    [(-5, "-5"), (-0.25, "-0.25"), (0, "0"), (3.5, "3.5"), (np.int64(-7), "-7"),
     (np.float64(-1.5), "-1.5"), (16157.979999999992, "16157.98"), (4.35e-16, "0"),
     (-0.0, "0"), (120.0, "120"), (True, "true"), (False, "false"), (np.bool_(True), "true"),
     (1234567890123, "1234567890123"), (float(2**53), "9007199254740992")],
)  # fmt: skip
def test_numbers_are_written_as_they_mean(number: object, written: str) -> None:
    body = to_csv([{"x": number}], ["x"]).decode("utf-8")
    assert body == f"x\n{written}\n"
    assert not isinstance(cell(number), str) or written in ("true", "false")  # numbers stay so


def test_times_are_written_to_the_second() -> None:
    assert iso(1_790_000_000.75) == "2026-09-21T14:13:20Z"


def test_plain_text_and_empty_cells_pass_unchanged() -> None:
    assert cell("___xtr_order") == "___xtr_order"
    assert cell("run ANALYZE = soon") == "run ANALYZE = soon"
    assert cell(None) == ""
    assert cell(float("nan")) == ""


def test_it_writes_a_header_and_iso_times() -> None:
    moment = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    body = to_csv(
        [
            {"ts": iso(moment.timestamp()), "business.orders24h": 120, "note": "-ok"},
            {"ts": moment, "business.orders24h": -3.5},
        ],
        ["ts", "business.orders24h", "note"],
    ).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [
        ["ts", "business.orders24h", "note"],
        ["2026-11-25T12:00:00Z", "120", "'-ok"],
        ["2026-11-25T12:00:00Z", "-3.5", ""],
    ]


def test_a_header_or_any_object_is_neutralised_too() -> None:
    class Sneaky:
        def __str__(self) -> str:
            return "=cmd|' /C calc'!A0"

    body = to_csv([{"=x": Sneaky()}], ["=x"]).decode("utf-8")
    assert body == "'=x\n'=cmd|' /C calc'!A0\n"


def test_a_naive_time_is_utc_and_infinity_is_empty() -> None:
    assert cell(datetime(2026, 11, 25, 12, 0)) == "2026-11-25T12:00:00Z"
    assert cell(float("inf")) == ""
    assert cell(np.float32("nan")) == ""
