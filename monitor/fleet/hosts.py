"""The machines of a fleet: each daemon records when it last wrote its own figures; the
scheduler of the fleet turns that into `fleet.hostUp{host}` (what `host_down` watches)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from monitor.fleet.tables import hosts_table
from monitor.samples import Collection, Labels, labels_json, parse_labels
from monitor.store import HistoryStore, series_table
from monitor.store.hosted import HOST

UP_METRIC = "fleet.hostUp"
QUIET_AFTER = 2  # intervals without a write before a host counts as down


@dataclass(frozen=True)
class Host:
    """One machine of the fleet, as the store last heard of it (epoch seconds)."""

    name: str
    interval_s: int
    first_seen: int
    last_write: int

    def age(self, now: float) -> float:
        return max(0.0, now - self.last_write)

    def quiet(self, now: float) -> bool:
        """Whether it has written nothing for QUIET_AFTER of its intervals."""
        return self.age(now) > QUIET_AFTER * self.interval_s


class Fleet:
    """The hosts that write one store."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    def beat(self, host: str, *, interval_s: int, now: float) -> None:
        """Record that `host` wrote its figures at `now` (one upsert)."""
        insert_ = sqlite_insert if self.store.is_sqlite else pg_insert
        row = insert_(hosts_table).values(
            name=host, interval_s=interval_s, first_seen=int(now), last_write=int(now)
        )
        statement = row.on_conflict_do_update(
            index_elements=["name"],
            set_={"interval_s": interval_s, "last_write": int(now)},
            where=hosts_table.c.last_write < int(now),
        )
        with self.store.writing() as conn:
            conn.execute(statement)

    def hosts(self) -> list[Host]:
        """Every host that ever wrote, by name."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(hosts_table).order_by(hosts_table.c.name))
            return [Host(*row) for row in rows]

    def names(self) -> list[str]:
        return [host.name for host in self.hosts()]

    def forget(self, name: str) -> bool:
        """Drop a host that left the fleet for good (its history stays); whether it was known."""
        with self.store.writing() as conn:
            return conn.execute(delete(hosts_table).where(hosts_table.c.name == name)).rowcount > 0

    def states(self, now: float) -> Collection:
        """`fleet.hostUp{host}`: 1 for a host that wrote within two of its intervals, else 0."""
        states = Collection(ts=now)
        for host in self.hosts():
            states.add(UP_METRIC, 0.0 if host.quiet(now) else 1.0, ((HOST, host.name),))
        return states

    def adopt(self, host: str, per_host: Callable[[str], bool]) -> list[tuple[str, str, str]]:
        """Give `host` the series of per-host metrics written before figures carried their
        host (a store upgraded from a single-host Vigie); a series the host already has under
        its label is left as it is. Returns (name, old labels, new labels) of each one moved."""
        moved: list[tuple[str, str, str]] = []
        with self.store.writing() as conn:
            columns = series_table.c
            rows = conn.execute(select(columns.id, columns.name, columns.labels)).all()
            existing = {(name, labels) for _, name, labels in rows}
            for sid, name, labels in rows:
                found: Labels = parse_labels(labels)
                if not per_host(name) or any(key == HOST for key, _ in found):
                    continue
                adopted = labels_json(tuple(sorted((*found, (HOST, host)))))
                if (name, adopted) in existing:
                    continue
                conn.execute(
                    update(series_table).where(series_table.c.id == sid).values(labels=adopted)
                )
                moved.append((name, labels, adopted))
        if moved:
            self.store.forget_ids()
        return moved
