"""Monthly partitions of the samples on PostgreSQL: a month of a fleet's samples is a table of
its own, so retention drops a month at once instead of deleting its rows one by one, and a
time-range read touches only the months it covers. Vigie creates the partitions itself, ahead
of time and whenever a write reaches a month that has none (a backfill, an import)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

PARENT = "samples"
# The advisory lock held while partitions are created or dropped, so two daemons reaching a
# new month together create it once.
PARTITION_LOCK_KEY = 0x56_69_67_70  # "Vigp"


def month_of(ts: float) -> int:
    """The first second (UTC) of the month holding `ts`."""
    moment = datetime.fromtimestamp(int(ts), UTC)
    return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp())


def next_month(start: int) -> int:
    moment = datetime.fromtimestamp(start, UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp())


def name_of(start: int) -> str:
    """The partition holding the month that begins at `start`: samples_202612."""
    return f"{PARENT}_{datetime.fromtimestamp(start, UTC):%Y%m}"


def months_between(first: float, last: float) -> list[int]:
    """The start of every month from the one holding `first` to the one holding `last`."""
    found, month = [], month_of(first)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def is_partitioned(conn: Connection) -> bool:
    """Whether the samples are partitioned (a PostgreSQL store from schema version 9 on)."""
    return bool(
        conn.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c "
                "ON c.oid = p.partrelid WHERE c.relname = :parent "
                "AND c.relnamespace = current_schema()::regnamespace)"
            ),
            {"parent": PARENT},
        )
    )


def existing(conn: Connection) -> dict[int, str]:
    """The partitions there are, by the start of their month."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :parent "
            "AND p.relnamespace = current_schema()::regnamespace"
        ),
        {"parent": PARENT},
    )
    found = {}
    for (name,) in rows:
        stamp = name.removeprefix(f"{PARENT}_")
        if len(stamp) == 6 and stamp.isdigit():
            month = datetime(int(stamp[:4]), int(stamp[4:]), 1, tzinfo=UTC)
            found[int(month.timestamp())] = name
    return found


def ensure(conn: Connection, months: Iterable[int]) -> list[str]:
    """Create the partitions of `months` (starts of months) that do not exist yet, inside the
    caller's transaction; returns the names created."""
    wanted = sorted(set(months))
    if not wanted:
        return []
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK_KEY})
    have = existing(conn)
    created = []
    for start in wanted:
        if start in have:
            continue
        name = name_of(start)
        conn.exec_driver_sql(
            f"CREATE TABLE {name} PARTITION OF {PARENT} "
            f"FOR VALUES FROM ({start}) TO ({next_month(start)})"
        )
        created.append(name)
    return created


def drop_before(conn: Connection, before: float) -> int:
    """Drop every partition whose whole month is before `before`; returns the samples they
    held (counted first: the figure retention reports)."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK_KEY})
    removed = 0
    for start, name in sorted(existing(conn).items()):
        if next_month(start) > before:
            continue
        removed += int(
            conn.exec_driver_sql(f"SELECT SUM(cardinality(secs)) FROM {name}").scalar() or 0
        )
        conn.exec_driver_sql(f"DROP TABLE {name}")
    return removed


class Months:
    """The months this process has seen a partition for, so a write checks its rows' months
    against memory and reaches the database only on a month's first write."""

    def __init__(self) -> None:
        self.known: set[int] = set()

    def cover(self, engine: Engine, stamps: Sequence[float]) -> None:
        """Make sure the months of the timestamps `stamps` have their partitions (in a
        transaction of their own, before the write's: creating a partition briefly locks the
        samples)."""
        if not stamps:
            return
        first, last = min(stamps), max(stamps)  # a backfill's million stamps: C loops only
        wanted = set(months_between(first, last))
        if len(wanted) > 3:  # an import's stray old time: only the months that hold a sample
            wanted = {month_of(ts) for ts in set(stamps)}
        wanted -= self.known
        if not wanted:
            return
        with engine.connect() as conn, conn.begin():
            ensure(conn, wanted)
        self.known |= wanted

    def forget(self) -> None:
        """After partitions were dropped (here or by another daemon)."""
        self.known.clear()
