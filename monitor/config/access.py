"""[auth] and [api]: who may sign in to the dashboard, how long a session lasts, how the
organisation's identity provider's claims map to Vigie's roles, and whether the API's reads
need a token."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from monitor.config.base import Section

Role = Literal["viewer", "ops", "admin"]


class OidcConfig(Section):
    """Sign-in through the organisation's identity provider (OpenID Connect, Streamlit's
    `st.login`). The provider itself is configured in .streamlit/secrets.toml under [auth], as
    Streamlit documents; this says which one and how its claims give a role."""

    # The provider's name under [auth.<name>] in secrets.toml; "" for a lone [auth] section.
    provider: str = Field("", max_length=60, pattern=r"^[A-Za-z0-9_-]*$")
    # The claim that holds the person's groups (a list or one string).
    role_claim: str = Field("groups", min_length=1, max_length=60)
    # A value of that claim mapped to a role; a person in several groups gets the highest.
    roles: dict[str, Role] = Field(default_factory=dict)
    # The role of someone signed in whose groups map to none; None turns them away.
    default_role: Role | None = None
    # The label of the dashboard's button ("Sign in with …").
    label: str = Field("your organisation's account", min_length=1, max_length=60)

    @field_validator("roles")
    @classmethod
    def _no_blank_group(cls, value: dict[str, Role]) -> dict[str, Role]:
        if any(not group.strip() for group in value):
            raise ValueError("a group mapped to a role cannot be blank")
        return value


class AuthConfig(Section):
    """Signing in to the dashboard."""

    # A signed-in session ends this long after its sign-in, however busy.
    session_hours: float = Field(12.0, gt=0, le=24 * 30)
    # A session left idle this long ends too.
    idle_minutes: float = Field(60.0, gt=0, le=24 * 60)
    oidc: OidcConfig = OidcConfig()


class ApiConfig(Section):
    """Who may read the JSON API."""

    # Reads need a personal token (`read` scope or above). None: yes as soon as any personal
    # token or local account exists (people sign in: the figures are not public any more),
    # no on a fresh install (the demo).
    require_token_for_reads: bool | None = None
