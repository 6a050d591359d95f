"""The registry of metrics: what Vigie knows about each one (words, unit, kind, direction,
headline, SQL), declared once in `defaults` and completed by the configuration; every view reads
it through a `Catalog`. May import the config only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from functools import cache

from monitor.config import DEFAULT_TABLE_TITLES, Settings
from monitor.metrics.defaults import SHIPPED
from monitor.metrics.formats import Formats
from monitor.metrics.model import AREAS, Metric, guessed

__all__ = ["AREAS", "SHIPPED", "Catalog", "Formats", "Metric", "catalog", "shipped"]


class Catalog:
    """The metrics in force and how to say their figures."""

    def __init__(
        self,
        metrics: Iterable[Metric] = SHIPPED,
        formats: Formats | None = None,
        tables: Mapping[str, str] = DEFAULT_TABLE_TITLES,
    ) -> None:
        self.metrics = {m.name: m for m in metrics}
        self.families = [m for m in self.metrics.values() if m.is_family]
        self.formats = formats or Formats()
        self.tables = dict(tables)

    def table(self, name: str) -> str:
        """What people call a table: its title ("Orders"), else words from its name
        ("___xtr_stock_move" → "Xtr stock move")."""
        if name in self.tables:
            return self.tables[name]
        words = name.strip("_").replace("_", " ") or name
        return words[:1].upper() + words[1:]

    def get(self, name: str) -> Metric:
        """The metric `name` (or its family's declaration); a guess for an undeclared one."""
        found = self.metrics.get(name)
        if found is not None:
            return found
        return next((f for f in self.families if f.matches(name)), None) or guessed(name)

    def per_host(self, name: str) -> bool:
        """Whether each machine of a fleet has its own series of `name`."""
        return self.get(name).per_host

    def title(self, name: str) -> str:
        """Its words for people: "Orders in 24 h"; a family's with its subject: "orders: Rows"."""
        metric = self.get(name)
        subject = metric.subject_of(name)
        if subject and metric.subject == "table":
            subject = self.table(subject)
        return f"{subject}: {metric.title}" if subject else metric.title

    def about(self, metric: str, subject: str) -> str:
        """An alert's subject in words: the metric's title, with what its labels name
        ("Probe answers (home)") or its family's subject ("orders: Read time")."""
        title = self.title(metric)
        labels = subject[len(metric) :] if subject.startswith(metric + "{") else ""
        if not labels and subject.endswith("}") and "{" in subject:
            labels = subject[subject.index("{") :]
        values = re.findall(r'="((?:[^"\\]|\\.)*)"', labels)
        return f"{title} ({', '.join(values)})" if values else title

    def figure(self, name: str, value: float | None, *, noun: bool = True) -> str:
        return self.formats.figure(self.get(name), value, noun=noun)

    def change(self, name: str, value: float | None) -> str:
        """A signed change of `name`: "+1,500 rows", "-20 rows"; one that rounds to nothing
        is "0 rows", never "-0 rows"."""
        if value is None:
            return "—"
        text = self.figure(name, abs(value))
        if not any(ch in "123456789" for ch in text.split(" ")[0]):
            return text
        return ("+" if value > 0 else "-") + text

    def axis(self, name: str) -> str:
        return self.formats.axis(self.get(name))

    def in_area(self, area: str) -> list[Metric]:
        """The single (not family) metrics of an area, in their declared order."""
        return [m for m in self.metrics.values() if m.area == area and not m.is_family]

    def headlines(self, area: str) -> list[Metric]:
        return [m for m in self.in_area(area) if m.headline]


@cache
def shipped() -> Catalog:
    """The shipped metrics in the default locale: one for every caller without settings."""
    return Catalog()


def catalog(settings: Settings | None = None) -> Catalog:
    """The shipped metrics, completed and overridden by `settings`' `[metrics."<name>"]`, in
    its locale and currency."""
    if settings is None:
        return shipped()
    declared = {m.name: m for m in SHIPPED}
    sql = settings.metric_sql
    for name, config in settings.metrics.items():
        words = (f.name for f in fields(Metric) if f.name not in ("name", "sql", "subject"))
        given = {key: getattr(config, key) for key in words if getattr(config, key) is not None}
        base = declared.get(name) or guessed(name)
        declared[name] = base.with_changes(**given)
    for name in sql:
        declared.setdefault(name, guessed(name))
    metrics: Sequence[Metric] = [
        m.with_changes(sql=sql.get(m.name)) if m.name in sql else m for m in declared.values()
    ]
    return Catalog(metrics, Formats(settings.locale, settings.currency), settings.source.titles())
