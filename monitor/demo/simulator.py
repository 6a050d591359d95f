"""Keeps the demo shop alive: new orders and customers, web traffic in an access log, incidents.

Incidents come on a schedule drawn per hour (or per day) from a seeded generator, so every tick
agrees on it whatever its span: a burst of 5xx with slow responses (~once a day, 5–15 min), an
order stall (~once a week, 4–6 h in the day) and a slow table (~once a day, 20–40 min: "a
migration dropped an index" behind one critical table's probe, recreated at the end).
"""

from __future__ import annotations

import logging
import math
import os
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, DropIndex

from monitor.demo.catalogue import catalogue
from monitor.demo.requests import (
    BOT_KINDS,
    BROWSERS,
    HUMAN_KINDS,
    ISP_OCTETS,
    clf_time,
    crawler,
    mix,
    referer,
    request,
    response,
    weighted_choices,
)
from monitor.demo.shop import CUSTOMER, ORDER, ORDER_LINE, SEO_PAGE, naive_utc
from monitor.demo.trade import (
    NEW_CUSTOMERS_PER_DAY,
    ORDERS_PER_DAY,
    OrderMaker,
    Row,
    activity,
    make_customer,
    pick_customer,
    poisson,
)

REQUESTS_PER_MINUTE = 55.0  # averaged over the day, bots included
BOT_SHARE = 0.10
VISITORS_PER_DAY = 8_000
ROTATE_BYTES = 50 * 1024 * 1024
FIRST_GAP = timedelta(seconds=60)
MAX_GAP = timedelta(hours=1)  # after a long pause, catch up one hour only, not a flood

_SESSION_SECONDS = 20 * 60
_NEW_VISIT_SHARE = VISITORS_PER_DAY / (REQUESTS_PER_MINUTE * (1 - BOT_SHARE) * 1_440)
_MEDIAN_SECONDS = 0.14
_SPREAD = 0.55  # sigma of the log of request time
_INCIDENT_SLOWDOWN = 6.0
_INCIDENT_MINUTES = (5, 15)
_SLOW_TABLE_MINUTES = (20, 40)
_SLOT_SECONDS = 60.0
_MASK64 = (1 << 64) - 1

log = logging.getLogger("vigie.demo")


def _index_on(table: sa.Table, column: str) -> sa.Index:
    return next(i for i in table.indexes if [c.name for c in i.columns] == [column])


# What a slow-table incident drops: the index a critical table's probe reads its newest rows
# through. Without it the probe is a full scan (at scale 1.0 about 10–25 ms instead of 0.1 ms).
SLOW_TABLE_INDEXES = (
    _index_on(CUSTOMER, "cst_date_add"),
    _index_on(ORDER, "ord_date"),
    _index_on(ORDER_LINE, "orl_ord_id"),
    _index_on(SEO_PAGE, "updated_at"),
)


@dataclass(frozen=True)
class TickSummary:
    """What one tick added: orders, customers and access-log requests."""

    orders: int
    customers: int
    requests: int
    dropped_index: str | None = None  # the slow-table incident's, while it lasts


