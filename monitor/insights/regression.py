"""Insights from a metric's history: its trend, when it will cross a threshold, its anomalies.

A series is fitted with ordinary least squares on time (plus hour-of-day terms for metrics with
a daily rhythm, so an evening dip is rhythm, not trend). A trend counts only when its slope is
significant (t-test on the slope, its variance widened for the residuals' autocorrelation) and
moves the level noticeably over the history; crossings are predicted from such a trend by
simulating its futures (calibration.py).
Anomalies are points far outside a robust fit (Huber), judged against the median absolute
deviation, so the outliers do not hide themselves by dragging the fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn.linear_model import HuberRegressor

DAY = 86400.0
SIGNIFICANCE = 0.01  # p-value below which a slope is a trend
MIN_POINTS = 12


@dataclass(frozen=True)
class Fit:
    """A fitted series: level now, slope per day, its standard error and p-value."""

    slope_per_day: float
    slope_se: float
    p_value: float
    level_now: float  # the trend line at the last point (rhythm removed)
    residual_sd: float
    mean: float
    span_days: float
    end_ts: float
    coef: tuple[float, ...] = ()
    daily: bool = False
    weekly: bool = False

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE

    def predict(self, ts: Sequence[float] | np.ndarray) -> np.ndarray:
        """The fitted line (with its daily rhythm) at these instants."""
        design = design_matrix(
            np.asarray(ts, dtype=float), self.daily, origin=self.end_ts, weekly=self.weekly
        )
        return design @ np.asarray(self.coef)

    def band(self, ts: Sequence[float] | np.ndarray) -> np.ndarray:
        """Half the width of the 95 % prediction band at these instants: the noise, and the
        slope's uncertainty growing with the distance from the last point."""
        days = (np.asarray(ts, dtype=float) - self.end_ts) / DAY
        return 1.96 * np.sqrt(self.residual_sd**2 + (self.slope_se * days) ** 2)


def design_matrix(
    ts: np.ndarray, daily: bool, origin: float | None = None, weekly: bool = False
) -> np.ndarray:
    """Columns of the fit: 1, days from `origin` (default: the last instant), and with
    `daily` three hour-of-day harmonics."""
    # Time in days from the last point: the intercept is the level now.
    days = (ts - (ts[-1] if origin is None else origin)) / DAY
    columns = [np.ones_like(days), days]
    if daily:
        hour_angle = 2 * math.pi * (ts % DAY) / DAY
        for harmonic in (1, 2, 3):
            columns += [np.sin(harmonic * hour_angle), np.cos(harmonic * hour_angle)]
    if weekly:  # the week's wave: only with two weeks of history, or it is taken for a trend
        week_angle = 2 * math.pi * (ts % (7 * DAY)) / (7 * DAY)
        columns += [np.sin(week_angle), np.cos(week_angle)]
    return np.column_stack(columns)


def fit(
    points: Sequence[tuple[float, float]], *, daily: bool = False, weekly: bool = False
) -> Fit | None:
    """Least squares on time (and hour of day); None with too few points or no time span."""
    if len(points) < MIN_POINTS:
        return None
    ts = np.array([p[0] for p in points], dtype=float)
    values = np.array([p[1] for p in points], dtype=float)
    span = (ts[-1] - ts[0]) / DAY
    if span <= 0:
        return None
    design = design_matrix(ts, daily, weekly=weekly)
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    residuals = values - design @ coef
    dof = max(1, len(values) - design.shape[1])
    sigma2 = float(residuals @ residuals) / dof
    covariance = sigma2 * np.linalg.pinv(design.T @ design)
    # Readings that follow each other (a slow hour, then another) carry less news than as
    # many independent ones: the slope's variance widens by (1 + rho) / (1 - rho), so a
    # wander of autocorrelated noise is not taken for a trend.
    rho = autocorrelation(residuals)
    se = math.sqrt(max(covariance[1, 1], 0.0) * (1 + rho) / (1 - rho))
    t_stat = coef[1] / se if se > 0 else (math.inf if coef[1] else 0.0)
    p_value = float(2 * stats.t.sf(abs(t_stat), dof)) if math.isfinite(t_stat) else 0.0
    return Fit(
        slope_per_day=float(coef[1]),
        slope_se=se,
        p_value=p_value,
        level_now=float(coef[0]),
        residual_sd=math.sqrt(sigma2),
        mean=float(values.mean()),
        span_days=span,
        end_ts=float(ts[-1]),
        coef=tuple(float(c) for c in coef),
        daily=daily,
        weekly=weekly,
    )


def autocorrelation(residuals: np.ndarray) -> float:
    """The lag-1 autocorrelation of a fit's residuals, within [0, 0.995]."""
    if len(residuals) < 3 or float(np.std(residuals)) == 0:
        return 0.0
    found = float(np.corrcoef(residuals[:-1], residuals[1:])[0, 1])
    return min(max(found, 0.0), 0.995) if math.isfinite(found) else 0.0


def trend(fitted: Fit | None, *, higher_is_better: bool | None = None) -> str:
    """stable / growing / declining, or improving / worsening when the direction has a
    meaning (`higher_is_better`). Stable unless significant and moving the level by at
    least 2 % over the history."""
    if fitted is None or not fitted.significant:
        return "stable"
    change = fitted.slope_per_day * fitted.span_days
    scale = max(abs(fitted.mean), fitted.residual_sd, 1e-9)
    if abs(change) < 0.02 * scale:
        return "stable"
    up = change > 0
    if higher_is_better is None:
        return "growing" if up else "declining"
    return "improving" if up == higher_is_better else "worsening"


def anomalies(
    points: Sequence[tuple[float, float]], *, daily: bool = False, cutoff: float = 5.0
) -> list[tuple[float, float]]:
    """Points whose residual from a robust fit is more than `cutoff` robust deviations away,
    and at least 0.5 % of the series' level."""
    if len(points) < MIN_POINTS:
        return []
    ts = np.array([p[0] for p in points], dtype=float)
    values = np.array([p[1] for p in points], dtype=float)
    design = design_matrix(ts, daily)[:, 1:]  # Huber fits its own intercept
    scale = float(np.std(values)) or 1.0
    model = HuberRegressor(max_iter=500).fit(design, values / scale)
    residuals = values / scale - model.predict(design)
    mad = float(np.median(np.abs(residuals - np.median(residuals)))) * 1.4826
    if mad == 0:
        mad = float(np.std(residuals)) or 1.0
    off = np.abs(residuals - np.median(residuals))
    # A smooth series has a tiny spread, and a reading rounded to 0.1 (psutil's disk %) would
    # stand out from it: an anomaly must also be 0.5 % of the series' usual level away.
    floor = 0.005 * float(np.median(np.abs(values))) / scale
    outside = (off > cutoff * mad) & (off > floor)
    return [(float(t), float(v)) for t, v, o in zip(ts, values, outside, strict=True) if o]
