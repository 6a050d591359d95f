"""What a report says, in figures, for its period against the previous one: the shop's trade
(orders, revenue, average basket, conversion, visitors), availability and incidents, alerts
opened and resolved with the longest, predicted issues and the top advice, table growth and SEO
health. A period without data says so rather than showing zeros."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from monitor.alerts import Alert, alerts_between
from monitor.availability import availability
from monitor.config import Settings
from monitor.history import Change, change
from monitor.insights import findings
from monitor.metrics import Catalog, catalog
from monitor.store import HistoryStore
from monitor.timerange import TimeRange

Period = Literal["day", "week"]
DAY = 86400


@dataclass(frozen=True)
class Figure:
    """One figure of the period against the previous period's (None: no data)."""

    metric: str  # the registry's name: its words and unit come from there
    now: float | None
    before: float | None

    @property
    def change_percent(self) -> float | None:
        if self.now is None or self.before is None or self.before == 0:
            return None
        return (self.now - self.before) / abs(self.before) * 100


@dataclass(frozen=True)
class Uptime:
    title: str
    now: float | None  # availability in percent over the period
    before: float | None
    incidents: int
    longest_s: float | None


@dataclass
class Report:
    """Everything a report shows, as data: the renderers only lay it out."""

    name: str
    period: Period
    start: float
    end: float
    previous: tuple[float, float]
    trade: list[Figure] = field(default_factory=list)
    days: list[dict[str, float | str]] = field(default_factory=list)  # each day's orders, revenue
    uptime: list[Uptime] = field(default_factory=list)
    opened: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    growth: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    seo: list[Figure] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        """Whether anything at all was recorded in the period."""
        figures = [*self.trade, *self.seo]
        return any(f.now is not None for f in figures) or any(
            u.now is not None for u in self.uptime
        )

    @property
    def longest_alert(self) -> Alert | None:
        closed = [a for a in self.resolved if a.resolved_at is not None]
        return max(closed, key=lambda a: (a.resolved_at or 0) - a.opened_at, default=None)


def period_of(period: Period, now: float) -> tuple[float, float]:
    """The last whole UTC day, or week (Monday to Monday), before `now`: UTC days, as the
    shop's own daily counts (`business.ordersToday`) are."""
    midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return (midnight - timedelta(days=1)).timestamp(), midnight.timestamp()
    monday = midnight - timedelta(days=midnight.weekday())
    return (monday - timedelta(days=7)).timestamp(), monday.timestamp()


def _sum(rows: list[dict[str, float | str]], metric: str) -> float | None:
    values = [float(r[metric]) for r in rows if metric in r]
    return sum(values) if values else None


def _day_ends(store: HistoryStore, metric: str, start: float, end: float) -> dict[str, float]:
    """Each UTC day's last reading of `metric` in [start, end): raw readings, else (past
    their retention) each day's highest hourly figure (these counts only grow all day)."""
    found: dict[str, float] = {}
    raw = store.values(metric, start, end - 1)
    for ts, value in raw:
        found[datetime.fromtimestamp(ts, UTC).date().isoformat()] = value
    if not raw:
        for point in store.series(metric, start, end - 1, raw=False):
            day = datetime.fromtimestamp(point.ts, UTC).date().isoformat()
            found[day] = max(found.get(day, point.max), point.max)
    return found


def _trade(
    store: HistoryStore, start: float, end: float
) -> tuple[dict[str, float | None], list[dict[str, float | str]]]:
    """Orders and revenue of the UTC days in [start, end) (each day's own, counted since
    midnight), visitors of those days, the basket and the conversion they make."""
    names = ("business.ordersToday", "business.revenueToday", "business.visitors24h")
    ends = {name: _day_ends(store, name, start, end) for name in names}
    days: list[dict[str, float | str]] = [
        {"day": day, **{name: ends[name][day] for name in names if day in ends[name]}}
        for day in sorted({day for found in ends.values() for day in found})
    ]
    orders, revenue, visitors = (_sum(days, name) for name in names)
    basket = revenue / orders if orders and revenue is not None else None
    conversion = 100 * orders / visitors if orders is not None and visitors else None
    return {
        "business.ordersToday": orders,
        "business.revenueToday": revenue,
        "business.averageBasket": basket,
        "business.conversionRate": conversion,
        "business.visitors24h": visitors,
    }, days


def _added(found: Change) -> float | None:
    """Rows added over a period: its last count less the previous period's."""
    return None if found.value is None or found.previous is None else found.value - found.previous


def build(
    store: HistoryStore,
    settings: Settings,
    *,
    name: str,
    period: Period,
    now: float,
    words: Catalog | None = None,
) -> Report:
    """The report `name` of the last whole `period` before `now`."""
    words = words or catalog(settings)
    start, end = period_of(period, now)
    before = (start - (end - start), start)
    report = Report(name, period, start, end, before)
    trade_now, report.days = _trade(store, start, end)
    trade_before, _ = _trade(store, *before)
    report.trade = [Figure(m, trade_now[m], trade_before[m]) for m in trade_now]
    days = max(1, round((end - start) / DAY))
    now_parts = availability(store, settings, now=end, days=days, words=words)
    before_parts = {
        a.component.key: a for a in availability(store, settings, now=start, days=days, words=words)
    }
    key = "24h" if period == "day" else "7d"
    for part in now_parts:
        earlier = before_parts.get(part.component.key)
        report.uptime.append(
            Uptime(
                part.component.title,
                part.periods[key].availability,
                earlier.periods[key].availability if earlier else None,
                len(part.incidents),
                part.longest_s,
            )
        )
    alerts = alerts_between(store, start, end)
    report.opened = [a for a in alerts if start <= a.opened_at < end]
    report.resolved = [
        a for a in alerts if a.resolved_at is not None and start <= a.resolved_at < end
    ]
    insight = findings.report(store, settings, now=end)
    report.predicted = [
        f"{words.title(i['metric'])}: {i['rule'].replace('_', ' ')} in about {i['inDays']} days"
        for i in insight.get("predictedIssues", [])[:3]
    ]
    report.advice = list(insight.get("recommendations", []))[:5]
    rng = TimeRange(start, end, "report")
    for table in settings.source.critical_tables:
        grown = change(store, f"database.{table}.recordCount", rng)
        prior = change(store, f"database.{table}.recordCount", TimeRange(*before, "report"))
        report.growth.append((words.table(table), _added(grown), _added(prior)))
    for metric in ("seo.sitemapHealth", "seo.optimizedPages", "seo.totalPages"):
        found = change(store, metric, rng)
        report.seo.append(Figure(metric, found.value, found.previous))
    return report
