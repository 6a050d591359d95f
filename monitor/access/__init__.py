"""People and access: local accounts, personal API tokens, roles, and the person signed in
through the organisation's identity provider. Owns the `accounts` and `api_tokens` tables.
Every ops or admin domain function takes a Person and checks the role itself (`require`).
May import the store, the audit and the configuration."""

from __future__ import annotations

from monitor.access import accounts, tokens
from monitor.access.oidc import person_of
from monitor.access.people import (
    ANONYMOUS,
    ROLE_OF_SCOPE,
    ROLES,
    SCOPES,
    WHAT_ROLES_DO,
    NotAuthorized,
    Person,
    Scope,
    require,
)
from monitor.access.tables import accounts_table, tokens_table

__all__ = [
    "ANONYMOUS",
    "ROLES",
    "ROLE_OF_SCOPE",
    "SCOPES",
    "WHAT_ROLES_DO",
    "NotAuthorized",
    "Person",
    "Scope",
    "accounts",
    "accounts_table",
    "person_of",
    "require",
    "tokens",
    "tokens_table",
]
