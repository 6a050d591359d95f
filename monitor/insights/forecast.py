"""Forecasts, and how far to trust them: every model is backtested on the stored history from
rolling origins against two baselines that need no model at all, the naive forecast (the last
value goes on) and the seasonal naive one (the same time yesterday comes back). A metric whose
model does not beat them is forecast with the better baseline, and says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from monitor.insights.regression import DAY, fit
from monitor.metrics import Catalog, shipped
from monitor.store import HistoryStore

MODEL, NAIVE, SEASONAL = "trend model", "naive", "seasonal naive"
BAND = 1.96 * 1.25  # a baseline's 95 % band, in its mean absolute errors


@dataclass(frozen=True)
class Accuracy:
    """Mean absolute errors of the three forecasts over the same backtest."""

    metric: str
    origins: int
    horizon_hours: float
    model_mae: float
    naive_mae: float
    seasonal_mae: float
    # How the 95 % band fared in the same backtest: per method, the share of readings its own
    # band held, and the factor that widens (or narrows) it to hold 95 % of them.
    held: dict[str, float] = field(default_factory=dict)
    widen: dict[str, float] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """The forecast to use: the model only when it beats both baselines."""
        if self.model_mae < min(self.naive_mae, self.seasonal_mae):
            return MODEL
        return SEASONAL if self.seasonal_mae < self.naive_mae else NAIVE

    @property
    def model_beats_baseline(self) -> bool:
        return self.method == MODEL

    @property
    def error(self) -> float:
        """The error of the method in use."""
        return {MODEL: self.model_mae, NAIVE: self.naive_mae, SEASONAL: self.seasonal_mae}[
            self.method
        ]


def _arrays(points: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([p[0] for p in points], dtype=float),
        np.array([p[1] for p in points], dtype=float),
    )


def backtest(
    metric: str,
    points: Sequence[tuple[float, float]],
    *,
    daily: bool,
    horizon_s: float = DAY,
    history_s: float = 7 * DAY,
    min_history_s: float = 2 * DAY,
    step_s: float = 6 * 3600,
) -> Accuracy | None:
    """Fit on the history before each origin, forecast the next `horizon_s`, compare with
    what happened. None when the history is too short for one origin."""
    ts, values = _arrays(points)
    if len(ts) < 2:
        return None
    errors: dict[str, list[float]] = {MODEL: [], NAIVE: [], SEASONAL: []}
    scores: list[float] = []  # |error| over the model's own 95 % band half-width
    origins = 0
    origin = ts[0] + min_history_s
    while origin + horizon_s <= ts[-1]:
        train = (ts > origin - history_s) & (ts <= origin)
        test = (ts > origin) & (ts <= origin + horizon_s)
        fitted = fit(list(zip(ts[train], values[train], strict=True)), daily=daily)
        if fitted is not None and test.any():
            actual = values[test]
            missed = np.abs(fitted.predict(ts[test]) - actual)
            errors[MODEL] += list(missed)
            scores += list(missed / np.maximum(fitted.band(ts[test]), 1e-12))
            errors[NAIVE] += list(np.abs(values[train][-1] - actual))
            # The same moment a day earlier, read off the history known at the origin.
            yesterday = np.interp(ts[test] - DAY, ts[train], values[train])
            errors[SEASONAL] += list(np.abs(yesterday - actual))
            origins += 1
        origin += step_s
    if not origins:
        return None
    # A baseline's band is a multiple of its mean error: 1.96 × 1.25 (a normal error's mean is
    # 0.8 of its deviation); the quantile of its errors is what would have held 95 %.
    held, widen = {MODEL: float(np.mean(np.array(scores) <= 1))}, {}
    widen[MODEL] = float(np.clip(np.quantile(scores, 0.95), 0.25, 8.0))
    for name in (NAIVE, SEASONAL):
        found = np.array(errors[name])
        half = max(BAND * float(found.mean()), 1e-12)
        held[name] = float(np.mean(found <= half))
        widen[name] = float(np.clip(np.quantile(found, 0.95) / half, 0.25, 8.0))
    return Accuracy(
        metric,
        origins,
        horizon_s / 3600,
        float(np.mean(errors[MODEL])),
        float(np.mean(errors[NAIVE])),
        float(np.mean(errors[SEASONAL])),
        held,
        widen,
    )


@dataclass(frozen=True)
class Forecast:
    """The next hours of a metric by the method its backtest chose, with a 95 % band."""

    metric: str
    method: str
    ts: list[float]
    value: list[float]
    low: list[float]
    high: list[float]


def forecast(
    metric: str,
    points: Sequence[tuple[float, float]],
    accuracy: Accuracy,
    *,
    daily: bool,
    horizon_s: float = DAY,
    step_s: float = 3600,
) -> Forecast | None:
    """The forecast after the last point, with its 95 % band widened (or narrowed) by the
    factor that made it hold 95 % of the readings in the backtest (conformal calibration)."""
    ts, values = _arrays(points)
    if len(ts) < 2:
        return None
    future = np.arange(ts[-1] + step_s, ts[-1] + horizon_s + 1, step_s)
    if accuracy.method == MODEL:
        fitted = fit(points, daily=daily)
        if fitted is None:
            return None
        value, half = fitted.predict(future), fitted.band(future)
    else:
        if accuracy.method == NAIVE:
            value = np.full_like(future, values[-1])
        else:
            value = np.interp(future - DAY, ts, values)
        half = np.full_like(future, BAND * accuracy.error)
    half = half * accuracy.widen.get(accuracy.method, 1.0)
    # A disk is never 104 % full, nor a response time negative: neither is the forecast.
    low, high = shipped().get(metric).bounds
    return Forecast(
        metric,
        accuracy.method,
        [float(t) for t in future],
        [float(v) for v in np.clip(value, low, high)],
        [float(v) for v in np.clip(value - half, low, high)],
        [float(v) for v in np.clip(value + half, low, high)],
    )


@dataclass(frozen=True)
class Growth:
    """A table's size now and in `days` days, from the trend of its last week."""

    table: str
    days: float
    rows: float
    rows_per_day: float
    size_bytes: float | None
    bytes_per_day: float | None

    @property
    def rows_then(self) -> float:
        return max(0.0, self.rows + self.rows_per_day * self.days)

    @property
    def bytes_then(self) -> float | None:
        if self.size_bytes is None or self.bytes_per_day is None:
            return None
        return max(0.0, self.size_bytes + self.bytes_per_day * self.days)

    def sentence(self, words: Catalog | None = None) -> str:
        """In the words and sizes of the Tables page: "Orders will hold 141,286 rows / 78 MB in
        30 days (+660 rows a day)"."""
        words = words or shipped()
        size = "" if self.bytes_then is None else f" / {words.figure(_SIZE, self.bytes_then)}"
        rows, daily = words.figure(_ROWS, self.rows_then), words.change(_ROWS, self.rows_per_day)
        table = words.table(self.table)
        return f"{table} will hold {rows}{size} in {self.days:.0f} days ({daily} a day)"


_ROWS, _SIZE = "database.*.recordCount", "database.*.sizeBytes"


def _per_day(
    store: HistoryStore, metric: str, now: float, history_days: float
) -> tuple[float, float] | None:
    points = [(p.ts, p.value) for p in store.series(metric, now - history_days * DAY, now)]
    fitted = fit(points)
    if fitted is None:
        return None
    # A slope the history cannot tell from noise is no growth.
    return fitted.level_now, fitted.slope_per_day if fitted.significant else 0.0


def table_growth(
    store: HistoryStore, table: str, *, now: float, days: float = 30, history_days: float = 7
) -> Growth | None:
    """Where a table's row count (and size) is heading; None without a week's history."""
    rows = _per_day(store, f"database.{table}.recordCount", now, history_days)
    if rows is None:
        return None
    size = _per_day(store, f"database.{table}.sizeBytes", now, history_days)
    return Growth(
        table,
        days,
        rows[0],
        rows[1],
        None if size is None else size[0],
        None if size is None else size[1],
    )
