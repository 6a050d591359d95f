"""Local accounts: names, roles and Argon2 password hashes in the store, for shops without an
identity provider. Managing them is an admin's; signing in is anybody's, slowed down after
repeated failures and audited either way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Delete, Update, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from monitor.access.people import ROLES, Person, require
from monitor.access.tables import accounts_table
from monitor.audit import record
from monitor.config import Role
from monitor.errors import VigieError
from monitor.store import HistoryStore

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,59}$"
MIN_PASSWORD = 10
# After this many failures in a row, each new try waits, doubling from FIRST_WAIT_S: a guesser
# gets a handful of tries an hour, a person who mistyped waits seconds.
FREE_FAILURES = 3
FIRST_WAIT_S = 5.0
LONGEST_WAIT_S = 900.0

_hasher = PasswordHasher()
# Checked against when the name is unknown, so that a wrong name costs the time a wrong
# password does (the answer's time does not tell which names exist).
_DECOY = _hasher.hash("not a password of anyone's")
UNKNOWN = "unknown name"  # the audit's actor for a sign-in under a name no account has
# Failures under names no account has, per process: they wait as an account's would.
_strangers: dict[str, tuple[int, float | None]] = {}
MAX_STRANGERS = 10_000


class AccountError(VigieError):
    """A wrong account request: unknown name, taken name, weak password, bad role."""


class SignInRefused(VigieError):
    """Wrong name or password, or too many failures: wait and try again."""

    def __init__(self, message: str, wait_s: float = 0.0) -> None:
        super().__init__(message)
        self.wait_s = wait_s


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    created_at: float
    signed_in_at: float | None
    failures: int


def wait_after(failures: int) -> float:
    """How long a new try waits after `failures` failures in a row."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(FIRST_WAIT_S * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT_S)


def any_account(store: HistoryStore) -> bool:
    with store.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(accounts_table)).scalar_one())


def listing(store: HistoryStore) -> list[Account]:
    query = select(
        accounts_table.c.name,
        accounts_table.c.role,
        accounts_table.c.created_at,
        accounts_table.c.signed_in_at,
        accounts_table.c.failures,
    ).order_by(accounts_table.c.name)
    with store.engine.connect() as conn:
        return [Account(*row) for row in conn.execute(query)]


def add(
    store: HistoryStore, by: Person, name: str, role: str, password: str, *, now: float
) -> None:
    """A new account (admins only). AccountError for a taken or malformed name, an unknown
    role or a password shorter than MIN_PASSWORD."""
    require(store, by, "admin", action="account add", target=name[:60], now=now)
    _check_name(name)
    if role not in ROLES:
        raise AccountError(f"unknown role {role[:20]!r}: roles are {', '.join(ROLES)}")
    hashed = _hashed(password)
    try:
        with store.writing() as conn:
            conn.execute(
                insert(accounts_table).values(
                    name=name, role=role, password_hash=hashed, created_at=now, password_set_at=now
                )
            )
            record(conn, actor=by.name, action="account add", target=name, outcome="done",
                   now=now, detail=f"role {role}")  # fmt: skip
    except IntegrityError:
        raise AccountError(f"an account named {name!r} exists already") from None


def remove(store: HistoryStore, by: Person, name: str, *, now: float) -> None:
    """Remove an account (admins only); its sessions end at their next page."""
    require(store, by, "admin", action="account remove", target=name[:60], now=now)
    _change(store, by, name, "account remove", delete(accounts_table), now=now)


def set_password(store: HistoryStore, by: Person, name: str, password: str, *, now: float) -> None:
    """A new password (admins, or the person themselves, signed in with it); ends the
    account's sessions and forgets its failures."""
    if not (by.name == name and by.via == "dashboard"):
        require(store, by, "admin", action="account password", target=name[:60], now=now)
    fresh = {"password_hash": _hashed(password), "password_set_at": now, "failures": 0,
             "failed_at": None}  # fmt: skip
    _change(store, by, name, "account password", update(accounts_table).values(fresh), now=now)


def set_role(store: HistoryStore, by: Person, name: str, role: str, *, now: float) -> None:
    """Another role for an account (admins only), from the account's next page on."""
    require(store, by, "admin", action="account role", target=name[:60], now=now)
    if role not in ROLES:
        raise AccountError(f"unknown role {role[:20]!r}: roles are {', '.join(ROLES)}")
    change = update(accounts_table).values(role=role)
    _change(store, by, name, "account role", change, now=now, detail=f"role {role}")


def _change(
    store: HistoryStore, by: Person, name: str, action: str, statement: Delete | Update, *,
    now: float, detail: str | None = None,
) -> None:  # fmt: skip
    """Run `statement` on the account `name` with its audit line, in one transaction;
    AccountError when no account has that name."""
    with store.writing() as conn:
        changed = conn.execute(statement.where(accounts_table.c.name == name)).rowcount
        if changed:
            record(conn, actor=by.name, action=action, target=name, outcome="done", now=now,
                   detail=detail)  # fmt: skip
    if not changed:
        raise AccountError(f"no account named {name[:60]!r}: `users list` shows them")


