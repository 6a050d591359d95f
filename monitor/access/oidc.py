"""A person signed in through the organisation's identity provider: their name for the audit
and their role, from the claims the provider gave, mapped in [auth.oidc]."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.access.people import Person, highest
from monitor.config import OidcConfig, Role

NAME_CLAIMS = ("email", "preferred_username", "name", "sub")


def person_of(claims: Mapping[str, Any], config: OidcConfig) -> Person | None:
    """The person the claims describe, or None when none of their groups has a role and
    there is no default role."""
    values = claims.get(config.role_claim)
    # One group or several; anything else (a number, an object) names no group.
    groups = [values] if isinstance(values, str) else values if isinstance(values, list) else []
    roles: list[Role] = [
        config.roles[g] for g in groups if isinstance(g, str) and g in config.roles
    ]
    role = highest(roles) or config.default_role
    if role is None:
        return None
    name = next((str(claims[k]) for k in NAME_CLAIMS if claims.get(k)), "unknown")
    return Person(name[:100], role, via="identity provider")
