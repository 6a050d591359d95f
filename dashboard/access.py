"""Who is at the dashboard. With no account and no identity provider (the demo) it is open:
anyone who reaches it reads it, and the ops secret unlocks ops actions. Once an account or a
provider exists every page but the sign-in needs a signed-in person, whose role decides what
they may do (the domain functions check the role again and audit refusals)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import streamlit as st

from dashboard.data import store
from dashboard.period import keep
from dashboard.shell import every, settings
from monitor.access import ANONYMOUS, WHAT_ROLES_DO, Person, accounts, person_of
from monitor.config import Role
from monitor.errors import first_line
from monitor.jobs.maintenance import authorized

SESSION_KEY = "vigie_session"
CHECKED_KEY = "vigie_session_checked"  # when the store last confirmed the session's account
ACCOUNT_CHECK_S = 1.0
OIDC_STARTED_KEY = "vigie_oidc_started"
OIDC_SEEN_KEY = "vigie_oidc_seen"
OIDC_AUDITED_KEY = "vigie_oidc_audited"
Body = TypeVar("Body", bound=Callable[..., Any])
# Set while a live part refreshes itself (not a person's action: no activity).
_IN_LIVE: ContextVar[bool] = ContextVar("vigie_in_live", default=False)
ENDED_KEY = "vigie_session_ended"
OPS_TOKEN_KEY = "ops_token"
OPS_SECRET = "ops secret"  # the audit's name for whoever gave the ops secret (open access)
OPEN_LINE = (
    "Open access: anyone who can reach this dashboard can read it. "
    "`python -m monitor users add NAME --role admin` makes everyone sign in."
)
ACCOUNTS_TTL_S = 5.0  # whether accounts exist is asked of the store at most this often


@dataclass(frozen=True)
class Session:
    name: str
    role: Role
    via: str  # "account" or "identity provider"
    started: float
    seen: float


def provider_configured() -> bool:
    """Whether .streamlit/secrets.toml configures Streamlit's OpenID Connect sign-in. A
    secrets file that cannot be read stops the page: it may hold a provider, and guessing
    "none" would open the dashboard to anyone."""
    try:
        return "auth" in st.secrets
    except Exception as exc:
        if "pars" not in str(exc).lower():  # no secrets file at all: no provider
            return False
        st.error(
            f"The dashboard's secrets file cannot be read ({first_line(exc)}): fix "
            ".streamlit/secrets.toml; until then nobody can sign in."
        )
        st.stop()
        raise


def _any_account() -> bool:
    return _accounts_exist(settings().store_url)


@st.cache_data(show_spinner=False, ttl=ACCOUNTS_TTL_S)
def _accounts_exist(url: str) -> bool:  # the store's URL: the cache's key
    return accounts.any_account(store())


def closed() -> bool:
    """Whether every page needs a signed-in person."""
    return provider_configured() or _any_account()


def forget_accounts_cache() -> None:
    _accounts_exist.clear()


def person() -> Person:
    """Who is acting now: the signed-in person; in open access, ops for whoever gave the ops
    secret, else an anonymous viewer."""
    if closed():
        return signed_in() or ANONYMOUS
    given = str(st.session_state.get(OPS_TOKEN_KEY) or "")
    if authorized(settings(), given):
        return Person(OPS_SECRET, "ops", via="ops secret")
    return ANONYMOUS


def may(role: Role) -> bool:
    return person().may(role)


def signed_in() -> Person | None:
    """The signed-in person, or None: never signed in, session over (too long, idle, account
    removed, password changed), or a provider's account whose groups map to no role. A live
    part's own refresh checks the session but is not activity: it does not keep it alive."""
    now = time.time()
    if _provider_signed_in():
        return _provider_person(now)
    session: Session | None = st.session_state.get(SESSION_KEY)
    if session is None:
        return None
    why = _over(session.started, session.seen, now)
    current = None if why else _account_now(session)
    if current is None:
        _end(why or "Your session ended: your account was removed or its password changed.")
        return None
    seen = session.seen if _IN_LIVE.get() else now
    st.session_state[SESSION_KEY] = Session(
        current.name, current.role, session.via, session.started, seen
    )
    return current


def _account_now(session: Session) -> Person | None:
    """The session's account as the store has it, asked at most once a second: a page run
    asks several times (the gate, the navigation, the sidebar, the page), and a removed
    account or a new password still ends the session within that second."""
    checked = st.session_state.get(CHECKED_KEY)
    if checked is not None and time.monotonic() - checked < ACCOUNT_CHECK_S:
        return Person(session.name, session.role)
    current = accounts.current(store(), session.name, session.started)
    st.session_state[CHECKED_KEY] = time.monotonic()
    return current


def _provider_person(now: float) -> Person | None:
    """The person the provider signed in; their session counts from when the provider
    authenticated them (the ID token's auth_time or iat), however often the page reloads."""
    claims = st.user.to_dict()
    found = person_of(claims, settings().auth.oidc)
    if found is None:
        return None
    stamp = claims.get("auth_time") or claims.get("iat")
    started = float(stamp) if isinstance(stamp, int | float) else None
    started = started or float(st.session_state.setdefault(OIDC_STARTED_KEY, now))
    seen = float(st.session_state.setdefault(OIDC_SEEN_KEY, now))
    why = _over(started, seen, now)
    if why:
        st.logout()  # to the provider's sign-out, then back to the sign-in
        st.stop()
    if not _IN_LIVE.get():
        st.session_state[OIDC_SEEN_KEY] = now
    if not st.session_state.get(OIDC_AUDITED_KEY):
        st.session_state[OIDC_AUDITED_KEY] = True
        accounts.audit_sign_in(store(), found, now=now)
    return found


