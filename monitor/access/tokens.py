"""Personal API tokens: made by admins, shown once, kept as a SHA-256, sent as
`Authorization: Bearer <token>`. A token's scope (read, operate, admin) acts as the role of
the same rank; an expired or revoked token is no token at all."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from monitor.access.people import ROLE_OF_SCOPE, SCOPES, Person, Scope, require
from monitor.access.tables import tokens_table
from monitor.audit import record
from monitor.errors import VigieError
from monitor.store import HistoryStore

PREFIX = "vigie_"  # tells a leaked token for what it is (secret scanners match prefixes)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
DAY = 86400.0
# Last use is written at most this often per token: a scraper every 15 s is not a write each.
LAST_USE_EVERY_S = 60.0


class TokenError(VigieError):
    """A wrong token request: taken or malformed name, unknown scope, unknown token."""


@dataclass(frozen=True)
class Token:
    name: str
    scope: Scope
    created_at: float
    created_by: str
    expires_at: float | None
    last_used_at: float | None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create(
    store: HistoryStore, by: Person, name: str, scope: str, *, expires_days: float | None,
    now: float,
) -> str:  # fmt: skip
    """A new token (admins only); returns it, the only time it is ever shown."""
    require(store, by, "admin", action="token create", target=name[:60], now=now)
    if not NAME_PATTERN.match(name):
        raise TokenError(
            f"token name {name[:60]!r}: use letters, digits and . _ - (at most 60), starting "
            "with a letter or digit"
        )
    if scope not in SCOPES:
        raise TokenError(f"unknown scope {scope[:20]!r}: scopes are {', '.join(SCOPES)}")
    if expires_days is not None and not 0 < expires_days <= 3650:
        raise TokenError("--expires-days must be between 1 and 3650")
    token = PREFIX + secrets.token_urlsafe(32)
    expires = now + expires_days * DAY if expires_days is not None else None
    try:
        with store.writing() as conn:
            conn.execute(
                insert(tokens_table).values(
                    name=name,
                    scope=scope,
                    token_hash=digest(token),
                    created_at=now,
                    created_by=by.name[:100],
                    expires_at=expires,
                )
            )
            record(conn, actor=by.name, action="token create", target=name, outcome="done",
                   now=now, detail=f"scope {scope}")  # fmt: skip
    except IntegrityError:
        raise TokenError(f"a token named {name!r} exists already: revoke it first") from None
    return token


def revoke(store: HistoryStore, by: Person, name: str, *, now: float) -> None:
    """Revoke a token (admins only): it gets 401 from its next call."""
    require(store, by, "admin", action="token revoke", target=name[:60], now=now)
    with store.writing() as conn:
        gone = conn.execute(delete(tokens_table).where(tokens_table.c.name == name)).rowcount
        if gone:
            record(conn, actor=by.name, action="token revoke", target=name, outcome="done",
                   now=now)  # fmt: skip
    if not gone:
        raise TokenError(f"no token named {name[:60]!r}: `tokens list` shows them")


def listing(store: HistoryStore) -> list[Token]:
    query = select(
        tokens_table.c.name,
        tokens_table.c.scope,
        tokens_table.c.created_at,
        tokens_table.c.created_by,
        tokens_table.c.expires_at,
        tokens_table.c.last_used_at,
    ).order_by(tokens_table.c.name)
    with store.engine.connect() as conn:
        return [Token(*row) for row in conn.execute(query)]


def any_token(store: HistoryStore) -> bool:
    with store.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(tokens_table)).scalar_one())


def bearer_of(store: HistoryStore, token: str, *, now: float) -> Person | None:
    """The person a token acts as, or None for an unknown, revoked or expired one."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    hashed = digest(token)
    with store.engine.connect() as conn:
        row = conn.execute(
            select(
                tokens_table.c.name,
                tokens_table.c.scope,
                tokens_table.c.expires_at,
                tokens_table.c.last_used_at,
            ).where(tokens_table.c.token_hash == hashed)
        ).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    person = Person(f"token:{row.name}", ROLE_OF_SCOPE[row.scope], via="token")
    if row.last_used_at is not None and row.last_used_at >= now - LAST_USE_EVERY_S:
        return person  # written recently: no write transaction on this call
    with store.writing() as conn:
        conn.execute(
            update(tokens_table)
            .where(
                tokens_table.c.name == row.name,
                or_(
                    tokens_table.c.last_used_at.is_(None),
                    tokens_table.c.last_used_at < now - LAST_USE_EVERY_S,
                ),
            )
            .values(last_used_at=now)
        )
    return person
