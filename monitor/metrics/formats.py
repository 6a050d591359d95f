"""Figures as people read them, in the configured locale and currency, through Babel:
`16 157,98 €` in fr_FR, `€16,157.98` in en."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_timedelta
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from monitor.metrics.model import Metric

_SIZES = ("bytes", "KB", "MB", "GB", "TB")
_TO_BYTES = {"bytes": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


class Formats:
    """Numbers, money, durations and sizes in one locale and currency."""

    def __init__(self, locale: str = "en", currency: str = "EUR") -> None:
        self.locale = locale
        self.currency = currency

    def number(self, value: float, pattern: str = "#,##0.##") -> str:
        return str(format_decimal(value, pattern, locale=self.locale))

    def money(self, value: float) -> str:
        return str(format_currency(value, self.currency, locale=self.locale))

    @property
    def currency_symbol(self) -> str:
        return str(get_currency_symbol(self.currency, locale=self.locale))

    def figure(self, metric: Metric, value: float | None, *, noun: bool = True) -> str:
        """One figure of `metric` in words: 120 orders; 91.2 %; €15,420.50; 240 ms; 1.2 GB.
        Without `noun`, a count or a plain number is bare (its title already says "orders")."""
        if value is None:
            return "—"
        kind, unit = metric.kind, metric.unit
        if kind == "yes_no":
            return "yes" if value >= 1 else "no"
        if kind == "money":
            return self.money(value)
        if kind == "share":
            return f"{self.number(value, '#,##0.##')} %"
        if kind == "count":
            whole = self.number(round(value) + 0, "#,##0")
            return f"{whole} {unit}" if noun and unit else whole
        if kind == "size":
            return self._size(value * _TO_BYTES.get(unit, 1))
        if kind == "duration" and unit == "s" and abs(value) >= 120:
            return str(
                format_timedelta(
                    timedelta(seconds=value), threshold=2, format="short", locale=self.locale
                )
            )
        text = self.number(value, "#,##0" if abs(value) >= 100 else "#,##0.#")
        if kind == "number" and not noun:  # a plain figure's unit is its title's word too
            return text
        return f"{text} {unit}" if unit else text

    def _size(self, size: float) -> str:
        for suffix in _SIZES:
            if abs(size) < 1024 or suffix == _SIZES[-1]:
                # Three significant figures: 1.04 GB, 52.3 MB, 512 KB.
                small = suffix != "bytes" and abs(size) < 100
                pattern = ("#,##0.##" if abs(size) < 10 else "#,##0.#") if small else "#,##0"
                return f"{self.number(size, pattern)} {suffix}"
            size /= 1024
        raise AssertionError("unreachable")

    def axis(self, metric: Metric) -> str:
        """The unit an axis of this metric's raw values is in."""
        if metric.kind == "money":
            return self.currency_symbol
        if metric.kind == "share":
            return "%"
        if metric.kind == "yes_no":
            return "1 = yes"
        return metric.unit