def _over(started: float, seen: float, now: float) -> str | None:
    """Why a session that began at `started`, last active at `seen`, is over; None if not."""
    auth = settings().auth
    if now - started > auth.session_hours * 3600:
        return f"Your session ended after {auth.session_hours:g} h: sign in again."
    if now - seen > auth.idle_minutes * 60:
        return f"Your session ended after {auth.idle_minutes:g} minutes idle: sign in again."
    return None


def live(seconds: float, *, pausable: bool = True) -> Callable[[Body], Body]:
    """`st.fragment(run_every=…)` for a live part of a page, which first checks that its
    reader's session still holds: a tab left open does not go on showing the shop's figures
    to someone whose session ended (or whose account went)."""

    def wrap(body: Body) -> Body:
        @functools.wraps(body)
        def checked(*args: Any, **kwargs: Any) -> Any:
            marker = _IN_LIVE.set(True)
            try:
                if closed() and signed_in() is None:
                    st.rerun(scope="app")  # the whole app: to the sign-in
                return body(*args, **kwargs)
            finally:
                _IN_LIVE.reset(marker)

        return cast(Body, st.fragment(run_every=every(seconds) if pausable else seconds)(checked))

    return wrap


def _provider_signed_in() -> bool:
    try:
        return provider_configured() and bool(st.user.is_logged_in)
    except Exception:  # st.user without a provider configured
        return False


def _end(message: str) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(CHECKED_KEY, None)
    st.session_state[ENDED_KEY] = message


def sign_in_page() -> None:
    """The one page a person who is not signed in sees."""
    st.title("Sign in to Vigie")
    ended = st.session_state.pop(ENDED_KEY, None)
    if ended:
        st.info(ended)
    oidc = settings().auth.oidc
    if _provider_signed_in():  # signed in at the provider, but no Vigie role
        st.warning(
            f"You are signed in as {st.user.get('email') or st.user.get('name') or 'someone'}, "
            f"but none of your groups ({oidc.role_claim}) has a role in Vigie: ask an admin to "
            "map one in [auth.oidc.roles]."
        )
        if st.button("Sign out"):
            st.logout()
        return
    if provider_configured() and st.button(
        f"Sign in with {oidc.label}", type="primary", key="oidc-sign-in"
    ):
        st.login(oidc.provider or None)
    if _any_account():
        with st.form("sign-in"):
            name = st.text_input("Name", max_chars=60)
            password = st.text_input("Password", type="password", max_chars=200)
            sent = st.form_submit_button("Sign in", type="primary")
        if sent:
            _sign_in(name.strip(), password)


def _sign_in(name: str, password: str) -> None:
    now = time.time()
    try:
        found = accounts.sign_in(store(), name, password, now=now)
    except accounts.SignInRefused as exc:
        st.error(str(exc))
        return
    st.session_state[SESSION_KEY] = Session(found.name, found.role, "account", now, now)
    st.rerun()


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if _provider_signed_in():
        st.logout()  # the browser goes to the provider's sign-out, then back to the sign-in
        st.stop()  # nothing more of this run: a rerun's own navigation would race the redirect
    st.rerun()


def sidebar() -> None:
    """Who is signed in and the way out; in open access, the ops secret."""
    if closed():
        found = signed_in()
        if found is None:
            return
        with st.sidebar.container(border=True):
            # As text: a name from a provider is not markdown (nor a link, if it is an email).
            st.text(f"{found.name} · {found.role}")
            what = WHAT_ROLES_DO[found.role]
            st.caption(what[0].upper() + what[1:])
            if st.button("Sign out", key="sign-out", use_container_width=True):
                sign_out()
        if found.via == "dashboard":
            _password_form(found)
        return
    st.sidebar.caption(OPEN_LINE)
    with st.sidebar.expander("Ops", icon=":material/lock:"):
        st.text_input(
            "Ops secret",
            value=st.session_state.get(OPS_TOKEN_KEY, ""),
            key=f"{OPS_TOKEN_KEY}_widget",
            type="password",
            on_change=keep,
            args=(f"{OPS_TOKEN_KEY}_widget", OPS_TOKEN_KEY),
        )
        if person().may("ops"):
            st.success("Ops actions unlocked")
        elif not settings().ops.token:
            st.caption("No ops secret is set: add `ops_token` to .streamlit/secrets.toml.")


def _password_form(person: Person) -> None:
    """A local account's own new password, given the current one (checked as a sign-in is:
    slowed down, audited), so a borrowed session cannot change it."""
    expander = st.sidebar.expander("Change your password")
    with expander, st.form("own-password", border=False, clear_on_submit=True):
        current = st.text_input("Current password", type="password", max_chars=200)
        new = st.text_input("New password", type="password", max_chars=200)
        again = st.text_input("New password again", type="password", max_chars=200)
        if not st.form_submit_button("Change"):
            return
        if new != again:
            st.error("The two new passwords differ: nothing changed.")
            return
        now = time.time()
        try:
            accounts.sign_in(store(), person.name, current, now=now)
            accounts.set_password(store(), person, person.name, new, now=now)
        except (accounts.SignInRefused, accounts.AccountError) as exc:
            st.error(str(exc))
            return
        # This session goes on; the account's others end (they began before the change).
        st.session_state[SESSION_KEY] = Session(person.name, person.role, "account", now, now)
        st.success("Password changed: your other sessions have ended.")


def refusal(need: Role) -> str:
    """Why a button is disabled, in the reader's words."""
    if closed():
        return f"For {need} and above: you are signed in as a {person().role}."
    if need == "ops":
        return "For ops: give the ops secret in the sidebar (Ops)."
    return f"For {need}s: add an account (`python -m monitor users add NAME --role {need}`)."
