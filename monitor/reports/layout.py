"""A report in words: its sections as rows of text (the figure now, before, and the change),
laid out alike by the HTML and the PDF renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.metrics import Catalog
from monitor.reports.content import Figure, Report

NO_DATA = "no data"
TRADE = {
    "business.ordersToday": "Orders",
    "business.revenueToday": "Revenue",
    "business.averageBasket": "Average basket",
    "business.conversionRate": "Conversion",
    "business.visitors24h": "Visitors",
}


@dataclass
class Section:
    title: str
    header: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _change(percent: float | None) -> str:
    if percent is None:
        return ""
    return "0 %" if abs(percent) < 0.05 else f"{percent:+.1f} %"


def _figure(words: Catalog, figure: Figure) -> tuple[str, str, str]:
    def said(value: float | None) -> str:
        return NO_DATA if value is None else words.figure(figure.metric, value)

    return said(figure.now), said(figure.before), _change(figure.change_percent)


def _percent(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.2f} %"


def _duration(words: Catalog, seconds: float | None) -> str:
    return "—" if seconds is None else words.figure("performance.uptime", seconds)


def when(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return f"{moment.day} {moment:%b %Y}"


def title_of(report: Report) -> str:
    last = report.end - 1
    if report.period == "day":
        return f"{report.name.capitalize()} report: {when(report.start)}"
    return f"{report.name.capitalize()} report: {when(report.start)} to {when(last)}"


def sections(report: Report, words: Catalog) -> list[Section]:
    """The report's sections, in the order people read them."""
    against = "previous day" if report.period == "day" else "previous week"
    head = ("", "this period", against, "change")
    found = [
        Section(
            "Trade",
            head,
            [(TRADE[f.metric], *_figure(words, f)) for f in report.trade],
        ),
        Section(
            "Availability",
            ("", "this period", against, "incidents", "longest"),
            [
                (
                    u.title,
                    _percent(u.now),
                    _percent(u.before),
                    str(u.incidents),
                    _duration(words, u.longest_s),
                )
                for u in report.uptime
            ],
        ),
    ]
    alerts = Section("Alerts")
    alerts.lines.append(f"{len(report.opened)} opened and {len(report.resolved)} resolved.")
    longest = report.longest_alert
    if longest is not None and longest.resolved_at is not None:
        lasted = _duration(words, longest.resolved_at - longest.opened_at)
        alerts.lines.append(
            f"The longest: {longest.message} ({words.about(longest.metric, longest.subject)}), "
            f"{lasted}."
        )
    found.append(alerts)
    found.append(Section("Predicted issues", lines=report.predicted or ["None predicted."]))
    found.append(Section("What to do", lines=report.advice or ["Nothing to do."]))
    found.append(
        Section(
            "Table growth",
            ("", "rows added", f"the {against}", ""),
            [
                (title, *(NO_DATA if v is None else f"{v:+,.0f}" for v in (now, before)), "")
                for title, now, before in report.growth
            ],
        )
    )
    found.append(
        Section(
            "SEO health",
            head,
            [(words.title(f.metric), *_figure(words, f)) for f in report.seo],
        )
    )
    return found
