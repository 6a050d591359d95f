"""Reading a machine's figure without naming the machine: a series labelled `host` answers a
read that gives every label but the host, so a single-host install (and every reader written
before figures carried their host) reads as before."""

from __future__ import annotations

from sqlalchemy import Connection, select

from monitor.samples import Labels, parse_labels
from monitor.store.schema import series_table

HOST = "host"


def hosted_series(conn: Connection, name: str, labels: Labels, prefer: str) -> int | None:
    """The id of the series `name` with `labels` plus a host: `prefer`'s if it has one, else
    the first host's by name; None if no host has it, or if `labels` already name a host."""
    if any(key == HOST for key, _ in labels):
        return None
    found: dict[str, int] = {}
    for sid, text in conn.execute(
        select(series_table.c.id, series_table.c.labels).where(series_table.c.name == name)
    ):
        stored = parse_labels(text)
        host = next((value for key, value in stored if key == HOST), None)
        if host is not None and tuple(p for p in stored if p[0] != HOST) == labels:
            found[host] = sid
    if not found:
        return None
    return found.get(prefer) or found[min(found)]