def sign_in(store: HistoryStore, name: str, password: str, *, now: float) -> Person:
    """The person behind a name and password, or SignInRefused (audited). After FREE_FAILURES
    failures in a row, a try before the wait is over is refused unchecked. An unknown name is
    answered as a wrong password is, in the same time, and slowed down alike (in this
    process), so answers do not tell which names exist; the audit does not keep what was
    typed for it (it may be a password typed in the wrong field)."""
    row = None
    if re.match(NAME_PATTERN, name):
        with store.engine.connect() as conn:
            row = conn.execute(
                select(
                    accounts_table.c.role,
                    accounts_table.c.password_hash,
                    accounts_table.c.failures,
                    accounts_table.c.failed_at,
                ).where(accounts_table.c.name == name)
            ).first()
    who = name if row is not None else UNKNOWN
    failures, failed_at = (row.failures, row.failed_at) if row else _strangers.get(name, (0, None))
    if failed_at is not None:
        wait = failed_at + wait_after(failures) - now
        if wait > 0:
            _audit(store, who, "throttled", f"{failures} failures in a row", now)
            raise SignInRefused(f"too many failed sign-ins: try again in {wait:.0f} s", wait)
    if row is not None and not _claim(store, name, failures, failed_at, now):
        # Another try of this account, from another session, went first and is being
        # checked: parallel tries get no more guesses than one after another.
        _audit(store, who, "throttled", "tries at the same time", now)
        raise SignInRefused(f"too many failed sign-ins: try again in {FIRST_WAIT_S:.0f} s")
    if row is None or not _verifies(row.password_hash, password):
        if row is None:
            _verifies(_DECOY, password)  # the time a wrong password takes
            _stranger_failed(name, now)
        _audit(store, who, "failed", "wrong password" if row else "no such account", now)
        raise SignInRefused("wrong name or password")
    with store.writing() as conn:
        conn.execute(
            update(accounts_table)
            .where(accounts_table.c.name == name)
            .values(failures=0, failed_at=None, signed_in_at=now)
        )
        record(conn, actor=name, action="sign in", target="dashboard", outcome="done", now=now)
    return Person(name, row.role)


def _claim(
    store: HistoryStore, name: str, failures: int, failed_at: float | None, now: float
) -> bool:
    """Count this try as a failure before checking it (a success forgets it), if nobody else
    counted one since the account was read: one conditional write, so of tries made at the
    same time only one is checked."""
    unchanged = (
        accounts_table.c.failed_at.is_(None)
        if failed_at is None
        else accounts_table.c.failed_at == failed_at
    )
    with store.writing() as conn:
        return bool(
            conn.execute(
                update(accounts_table)
                .where(
                    accounts_table.c.name == name,
                    accounts_table.c.failures == failures,
                    unchanged,
                )
                .values(failures=failures + 1, failed_at=now)
            ).rowcount
        )


def _stranger_failed(name: str, now: float) -> None:
    if len(_strangers) >= MAX_STRANGERS:  # a flood of made-up names: start counting afresh
        _strangers.clear()
    failures, _ = _strangers.get(name, (0, None))
    _strangers[name] = (failures + 1, now)


def audit_sign_in(store: HistoryStore, person: Person, *, now: float) -> None:
    """The audit line of a sign-in made elsewhere (the identity provider)."""
    with store.writing() as conn:
        record(conn, actor=person.name, action="sign in", target="dashboard", outcome="done",
               now=now, detail=f"{person.via}, role {person.role}")  # fmt: skip


def current(store: HistoryStore, name: str, since: float) -> Person | None:
    """The account's person now, if a session that began at `since` still holds: None once
    the account is gone or its password changed after."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(accounts_table.c.role, accounts_table.c.password_set_at).where(
                accounts_table.c.name == name
            )
        ).first()
    if row is None or row.password_set_at > since:
        return None
    return Person(name, row.role)


def _audit(store: HistoryStore, name: str, outcome: str, detail: str, now: float) -> None:
    with store.writing() as conn:
        record(conn, actor=name, action="sign in", target="dashboard",
               outcome=outcome, now=now, detail=detail, burst=True)  # fmt: skip


def _verifies(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, password))
    except (VerificationError, InvalidHashError):
        return False


def _hashed(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def _check_name(name: str) -> None:
    if not re.match(NAME_PATTERN, name):
        raise AccountError(
            f"account name {name[:60]!r}: use letters, digits and . _ @ - (at most 60), "
            "starting with a letter or digit"
        )