class ShopSimulator:
    """Adds the trade and traffic of the time elapsed since the previous tick.

    Orders and customers go to the shop database in one transaction per tick; requests are
    appended to `access_log` in nginx's combined format followed by the request time in seconds.
    """

    def __init__(
        self,
        engine: sa.Engine,
        access_log: Path,
        *,
        seed: int | None = None,
        scale: float = 1.0,
        rotate_bytes: int = ROTATE_BYTES,
        incidents_per_day: float = 1.0,
        stalls_per_week: float = 1.0,
        slow_tables_per_day: float = 1.0,
    ) -> None:
        self._engine = engine
        self._access_log = access_log
        self._rng = random.Random(seed)
        self._salt = self._rng.getrandbits(32)
        self._scale = scale
        self._rotate_bytes = rotate_bytes
        self._incidents_per_day = incidents_per_day
        self._stalls_per_week = stalls_per_week
        self._slow_tables_per_day = slow_tables_per_day
        self._orders = OrderMaker(self._rng)
        self._catalogue = catalogue()
        self._human_kinds, self._human_cum = weighted_choices(HUMAN_KINDS)
        self._bot_kinds, self._bot_cum = weighted_choices(BOT_KINDS)
        self._incidents: dict[int, tuple[float, float] | None] = {}
        self._sessions: deque[tuple[float, int]] = deque()  # (start, visitor) of recent visits
        self._visits = 0
        self._last: datetime | None = None

    def tick(self, now: datetime) -> TickSummary:
        """Simulate the time since the previous tick: the last minute at first, an hour at most.

        The shop's indexes end every tick as the slow-table schedule has them at `now`, whatever
        happened before (a restart mid-incident, a catch-up after a pause): dropped during an
        incident, present otherwise."""
        now = naive_utc(now)
        start = max(self._last or now - FIRST_GAP, now - MAX_GAP)
        if now <= start:
            return TickSummary(0, 0, 0)
        orders, customers = self._trade(start, now)
        requests = self._traffic(start, now)
        dropped = self.dropped_index(now)
        self._set_indexes(dropped)
        self._last = now
        return TickSummary(orders, customers, requests, dropped)

    def fill_traffic(self, start: datetime, end: datetime) -> int:
        """Write the access log of [start, end) without touching the shop; returns the requests.

        For a first start, so the log already holds a day of traffic. The next tick continues
        from `end`, keeping the log in time order.
        """
        start, end = naive_utc(start), naive_utc(end)
        if end <= start:
            return 0
        written = self._traffic(start, end)
        self._last = max(self._last or end, end)
        return written

    def resume_at(self, moment: datetime) -> None:
        """Make the next tick simulate from `moment` (e.g. the shop's last order) onwards."""
        self._last = naive_utc(moment)

    @property
    def last_tick(self) -> datetime | None:
        return self._last

    # -- the shop database ------------------------------------------------------------------

    def _trade(self, start: datetime, now: datetime) -> tuple[int, int]:
        rng = self._rng
        seen = now.replace(microsecond=0)  # the shop stores times to the second
        with self._engine.begin() as conn:
            last_customer = _max_id(conn, CUSTOMER.c.cst_id)
            last_order = _max_id(conn, ORDER.c.ord_id)
            last_line = _max_id(conn, ORDER_LINE.c.orl_id)
            customers: list[Row] = []
            orders: list[Row] = []
            lines: list[Row] = []
            for slot, seconds in _slots(start, now):
                level = activity(_moment(slot + seconds / 2)) * self._scale * seconds / 86_400
                for ts in _times(rng, slot, seconds, poisson(rng, NEW_CUSTOMERS_PER_DAY * level)):
                    last_customer += 1
                    customers.append(make_customer(rng, last_customer, _moment(ts), seen))
                placed = _times(rng, slot, seconds, poisson(rng, ORDERS_PER_DAY * level))
                placed = [ts for ts in placed if not self._in_stall(ts)]
                for ts in placed if last_customer else ():
                    last_order += 1
                    cst_id = pick_customer(rng, last_customer)
                    order, order_lines = self._orders.make(
                        last_order, cst_id, _moment(ts), seen, last_line + 1
                    )
                    last_line += len(order_lines)
                    orders.append(order)
                    lines += order_lines
            _insert(conn, CUSTOMER, customers)
            _insert(conn, ORDER, orders)
            _insert(conn, ORDER_LINE, lines)
            _advance_statuses(conn, seen)
        return len(orders), len(customers)

    def dropped_index(self, moment: datetime) -> str | None:
        """The index a slow-table incident has dropped at `moment`, or None (the usual)."""
        ts = _epoch(naive_utc(moment))
        hour = int(ts // 3_600)
        # An incident starting late in the previous hour may still be running.
        for window in (self._slow_table_window(hour), self._slow_table_window(hour - 1)):
            if window is not None and window[0] <= ts < window[1]:
                return window[2].name
        return None

    def _slow_table_window(self, hour: int) -> tuple[float, float, sa.Index] | None:
        """A migration that drops one probe index for 20–40 min, in about `slow_tables_per_day`
        hours a day; seeded by the hour like the other incidents."""
        rng = random.Random(f"{self._salt}:slow-table:{hour}")
        if rng.random() >= self._slow_tables_per_day / 24:
            return None
        begin = hour * 3_600 + rng.randrange(60) * 60
        end = begin + rng.randint(*_SLOW_TABLE_MINUTES) * 60
        return float(begin), float(end), rng.choice(SLOW_TABLE_INDEXES)

    def _set_indexes(self, dropped: str | None) -> None:
        """Drop the incident's index, recreate any other that is missing (one query when all is
        as it should be). DDL with the collector's readers present: SQLite's WAL lets one writer
        commit beside readers, PostgreSQL's DROP INDEX waits for their brief reads to end."""
        with self._engine.begin() as conn:
            present = _index_names(conn)
            for index in SLOW_TABLE_INDEXES:
                if index.name == dropped and index.name in present:
                    log.info("demo incident: a migration dropped index %s", index.name)
                    conn.execute(DropIndex(index, if_exists=True))
                elif index.name != dropped and index.name not in present:
                    log.info("demo: (re)creating index %s", index.name)
                    conn.execute(CreateIndex(index, if_not_exists=True))

    # -- the access log ---------------------------------------------------------------------

    def _traffic(self, start: datetime, now: datetime) -> int:
        self._rotate_if_big()
        written = 0
        with self._access_log.open("a", encoding="utf-8", newline="\n") as out:
            for slot, seconds in _slots(start, now):
                written += self._write_slot(out, slot, seconds)
        return written

    def _rotate_if_big(self) -> None:
        try:
            size = self._access_log.stat().st_size
        except FileNotFoundError:
            self._access_log.parent.mkdir(parents=True, exist_ok=True)
            return
        if size > self._rotate_bytes:
            os.replace(self._access_log, self._access_log.with_name(self._access_log.name + ".1"))

    def _write_slot(self, out: TextIO, slot: float, seconds: float) -> int:
        rng = self._rng
        minutes = seconds / 60 * self._scale
        # People follow the shop's rhythm; crawlers come at the same pace day and night.
        level = activity(_moment(slot + seconds / 2))
        humans = REQUESTS_PER_MINUTE * (1 - BOT_SHARE) * level * minutes
        bots = REQUESTS_PER_MINUTE * BOT_SHARE * minutes
        count = poisson(rng, humans + bots)
        incident = self._in_incident(slot)
        for ts in _times(rng, slot, seconds, count):
            out.write(self._line(ts, rng.random() * (humans + bots) < bots, incident))
        return count

    def _line(self, ts: float, bot: bool, incident: bool) -> str:
        rng = self._rng
        if bot:
            address, agent = crawler(rng)
            kind = rng.choices(self._bot_kinds, cum_weights=self._bot_cum)[0]
        else:
            address, agent = self._visitor(ts)
            kind = rng.choices(self._human_kinds, cum_weights=self._human_cum)[0]
        method, path = request(rng, self._catalogue, kind)
        status, size = response(rng, kind, bot, incident)
        seconds = rng.lognormvariate(math.log(_MEDIAN_SECONDS), _SPREAD)
        if incident:
            seconds *= _INCIDENT_SLOWDOWN
        protocol = "HTTP/2.0" if not bot and rng.random() < 0.6 else "HTTP/1.1"
        referer_ = "-" if bot else referer(rng, kind)
        return (
            f'{address} - - [{clf_time(ts)}] "{method} {path} {protocol}" {status} {size} '
            f'"{referer_}" "{agent}" {seconds:.3f}\n'
        )

    def _visitor(self, ts: float) -> tuple[str, str]:
        """The address and browser of the person making a request at `ts`."""
        # People browse in sessions: a request continues a recent visit, or starts a new one
        # often enough to make ~VISITORS_PER_DAY distinct visitors in any 24 hours.
        cutoff = ts - _SESSION_SECONDS
        while self._sessions and self._sessions[0][0] < cutoff:
            self._sessions.popleft()
        if not self._sessions or self._rng.random() < _NEW_VISIT_SHARE:
            self._visits += 1
            self._sessions.append((ts, self._visits))
            visitor = self._visits
        else:
            visitor = self._sessions[self._rng.randrange(len(self._sessions))][1]
        mixed = mix((self._salt << 32) ^ visitor)
        octet = ISP_OCTETS[mixed % len(ISP_OCTETS)]
        address = f"{octet}.{(mixed >> 8) & 255}.{(mixed >> 16) & 255}.{1 + (mixed >> 24) % 254}"
        return address, BROWSERS[(mixed >> 40) % len(BROWSERS)]

    def _in_incident(self, ts: float) -> bool:
        """Whether `ts` falls in an incident (5xx burst, slow responses): ~once a day."""
        hour = int(ts // 3_600)
        # An incident starting late in the previous hour may still be running.
        return any(
            window is not None and window[0] <= ts < window[1]
            for window in (self._incident_window(hour), self._incident_window(hour - 1))
        )

    def _in_stall(self, ts: float) -> bool:
        """Whether `ts` falls in an order stall (a payment provider down: no order for 4–6 h
        in the day), about `stalls_per_week` times a week, so "orders stopped" fires now and
        then in the demo."""
        day = int(ts // 86_400)
        rng = random.Random(f"{self._salt}:stall:{day}")
        if rng.random() >= self._stalls_per_week / 7:
            return False
        begin = day * 86_400 + rng.randint(9 * 3_600, 14 * 3_600)
        return begin <= ts < begin + rng.randint(270, 360) * 60

    def _incident_window(self, hour: int) -> tuple[float, float] | None:
        if hour not in self._incidents:
            if len(self._incidents) > 8:
                self._incidents.clear()
            # Seeded by the hour, so every tick agrees on the schedule whatever its span.
            rng = random.Random(f"{self._salt}:incident:{hour}")
            window = None
            if rng.random() < self._incidents_per_day / 24:
                begin = hour * 3_600 + rng.randrange(60) * 60
                window = (float(begin), float(begin + rng.randint(*_INCIDENT_MINUTES) * 60))
            self._incidents[hour] = window
        return self._incidents[hour]


def _slots(start: datetime, end: datetime) -> Iterator[tuple[float, float]]:
    """(epoch start, seconds) of each minute of the period, the last one possibly shorter."""
    ts, stop = _epoch(start), _epoch(end)
    while ts < stop:
        seconds = min(_SLOT_SECONDS, stop - ts)
        yield ts, seconds
        ts += seconds


def _times(rng: random.Random, slot: float, seconds: float, count: int) -> list[float]:
    return sorted(slot + rng.random() * seconds for _ in range(count))


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def _moment(ts: float) -> datetime:
    """A naive UTC datetime to the second, as the shop stores them."""
    return datetime.fromtimestamp(int(ts), UTC).replace(tzinfo=None)


def _index_names(conn: sa.Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return {name for (name,) in conn.execute(sa.text(query))}


def _max_id(conn: sa.Connection, column: sa.Column[Any]) -> int:
    return int(conn.execute(sa.select(sa.func.max(column))).scalar() or 0)


def _insert(conn: sa.Connection, table: sa.Table, rows: list[Row]) -> None:
    if rows:
        keys = [col.name for col in table.columns]
        conn.execute(table.insert(), [dict(zip(keys, row, strict=True)) for row in rows])


def _advance_statuses(conn: sa.Connection, now: datetime) -> None:
    """Move orders along as they age: paid ones ship then arrive, unpaid ones lapse."""
    day = timedelta(days=1)
    # Each move looks at a week-wide window of ord_date, so it stays an index range scan.
    for old, new, age in (("2", "3", day), ("3", "4", 5 * day), ("1", "5", 2 * day)):
        conn.execute(
            ORDER.update()
            .where(
                ORDER.c.ord_ords_id == old,
                ORDER.c.ord_date <= now - age,
                ORDER.c.ord_date > now - age - 7 * day,
            )
            .values(ord_ords_id=new)
        )
