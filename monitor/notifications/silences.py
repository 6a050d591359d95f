"""Silences: ops mute the notifications of the alerts a silence matches (rule glob, subject
glob, severity at most) until it ends. Silenced alerts still open, resolve and show; a message
muted by a silence that ends while its alert is still open is sent then. Owns `silences`."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol

from sqlalchemy import Column, Connection, Double, Integer, String, Table, Text, insert, select
from sqlalchemy import update as sql_update

from monitor.access import Person, require
from monitor.audit import record
from monitor.config import SEVERITIES
from monitor.errors import VigieError
from monitor.store import HistoryStore, metadata

silences_table = Table(
    "silences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("max_severity", String(16), nullable=False),
    Column("starts_at", Double, nullable=False),
    Column("ends_at", Double, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("comment", Text, nullable=False),
)


class Matcher(Protocol):
    """What a silence or a maintenance window matches."""

    @property
    def rule(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def max_severity(self) -> str: ...


def covers(matcher: Matcher, rule: str, subject: str, severity: str) -> bool:
    """Whether `matcher` (rule glob, subject glob, severity at most) covers this alert."""
    return (
        fnmatchcase(rule, matcher.rule)
        and fnmatchcase(subject, matcher.subject)
        and SEVERITIES.index(severity) <= SEVERITIES.index(matcher.max_severity)
    )


class NoSuchSilence(VigieError):
    """No silence has that id, or it has already ended."""


@dataclass(frozen=True)
class Silence:
    """One silence: what it matches and until when."""

    id: int
    rule: str
    subject: str
    max_severity: str
    starts_at: float
    ends_at: float
    created_by: str
    comment: str

    def matches(self, rule: str, subject: str, severity: str) -> bool:
        """Whether this silence mutes an alert of `rule` on `subject` at `severity`."""
        return covers(self, rule, subject, severity)


def active(conn: Connection, now: float) -> list[Silence]:
    """The silences in force at `now`."""
    rows = conn.execute(
        select(silences_table).where(
            silences_table.c.starts_at <= now, silences_table.c.ends_at > now
        )
    ).mappings()
    return [Silence(**row) for row in rows]


def create(
    store: HistoryStore,
    person: Person,
    *,
    rule: str,
    subject: str,
    max_severity: str,
    duration_s: float,
    comment: str,
    now: float,
) -> int:
    """Start a silence now for `duration_s` (ops or admin: NotAuthorized for a viewer, audited
    as refused); audited. Returns its id."""
    require(store, person, "ops", action="silence", target="-", now=now)
    actor = person.name
    with store.writing() as conn:
        silence_id = int(
            conn.execute(
                insert(silences_table)
                .values(
                    rule=rule,
                    subject=subject,
                    max_severity=max_severity,
                    starts_at=now,
                    ends_at=now + duration_s,
                    created_by=actor[:100],
                    comment=comment,
                )
                .returning(silences_table.c.id)
            ).scalar_one()
        )
        record(conn, actor=actor, action="silence", target=f"silence {silence_id}",
               outcome="created", now=now, detail=f"{rule} / {subject}: {comment}")  # fmt: skip
    return silence_id


def end(store: HistoryStore, person: Person, silence_id: int, *, now: float) -> None:
    """End a silence now (ops or admin); audited. NoSuchSilence if it is unknown or over."""
    require(store, person, "ops", action="silence", target=f"silence {silence_id}", now=now)
    actor = person.name
    with store.writing() as conn:
        ended = conn.execute(
            sql_update(silences_table)
            .where(silences_table.c.id == silence_id, silences_table.c.ends_at > now)
            .values(ends_at=now)
        ).rowcount
        record(conn, actor=actor, action="silence", target=f"silence {silence_id}",
               outcome="ended" if ended else "refused", now=now)  # fmt: skip
    if not ended:
        raise NoSuchSilence(f"no silence {silence_id} in force (unknown, or already over)")


def listing(store: HistoryStore, now: float, *, ended_within_s: float = 86400) -> list[Silence]:
    """Silences in force, and those that ended within the last day, newest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(silences_table)
            .where(silences_table.c.ends_at > now - ended_within_s)
            .order_by(silences_table.c.id.desc())
        ).mappings()
        return [Silence(**row) for row in rows]
