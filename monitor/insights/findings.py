"""Insights over the stored history: area trends, predicted issues, seasonal baselines,
backtested forecasts and table growth (the maths is in regression.py beside it)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from monitor.alerts import AlertBook
from monitor.config import AlertRule, Settings
from monitor.fleet import Fleet, unhosted
from monitor.insights.advice import recommend
from monitor.insights.calibration import predicted_crossing
from monitor.insights.forecast import Accuracy, backtest, forecast, table_growth
from monitor.insights.regression import DAY, Fit, anomalies, fit, trend
from monitor.insights.seasonal import SEASONAL_METRICS, baseline
from monitor.metrics import Catalog, catalog, shipped
from monitor.overview import freshness
from monitor.store import HistoryStore

__all__ = [
    "AREA_TRENDS",
    "DAY",
    "Fit",
    "anomalies",
    "fit",
    "is_daily",
    "report",
    "summarize",
    "trend",
]


NO_DATA = "not enough data"
# The metric that speaks for each area's trend, and whether more of it is better.
AREA_TRENDS: dict[str, tuple[str, bool]] = {
    "performance": ("performance.responseTime", False),
    "business": ("business.revenue24h", True),
    "seo": ("seo.optimizedPages", True),
}
# Metrics that follow the shop's day: fitted with hour-of-day terms.
DAILY_PREFIXES = (
    "business.",
    "performance.requestsPerMinute",
    "performance.responseTime",
    "performance.cpuUsage",
)


def is_daily(metric: str) -> bool:
    return metric.startswith(DAILY_PREFIXES)


def watched(rules: Sequence[AlertRule], names: Sequence[str]) -> list[tuple[AlertRule, str]]:
    """(rule, metric) for every plain threshold rule: its metric, or each stored metric its
    wildcard matches (`database.*.queryTime`: every table's). Baseline rules are relative to
    the metric's own past: a trend cannot cross them."""
    pairs = []
    for rule in rules:
        if rule.baseline != "value":
            continue
        if "*" in rule.metric:
            pairs += [(rule, name) for name in names if rule.watches(name)]
        else:
            pairs.append((rule, rule.metric))
    return pairs


def forecast_metrics(
    pairs: Sequence[tuple[AlertRule, str]], headline: Sequence[str] = ()
) -> list[str]:
    """The metrics worth a forecast: every watched one, each area's, and the registry's
    headline figures (one added in the configuration among them)."""
    found = [metric for _, metric in pairs]
    areas = [metric for metric, _ in AREA_TRENDS.values()]
    return list(dict.fromkeys([*found, *areas, *headline]))


def _points(
    store: HistoryStore, metric: str, start: float, end: float
) -> list[tuple[float, float]]:
    return [(float(p.ts), p.value) for p in store.series(metric, start, end)]


def _predicted(
    rule: AlertRule,
    metric: str,
    points: Sequence[tuple[float, float]],
    accuracy: Accuracy | None,
    now: float,
    *,
    history_days: float,
    horizon: float,
) -> dict[str, Any] | None:
    """The issue `rule` predicts on `metric` from its stored history (`points`), with the
    crossing's calibrated 95 % and 80 % intervals and its confidence (calibration.py)."""
    if accuracy is not None and not accuracy.model_beats_baseline:
        return None  # a trend that forecasts worse than "nothing changes" predicts nothing
    severity, threshold = rule.thresholds()[0]
    above, daily = rule.when == "above", is_daily(metric)
    found = predicted_crossing(
        points, threshold, above, daily=daily, history_days=history_days, horizon_days=horizon
    )
    if found is None:
        return None
    fitted, intervals = found
    wide, narrow = intervals[0.95], intervals[0.8]
    # Counted from the last sample: a daemon that stopped a while ago moves it closer.
    lag = (now - fitted.end_ts) / DAY

    def days(value: float) -> float | None:
        return None if math.isinf(value) else round(max(0.0, value - lag), 2)

    return {
        "rule": rule.name,
        "metric": metric,
        "severity": severity,
        "threshold": threshold,
        "inDays": days(wide.days),
        "at": fitted.end_ts + wide.days * DAY,
        "intervalDays": [days(wide.days_low), days(wide.days_high)],
        "interval80Days": [days(narrow.days_low), days(narrow.days_high)],
        "confidence": round(wide.confidence, 3),
        "backtested": accuracy is not None,
    }


def summarize(
    store: HistoryStore,
    rules: Sequence[AlertRule],
    *,
    now: float,
    tables: Sequence[str] = (),
    history_days: float = 7.0,
    horizon_days: float = 7.0,
    backtest_days: float = 14.0,
    cat: Catalog | None = None,
) -> dict[str, Any]:
    """Everything the Insights page and `/api/system/insights` show, from the stored history:
    trends per area and per metric, predicted issues within `horizon_days`, each forecast's
    backtest against the naive baselines and its next 24 h, anomalies, the same hour of
    previous weeks, and table growth."""
    cat = cat or shipped()
    stored = store.series_names()
    pairs = watched(rules, stored)
    headline = [m.name for area in AREA_TRENDS for m in cat.headlines(area) if m.name in stored]
    metrics = forecast_metrics(pairs, headline)
    history = {m: _points(store, m, now - backtest_days * DAY, now) for m in metrics}
    recent = {
        m: [p for p in points if p[0] >= now - history_days * DAY] for m, points in history.items()
    }
    fits = {m: fit(recent[m], daily=is_daily(m)) for m in metrics}
    accuracy = {m: backtest(m, history[m], daily=is_daily(m)) for m in metrics}
    direction = {m: cat.get(m).better for m in metrics}
    better = {m: None if d == "either" else d == "higher" for m, d in direction.items()}
    better |= {m: higher_is_better for m, higher_is_better in AREA_TRENDS.values()}
    predicted = [
        found
        for rule, metric in pairs
        if (
            found := _predicted(
                rule,
                metric,
                history[metric],
                accuracy[metric],
                now,
                history_days=history_days,
                horizon=horizon_days,
            )
        )
    ]
    predicted.sort(key=lambda issue: issue["inDays"])
    forecasts = [
        f
        for m in metrics
        if (tested := accuracy[m]) is not None
        and (f := forecast(m, recent[m], tested, daily=is_daily(m))) is not None
    ]
    return {
        "trends": {
            area: trend(fits[metric], higher_is_better=up) if fits[metric] else NO_DATA
            for area, (metric, up) in AREA_TRENDS.items()
        },
        "metricTrends": {
            m: trend(fits[m], higher_is_better=better.get(m)) for m in metrics if recent[m]
        },
        "predictedIssues": predicted,
        "accuracy": [
            {
                "metric": a.metric,
                "origins": a.origins,
                "horizonHours": a.horizon_hours,
                "modelMae": a.model_mae,
                "naiveMae": a.naive_mae,
                "seasonalNaiveMae": a.seasonal_mae,
                "method": a.method,
                "modelBeatsBaseline": a.model_beats_baseline,
                # The share of the backtest's readings the method's own 95 % band held; the
                # forecast's band is widened by `bandWidened` to hold 95 % of them.
                "bandHeld": round(a.held.get(a.method, 0.0), 3),
                "bandWidened": round(a.widen.get(a.method, 1.0), 2),
            }
            for a in accuracy.values()
            if a is not None
        ],
        "forecasts": [
            {
                "metric": f.metric,
                "method": f.method,
                "points": [
                    {"ts": t, "value": v, "low": lo, "high": hi}
                    for t, v, lo, hi in zip(f.ts, f.value, f.low, f.high, strict=True)
                ],
            }
            for f in forecasts
        ],
        "anomalies": [
            {"metric": m, "ts": t, "value": v}
            for m in metrics
            for t, v in anomalies(recent[m], daily=is_daily(m))
        ],
        "baselines": [
            b for m in SEASONAL_METRICS if (b := baseline(store, m, now=now)) is not None
        ],
        "tableGrowth": [g for t in tables if (g := table_growth(store, t, now=now)) is not None],
    }


def in_short(advice: int, unusual: int) -> str | None:
    """The one line above the advice, never at odds with what follows it: "nothing unusual"
    only when no anomaly is listed; None when there is advice (it speaks for itself)."""
    if advice:
        return None
    if not unusual:
        return "All good: no alert open, nothing predicted, nothing unusual."
    return (
        f"No alert open and nothing predicted; {unusual} unusual reading(s) are listed under "
        "Anomalies, worth a look."
    )


def report(store: HistoryStore, settings: Settings, *, now: float) -> dict[str, Any]:
    """The insights with their ranked advice, as plain data: what `/api/system/insights`
    returns and the Insights page shows. `allGood` is true only with nothing to advise."""
    rules = settings.alerts.effective()
    words = catalog(settings)
    summary = summarize(
        store,
        rules,
        now=now,
        tables=settings.source.critical_tables,
        history_days=settings.insights.history_days,
        horizon_days=settings.insights.horizon_days,
        backtest_days=settings.insights.backtest_days,
        cat=words,
    )
    active = AlertBook(store, rules).active()
    if len(Fleet(store).names()) <= 1:  # one machine: its name in every sentence is noise
        active = [replace(a, subject=unhosted(a.subject)) for a in active]
    found = recommend(
        active=active,
        predicted=summary["predictedIssues"],
        freshness=freshness(store, settings, now),
        baselines=summary["baselines"],
        table_notes=store.notes(kinds=["recommendation"], since=now - 3600),
        growth=summary["tableGrowth"],
        rule_kinds={rule.name: rule.baseline for rule in rules},
        words=words,
    )
    return {
        "allGood": not found,
        "recommendations": [a.sentence() for a in found],
        "advice": [asdict(a) for a in found],
        **summary,
        "baselines": [
            {
                "metric": b.metric,
                "current": round(b.current, 2),
                "usual": round(b.usual, 2),
                "weeks": b.weeks,
                "deviationPercent": round(b.deviation_percent, 1),
                "sentence": b.sentence(words),
            }
            for b in summary["baselines"]
        ],
        "tableGrowth": [
            {
                "table": g.table,
                "days": g.days,
                "rows": round(g.rows),
                "rowsPerDay": round(g.rows_per_day, 1),
                "rowsThen": round(g.rows_then),
                "sizeBytes": None if g.size_bytes is None else round(g.size_bytes),
                "bytesThen": None if g.bytes_then is None else round(g.bytes_then),
                "sentence": g.sentence(words),
            }
            for g in summary["tableGrowth"]
        ],
    }
