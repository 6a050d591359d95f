"""Predictions that mean what they say: the futures a fitted series can take, simulated.

A trend's crossing interval used to come from the slope's standard error alone, as if the
readings were independent and the level now exactly known. Real series are autocorrelated
(a slow hour is followed by another), so a slope from a week of them is far less sure than
that, and where the series stands now matters. Here the residuals of the fit are read as an
AR(1) process: the slope and level are drawn from their sampling distribution with the variance
widened by autocorrelation ((1 + rho) / (1 - rho), the effective sample size's correction), and
each simulated future carries on from today's residual with that process' own noise, the daily
wave (when fitted) included, and with two weeks of history the weekly wave, fitted over both
weeks (a single week cannot tell it from a trend). The crossing time of each simulated future
is its first reading past the threshold (as an alert sees it, not when an average gets there),
so the interval is the spread of those times, and the confidence the share that cross within
the horizon: a probability the calibration benchmark measures (bench/calibration_bench.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from monitor.insights.regression import DAY, Fit, autocorrelation, design_matrix, fit

PATHS = 400
MAX_STEPS = 1500
WALK_RHO = 0.9  # from here on a residual is read as a random walk: it never comes back


@dataclass(frozen=True)
class Futures:
    """Simulated futures of a fitted series: leads (days from its last reading) × paths."""

    leads: np.ndarray
    values: np.ndarray  # shape (len(leads), paths)

    def band(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """The central `level` band at each lead."""
        tail = (1 - level) / 2
        return (
            np.quantile(self.values, tail, axis=1),
            np.quantile(self.values, 1 - tail, axis=1),
        )

    def widened(self, factor: float) -> Futures:
        """The same futures, each `factor` times as far from their median at every lead."""
        if factor == 1.0:
            return self
        middle = np.median(self.values, axis=1, keepdims=True)
        return Futures(self.leads, middle + factor * (self.values - middle))

    def crossings(self, threshold: float, above: bool) -> np.ndarray:
        """Each future's first lead past `threshold` (inf if it never gets there)."""
        past = (self.values >= threshold) if above else (self.values <= threshold)
        first = past.argmax(axis=0)
        return np.where(past.any(axis=0), self.leads[first], np.inf)


def futures(
    points: Sequence[tuple[float, float]],
    fitted: Fit,
    *,
    reach_days: float,
    paths: int = PATHS,
    seed: int = 0,
) -> Futures | None:
    """`paths` futures of the series `fitted` was fitted on (`points`), up to `reach_days`
    ahead at the series' own step; None for a series too short to say."""
    ts = np.array([p[0] for p in points], dtype=float)
    values = np.array([p[1] for p in points], dtype=float)
    if len(ts) < 3:
        return None
    step = float(np.median(np.diff(ts)))
    if step <= 0:
        return None
    past = design_matrix(ts, fitted.daily, origin=fitted.end_ts, weekly=fitted.weekly)
    residuals = values - past @ np.asarray(fitted.coef)
    rho = autocorrelation(residuals)
    dof = max(1, len(values) - past.shape[1])
    sigma2 = float(residuals @ residuals) / dof
    # The coefficients' covariance, widened for the autocorrelation the OLS formula ignores.
    covariance = sigma2 * np.linalg.pinv(past.T @ past) * (1 + rho) / (1 - rho)
    shock_sd = math.sqrt(sigma2 * (1 - rho**2))
    if rho >= WALK_RHO:
        # A residual this persistent is a walk that the fit's line only seems to follow: its
        # future wanders without coming back, and the drift is known as well as the mean
        # of its steps is (their spread over the square root of their number, per step).
        rho = 1.0
        steps = np.diff(values)
        shock_sd = float(np.std(steps)) or shock_sd
        drift_sd = shock_sd / math.sqrt(max(1, len(steps))) * DAY / step
        covariance = covariance.copy()
        covariance[1, 1] = max(covariance[1, 1], drift_sd**2)
    # At most MAX_STEPS steps ahead: a finer series is simulated at a multiple of its step,
    # the AR(1) taken over that many of its own steps (a walk's shocks add up).
    every = max(1, math.ceil(reach_days * DAY / step / MAX_STEPS))
    if every > 1:
        shock_sd = (
            shock_sd * math.sqrt(every)
            if rho >= 1
            else math.sqrt(sigma2 * (1 - rho ** (2 * every)))
        )
        rho, step = rho**every, step * every
    rng = np.random.default_rng(seed)
    coefs = rng.multivariate_normal(np.asarray(fitted.coef), covariance, size=paths)
    ahead = fitted.end_ts + np.arange(1, int(reach_days * DAY / step) + 1) * step
    trend = design_matrix(ahead, fitted.daily, origin=fitted.end_ts, weekly=fitted.weekly) @ coefs.T
    # Today's residual carries on and fades (or wanders, for a walk) as the AR(1) says.
    shocks = rng.normal(0.0, shock_sd, size=trend.shape)
    noise = np.empty_like(trend)
    last = np.full(paths, residuals[-1])
    for i in range(len(ahead)):
        last = rho * last + shocks[i]
        noise[i] = last
    return Futures((ahead - fitted.end_ts) / DAY, trend + noise)


