"""Who is there and what their role lets them do, checked in the domain functions themselves:
a view that forgot to hide a button still cannot run maintenance for a viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from monitor.audit import record
from monitor.config import Role
from monitor.errors import VigieError
from monitor.store import HistoryStore

ROLES: tuple[Role, ...] = get_args(Role)
Scope = Literal["read", "operate", "admin"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
# A token's scope carries the role of the same rank: read is a viewer's, operate ops'.
ROLE_OF_SCOPE: dict[Scope, Role] = {"read": "viewer", "operate": "ops", "admin": "admin"}
WHAT_ROLES_DO = {
    "viewer": "reads everything and exports CSV",
    "ops": "also runs maintenance, acknowledges alerts and manages silences",
    "admin": "also manages accounts, tokens and tests notification channels",
}


class NotAuthorized(VigieError):
    """The person's role does not allow the action (the refusal is audited)."""


@dataclass(frozen=True)
class Person:
    """Someone (or a token) acting in Vigie; `name` is what the audit writes."""

    name: str
    role: Role
    via: str = "dashboard"  # "dashboard", "identity provider", "token", "ops token", "cli"

    def may(self, need: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(need)


ANONYMOUS = Person("anonymous", "viewer", via="open access")


def highest(roles: list[Role]) -> Role | None:
    """The highest of several roles (a person in several groups)."""
    return max(roles, key=ROLES.index) if roles else None


def require(
    store: HistoryStore, person: Person, need: Role, *, action: str, target: str, now: float
) -> None:
    """Return if `person` may do `action`; else audit the refusal (one line a minute for a
    burst) and raise NotAuthorized saying which role it needs."""
    if person.may(need):
        return
    reason = f"{action} needs the {need} role; {person.name} is {person.role}"
    with store.writing() as conn:
        record(conn, actor=person.name, action=action, target=target, outcome="refused",
               now=now, detail=reason, burst=True)  # fmt: skip
    raise NotAuthorized(reason)
