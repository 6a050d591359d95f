"""The ops gate: name and secret in the sidebar; ops-only buttons are disabled without them
(the domain functions check the secret again)."""

from __future__ import annotations

import streamlit as st

from dashboard.period import keep
from dashboard.shell import settings
from monitor.jobs.maintenance import authorized

OPS_NAME_KEY = "ops_name"
OPS_TOKEN_KEY = "ops_token"


def ops_login() -> None:
    """Name and ops secret, in the sidebar of every page (kept like the period)."""
    with st.sidebar.expander("Ops", icon=":material/lock:"):
        st.text_input(
            "Your name",
            value=st.session_state.get(OPS_NAME_KEY, ""),
            key=f"{OPS_NAME_KEY}_widget",
            max_chars=60,
            on_change=keep,
            args=(f"{OPS_NAME_KEY}_widget", OPS_NAME_KEY),
        )
        st.text_input(
            "Ops secret",
            value=st.session_state.get(OPS_TOKEN_KEY, ""),
            key=f"{OPS_TOKEN_KEY}_widget",
            type="password",
            on_change=keep,
            args=(f"{OPS_TOKEN_KEY}_widget", OPS_TOKEN_KEY),
        )
        if ops() is not None:
            st.success("Ops actions unlocked")
        elif not settings().ops.token:
            st.caption("No ops secret is set: add `ops_token` to .streamlit/secrets.toml.")


def ops() -> tuple[str, str] | None:
    """(actor, secret) when the person gave the right ops secret and their name, else None:
    ops-only buttons are disabled then. The domain functions check the secret again."""
    given = str(st.session_state.get(OPS_TOKEN_KEY) or "")
    name = str(st.session_state.get(OPS_NAME_KEY) or "").strip()
    if not name or not authorized(settings(), given):
        return None
    return f"dashboard:{name}", given