def spread_factor(
    points: Sequence[tuple[float, float]],
    *,
    daily: bool,
    history_days: float,
    level: float = 0.8,
    lead_days: float = 2.0,
    step_s: float = 12 * 3600,
) -> float:
    """How much wider than simulated the futures turned out, measured on the history itself
    (in the manner of conformal prediction): from rolling origins, each reading of the next
    `lead_days` is scored against the simulated `level` band made at the origin; the score
    that `level` of them stay within is the factor (1 within the model's own assumptions,
    more where the series does what the model cannot see, such as a weekly wave in a week of
    history). Between 1 and 4; 1 without enough history to tell."""
    ts = np.array([p[0] for p in points], dtype=float)
    scores: list[np.ndarray] = []
    origin = ts[0] + min(3.0, history_days) * DAY
    while ts.size and origin + lead_days * DAY <= ts[-1]:
        window = [p for p in points if origin - history_days * DAY < p[0] <= origin]
        fitted = fit(window, daily=daily)
        simulated = None if fitted is None else futures(
            window, fitted, reach_days=lead_days, paths=200, seed=1
        )  # fmt: skip
        if simulated is not None:
            low, high = simulated.band(level)
            middle, half = (low + high) / 2, np.maximum((high - low) / 2, 1e-12)
            ahead = (ts > origin) & (ts <= origin + lead_days * DAY)
            at = np.interp((ts[ahead] - origin) / DAY, simulated.leads, middle)
            width = np.interp((ts[ahead] - origin) / DAY, simulated.leads, half)
            values = np.array([p[1] for p in points])[ahead]
            scores.append(np.abs(values - at) / width)
        origin += step_s
    found = np.concatenate(scores) if scores else np.array([])
    if found.size < 40:
        return 1.0
    return float(np.clip(np.quantile(found, level), 1.0, 4.0))


@dataclass(frozen=True)
class Interval:
    """When a series crosses a threshold, in days from its last reading: the median of its
    simulated crossings, the interval holding `level` of them, and the share that cross
    within the horizon (`confidence`)."""

    days: float
    days_low: float
    days_high: float
    confidence: float


def crossing_intervals(
    simulated: Futures,
    threshold: float,
    above: bool,
    *,
    horizon_days: float,
    levels: Sequence[float],
) -> dict[float, Interval] | None:
    """The crossing interval at each of `levels`, from the same futures; None when fewer
    than half of them cross within their reach."""
    times = np.sort(simulated.crossings(threshold, above))  # inf (never) sorts last

    def quantile(share: float) -> float:  # the nearest rank: an inf stays inf, never nan
        return float(times[min(len(times) - 1, int(share * len(times)))])

    if not math.isfinite(quantile(0.5)):
        return None
    confidence = float(np.mean(times <= horizon_days))
    return {
        level: Interval(
            quantile(0.5), quantile((1 - level) / 2), quantile((1 + level) / 2), confidence
        )
        for level in levels
    }


def predicted_crossing(
    points: Sequence[tuple[float, float]],
    threshold: float,
    above: bool,
    *,
    daily: bool,
    history_days: float = 7.0,
    horizon_days: float = 7.0,
    levels: Sequence[float] = (0.95, 0.8),
) -> tuple[Fit, dict[float, Interval]] | None:
    """A predicted crossing from the stored history: the trend of the last `history_days`,
    if significant, heading for the threshold, and its simulated futures' crossings, with
    an interval at each of `levels`; None unless the median crossing falls within
    `horizon_days` (and the threshold is not passed already)."""
    end = points[-1][0] if points else 0.0
    # With two weeks of history the week's wave is fitted too, over the whole of it.
    weekly = daily and bool(points) and end - points[0][0] >= 13 * DAY
    recent = points if weekly else [p for p in points if p[0] > end - history_days * DAY]
    fitted = fit(recent, daily=daily, weekly=weekly)
    if fitted is None or not fitted.significant:
        return None
    heading = fitted.slope_per_day > 0 if above else fitted.slope_per_day < 0
    already = fitted.level_now >= threshold if above else fitted.level_now <= threshold
    if not heading or already:
        return None
    simulated = futures(recent, fitted, reach_days=max(4 * horizon_days, 14.0))
    if simulated is None:
        return None
    simulated = simulated.widened(spread_factor(points, daily=daily, history_days=history_days))
    found = crossing_intervals(
        simulated, threshold, above, horizon_days=horizon_days, levels=levels
    )
    if found is None or next(iter(found.values())).days > horizon_days:
        return None
    return fitted, found
