"""CSV exports open safely in a spreadsheet: formulas neutralised, numbers left as numbers."""

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


@pytest.mark.parametrize("number", [-5, -0.25, 0, 3.5, np.int64(-7), np.float64(-1.5), True])
def test_numbers_stay_numbers(number: object) -> None:
    assert cell(number) is number


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
