"""Access (admins): personal API tokens (made here, shown once), and the local accounts."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import streamlit as st

import dashboard
from monitor.access import ROLES, SCOPES, WHAT_ROLES_DO, NotAuthorized, accounts, tokens
from monitor.errors import VigieError

dashboard.page("Access")
store = dashboard.store()
person = dashboard.access.person()
NEW_TOKEN_KEY = "access_new_token"
if not person.may("admin"):
    st.info(f"Tokens and accounts are for admins. {dashboard.access.refusal('admin')}")
    st.stop()


def _act(action: Callable[[], object]) -> None:
    """Run an admin action; its refusal or mistake is one line on the page."""
    try:
        action()
    except (NotAuthorized, VigieError) as exc:
        st.error(str(exc))
        return
    dashboard.access.forget_accounts_cache()
    st.rerun()


st.subheader("API tokens")
st.caption(
    "Sent as `Authorization: Bearer <token>`: read for every read, operate also for "
    "maintenance, acknowledgements and silences, admin for the rest. Only a hash is kept."
)
made = st.session_state.pop(NEW_TOKEN_KEY, None)
if made:
    st.success(f"Token {made[0]} made. Copy it now: it is not shown again.")
    st.code(made[1], language=None)
now = time.time()
rows = [
    {
        "name": t.name,
        "scope": t.scope,
        "createdAt": dashboard.iso_or_none(t.created_at),
        "createdBy": t.created_by,
        "expiresAt": dashboard.iso_or_none(t.expires_at) or "never",
        "lastUsedAt": dashboard.iso_or_none(t.last_used_at) or "never",
        "state": "expired" if t.expired(now) else "valid",
    }
    for t in tokens.listing(store)
]
if rows:
    dashboard.table(
        rows,
        ["name", "scope", "createdAt", "createdBy", "expiresAt", "lastUsedAt", "state"],
        name="tokens",
    )
with st.form("new-token"):
    name = st.text_input("Name (what it is for)", max_chars=60, placeholder="grafana")
    scope = st.selectbox("Scope", SCOPES)
    days = st.number_input("Expires after (days, 0: never)", min_value=0, max_value=3650)
    if st.form_submit_button("Make a token", type="primary"):
        try:
            secret = tokens.create(store, person, name.strip(), str(scope),
                                   expires_days=int(days) or None, now=time.time())  # fmt: skip
        except (NotAuthorized, VigieError) as exc:
            st.error(str(exc))
        else:
            st.session_state[NEW_TOKEN_KEY] = (name.strip(), secret)
            st.rerun()
if rows:
    revoked = st.selectbox("Token to revoke", [r["name"] for r in rows], index=None)
    if st.button("Revoke", disabled=revoked is None) and revoked is not None:
        _act(partial(tokens.revoke, store, person, revoked, now=time.time()))

st.subheader("Accounts")
st.caption(" · ".join(f"**{role}** {what}" for role, what in WHAT_ROLES_DO.items()))
people = accounts.listing(store)
dashboard.table(
    [
        {
            "name": a.name,
            "role": a.role,
            "createdAt": dashboard.iso_or_none(a.created_at),
            "lastSignIn": dashboard.iso_or_none(a.signed_in_at) or "never",
            "failures": a.failures,
        }
        for a in people
    ],
    ["name", "role", "createdAt", "lastSignIn", "failures"],
    name="accounts",
)
with st.form("new-account"):
    new_name = st.text_input("Name", max_chars=60)
    role = st.selectbox("Role", ROLES)
    password = st.text_input("Password", type="password", max_chars=200)
    if st.form_submit_button("Add the account"):
        _act(lambda: accounts.add(store, person, new_name.strip(), str(role), password,
                                  now=time.time()))  # fmt: skip
others = [a.name for a in people if a.name != person.name]  # an admin stays one
which, new_role = st.columns(2)
changed = which.selectbox("Account whose role changes", others, index=None)
role_now = new_role.selectbox("New role", ROLES, key="new-role")
if st.button("Change the role", disabled=changed is None) and changed is not None:
    _act(partial(accounts.set_role, store, person, changed, str(role_now), now=time.time()))
gone = st.selectbox("Account to remove", others, index=None)
if st.button("Remove", disabled=gone is None) and gone is not None:
    _act(partial(accounts.remove, store, person, gone, now=time.time()))
