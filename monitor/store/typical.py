"""What a series is now and what it usually is: the words "0 orders (usually 160)" need both,
read inside the transaction that opens the alert."""

from __future__ import annotations

from statistics import median

from sqlalchemy import Connection, select

from monitor.store.history import HOUR, layout_of
from monitor.store.schema import rollup_table, series_table

USUAL_DAYS = 7


def levels(
    conn: Connection, name: str, labels_text: str, at: float, now: float | None = None
) -> tuple[float | None, float | None]:
    """(the newest raw value at or before `now` (default `at`), the median of its hourly
    averages over the USUAL_DAYS before `at`'s hour: what it was before the alert); None where
    the store has nothing."""
    sid = conn.scalar(
        select(series_table.c.id).where(
            series_table.c.name == name, series_table.c.labels == labels_text
        )
    )
    if sid is None:
        return None, None
    current = conn.exec_driver_sql(
        layout_of(conn.dialect.name).CURRENT, {"sid": sid, "now": int(now or at)}
    ).scalar()
    hour = int(at) // HOUR * HOUR
    hourly = list(
        conn.scalars(
            select(rollup_table.c.avg).where(
                rollup_table.c.series_id == sid,
                rollup_table.c.hour >= hour - USUAL_DAYS * 86400,
                rollup_table.c.hour < hour,
            )
        )
    )
    return current, (median(hourly) if hourly else None)
