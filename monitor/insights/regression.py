"""Insights from a metric's history: its trend, when it will cross a threshold, its anomalies.

A series is fitted with ordinary least squares on time (plus hour-of-day terms for metrics with
a daily rhythm, so an evening dip is rhythm, not trend). A trend counts only when its slope is
significant (t-test on the slope) and moves the level noticeably over the history; a crossing is
predicted only from such a trend, with an interval from the slope's standard error.
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

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE

    def predict(self, ts: Sequence[float] | np.ndarray) -> np.ndarray:
        """The fitted line (with its daily rhythm) at these instants."""
        design = _design(np.asarray(ts, dtype=float), self.daily, origin=self.end_ts)
        return design @ np.asarray(self.coef)

    def band(self, ts: Sequence[float] | np.ndarray) -> np.ndarray:
        """Half the width of the 95 % prediction band at these instants: the noise, and the
        slope's uncertainty growing with the distance from the last point."""
        days = (np.asarray(ts, dtype=float) - self.end_ts) / DAY
        return 1.96 * np.sqrt(self.residual_sd**2 + (self.slope_se * days) ** 2)


@dataclass(frozen=True)
class Crossing:
    """When a metric's trend will cross a threshold: expected, earliest and latest, in days."""

    metric: str
    threshold: float
    when: str  # "above" | "below"
    days: float
    days_low: float
    days_high: float
    confidence: float  # probability the crossing happens within the horizon

    @property
    def at(self) -> float:
        return self.days * DAY


def _design(ts: np.ndarray, daily: bool, origin: float | None = None) -> np.ndarray:
    # Time in days from the last point: the intercept is the level now.
    days = (ts - (ts[-1] if origin is None else origin)) / DAY
    columns = [np.ones_like(days), days]
    if daily:
        hour_angle = 2 * math.pi * (ts % DAY) / DAY
        for harmonic in (1, 2, 3):
            columns += [np.sin(harmonic * hour_angle), np.cos(harmonic * hour_angle)]
    return np.column_stack(columns)


def fit(points: Sequence[tuple[float, float]], *, daily: bool = False) -> Fit | None:
    """Least squares on time (and hour of day); None with too few points or no time span."""
    if len(points) < MIN_POINTS:
        return None
    ts = np.array([p[0] for p in points], dtype=float)
    values = np.array([p[1] for p in points], dtype=float)
    span = (ts[-1] - ts[0]) / DAY
    if span <= 0:
        return None
    design = _design(ts, daily)
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    residuals = values - design @ coef
    dof = max(1, len(values) - design.shape[1])
    sigma2 = float(residuals @ residuals) / dof
    covariance = sigma2 * np.linalg.pinv(design.T @ design)
    se = math.sqrt(max(covariance[1, 1], 0.0))
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
    )


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


def crossing(
    metric: str, fitted: Fit | None, threshold: float, when: str, *, horizon_days: float = 7.0
) -> Crossing | None:
    """The expected time for the trend to cross `threshold`, if within `horizon_days`."""
    if fitted is None or not fitted.significant or fitted.slope_per_day == 0:
        return None
    gap = threshold - fitted.level_now
    already = gap <= 0 if when == "above" else gap >= 0
    heading = fitted.slope_per_day > 0 if when == "above" else fitted.slope_per_day < 0
    if already or not heading:
        return None
    days = gap / fitted.slope_per_day
    if days > horizon_days:
        return None
    # The slope's 95 % interval gives the crossing's: a steeper slope crosses sooner.
    z = 1.96
    fast = fitted.slope_per_day + math.copysign(z * fitted.slope_se, fitted.slope_per_day)
    slow = fitted.slope_per_day - math.copysign(z * fitted.slope_se, fitted.slope_per_day)
    days_low = gap / fast
    days_high = gap / slow if slow * fitted.slope_per_day > 0 else math.inf
    # P(level + slope * horizon passes the threshold), slope ~ N(estimate, se).
    needed = gap / horizon_days
    se = max(fitted.slope_se, 1e-12)
    confidence = (
        float(stats.norm.sf((needed - fitted.slope_per_day) / se))
        if when == "above"
        else float(stats.norm.cdf((needed - fitted.slope_per_day) / se))
    )
    return Crossing(metric, threshold, when, days, days_low, days_high, confidence)


def anomalies(
    points: Sequence[tuple[float, float]], *, daily: bool = False, cutoff: float = 5.0
) -> list[tuple[float, float]]:
    """Points whose residual from a robust fit is more than `cutoff` robust deviations away,
    and at least 0.5 % of the series' level."""
    if len(points) < MIN_POINTS:
        return []
    ts = np.array([p[0] for p in points], dtype=float)
    values = np.array([p[1] for p in points], dtype=float)
    design = _design(ts, daily)[:, 1:]  # Huber fits its own intercept
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
