"""Runs the configured SQL metrics of one area (business, seo) against the monitored database."""

from __future__ import annotations

from datetime import datetime

from monitor.errors import SourceError, SourceUnavailable
from monitor.samples import Collection
from monitor.sources import Sources
from monitor.sources.database import sql_params


def collect_area(sources: Sources, area: str, now: datetime) -> Collection:
    """One sample per `<area>.*` metric in the config; a failing query fails that metric only."""
    result = Collection(ts=now.timestamp())
    metrics = {n: q for n, q in sources.settings.metric_sql.items() if n.startswith(f"{area}.")}
    params = sql_params(now)
    database = sources.database
    try:
        with database.connect() as conn:
            for name, sql in metrics.items():
                query = sql if isinstance(sql, str) else sql.get(database.dialect)
                if query is None:
                    result.fail(name, f"no SQL for {database.dialect} in this metric's config")
                    continue
                try:
                    result.add(name, database.scalar(conn, query, params))
                except SourceUnavailable:
                    raise
                except SourceError as exc:
                    result.fail(name, str(exc))
    except SourceUnavailable as exc:
        result.unreachable = str(exc)
        for name in metrics:
            if name not in {s.name for s in result.samples}:
                result.fail(name, str(exc))
    return result
