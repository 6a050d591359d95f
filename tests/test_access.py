"""People and access in the domain: local accounts (Argon2, slowed-down guessing, sessions
that end with a new password), personal tokens (shown once, kept hashed, scoped, expiring,
revocable), roles checked by the domain functions themselves, and every refusal audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.access import (
    ANONYMOUS,
    NotAuthorized,
    Person,
    accounts,
    accounts_table,
    person_of,
    tokens,
    tokens_table,
)
from monitor.access.accounts import FIRST_WAIT_S, FREE_FAILURES, SignInRefused, wait_after
from monitor.audit import entries
from monitor.config import OidcConfig
from monitor.store import HistoryStore

T = 1_800_000_000.0
ADMIN = Person("cli:root", "admin", via="cli")
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path):
    opened = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    yield opened
    opened.close()


def test_a_local_account_signs_in_with_its_password_and_role(store: HistoryStore) -> None:
    accounts.add(store, ADMIN, "alice", "ops", PASSWORD, now=T)
    person = accounts.sign_in(store, "alice", PASSWORD, now=T + 1)
    assert person == Person("alice", "ops")
    [row] = store.engine.connect().execute(select(accounts_table)).mappings().all()
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in str(dict(row))
    assert [(e.actor, e.action, e.outcome) for e in entries(store)] == [
        ("alice", "sign in", "done"),
        ("cli:root", "account add", "done"),
    ]


def test_a_wrong_password_or_name_is_refused_alike_and_audited(store: HistoryStore) -> None:
    accounts.add(store, ADMIN, "alice", "viewer", PASSWORD, now=T)
    with pytest.raises(SignInRefused, match="wrong name or password"):
        accounts.sign_in(store, "alice", "not the password", now=T + 1)
    with pytest.raises(SignInRefused, match="wrong name or password"):
        accounts.sign_in(store, "mallory", PASSWORD, now=T + 2)
    with pytest.raises(SignInRefused, match="wrong name or password"):
        accounts.sign_in(store, PASSWORD, "x", now=T + 3)  # a password typed as the name
    with pytest.raises(SignInRefused, match="wrong name or password"):
        accounts.sign_in(store, "alice" + "e" * 60, PASSWORD, now=T + 4)  # too long for any
    lines = entries(store)[:2]
    assert [(e.actor, e.outcome, e.detail, e.times) for e in lines] == [
        ("unknown name", "failed", "no such account", 3),  # what was typed is not kept
        ("alice", "failed", "wrong password", 1),
    ]
    assert PASSWORD not in str([vars(e) for e in entries(store)])


def test_unknown_names_are_slowed_down_as_accounts_are(store: HistoryStore) -> None:
    accounts.add(store, ADMIN, "alice", "ops", PASSWORD, now=T)
    answers = []
    for name in ("alice", "nobody"):
        for attempt in range(FREE_FAILURES + 1):
            with pytest.raises(SignInRefused) as caught:
                accounts.sign_in(store, name, "guess", now=T + attempt)
            answers.append((name, str(caught.value)))
    # The same answers for a name that exists and one that does not: nothing to enumerate.
    assert [a for n, a in answers if n == "alice"] == [a for n, a in answers if n == "nobody"]
    assert answers[-1][1].startswith("too many failed sign-ins: try again in")


def test_repeated_failures_slow_the_next_tries_down(store: HistoryStore) -> None:
    accounts.add(store, ADMIN, "alice", "ops", PASSWORD, now=T)
    now = T
    for _ in range(FREE_FAILURES):
        now += 1
        with pytest.raises(SignInRefused, match="wrong name or password"):
            accounts.sign_in(store, "alice", "guess", now=now)
    # Even the right password waits now, unchecked, until the wait is over.
    with pytest.raises(SignInRefused, match=r"try again in 5 s") as caught:
        accounts.sign_in(store, "alice", PASSWORD, now=now)
    assert caught.value.wait_s == FIRST_WAIT_S
    with pytest.raises(SignInRefused, match="wrong name or password"):
        accounts.sign_in(store, "alice", "guess", now=now + FIRST_WAIT_S)
    with pytest.raises(SignInRefused, match=r"try again in 10 s"):  # the wait doubles
        accounts.sign_in(store, "alice", PASSWORD, now=now + FIRST_WAIT_S)
    assert wait_after(FREE_FAILURES + 20) == 900  # at most a quarter of an hour
    assert accounts.sign_in(store, "alice", PASSWORD, now=now + 3 * FIRST_WAIT_S).role == "ops"
    assert accounts.listing(store)[0].failures == 0  # a success forgets the failures
    throttled = [e for e in entries(store) if e.outcome == "throttled"]
    assert sum(e.times for e in throttled) == 2 and throttled[0].actor == "alice"


def test_a_session_ends_when_the_password_changes_or_the_account_goes(
    store: HistoryStore,
) -> None:
    accounts.add(store, ADMIN, "alice", "ops", PASSWORD, now=T)
    started = T + 10
    assert accounts.current(store, "alice", started) == Person("alice", "ops")
    accounts.set_password(store, ADMIN, "alice", "another long password", now=T + 20)
    assert accounts.current(store, "alice", started) is None
    assert accounts.current(store, "alice", T + 30) == Person("alice", "ops")
    accounts.remove(store, ADMIN, "alice", now=T + 40)
    assert accounts.current(store, "alice", T + 30) is None
    with pytest.raises(accounts.AccountError, match="no account named 'alice'"):
        accounts.remove(store, ADMIN, "alice", now=T + 50)


def test_accounts_refuse_weak_passwords_bad_names_and_roles(store: HistoryStore) -> None:
    with pytest.raises(accounts.AccountError, match="at least 10 characters"):
        accounts.add(store, ADMIN, "bob", "viewer", "short", now=T)
    with pytest.raises(accounts.AccountError, match="account name"):
        accounts.add(store, ADMIN, "bob smith", "viewer", PASSWORD, now=T)
    with pytest.raises(accounts.AccountError, match="unknown role 'root'"):
        accounts.add(store, ADMIN, "bob", "root", PASSWORD, now=T)
    accounts.add(store, ADMIN, "bob", "viewer", PASSWORD, now=T)
    with pytest.raises(accounts.AccountError, match="exists already"):
        accounts.add(store, ADMIN, "bob", "ops", PASSWORD, now=T)


@pytest.mark.parametrize("who", [Person("olga", "ops"), Person("vic", "viewer"), ANONYMOUS])
def test_only_admins_manage_accounts_and_tokens(store: HistoryStore, who: Person) -> None:
    for attempt in (
        lambda: accounts.add(store, who, "eve", "admin", PASSWORD, now=T),
        lambda: accounts.remove(store, who, "eve", now=T),
        lambda: tokens.create(store, who, "eve", "admin", expires_days=None, now=T),
        lambda: tokens.revoke(store, who, "eve", now=T),
    ):
        with pytest.raises(NotAuthorized, match="needs the admin role"):
            attempt()
    assert not accounts.any_account(store) and not tokens.any_token(store)
    refused = entries(store)
    assert {e.actor for e in refused} == {who.name}
    assert {e.action for e in refused} == {
        "account add", "account remove", "token create", "token revoke"
    }  # fmt: skip


def test_a_person_may_change_their_own_password_only(store: HistoryStore) -> None:
    accounts.add(store, ADMIN, "vic", "viewer", PASSWORD, now=T)
    accounts.add(store, ADMIN, "ana", "viewer", PASSWORD, now=T)
    accounts.set_password(store, Person("vic", "viewer"), "vic", "a new long password", now=T)
    with pytest.raises(NotAuthorized):
        accounts.set_password(store, Person("vic", "viewer"), "ana", "a new long password", now=T)


def test_a_token_is_shown_once_kept_hashed_and_acts_with_its_scope(store: HistoryStore) -> None:
    secret = tokens.create(store, ADMIN, "grafana", "read", expires_days=30, now=T)
    assert secret.startswith("vigie_") and len(secret) > 40
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(tokens_table)).mappings()]
    assert secret not in str(rows) and rows[0]["token_hash"] == tokens.digest(secret)
    assert tokens.bearer_of(store, secret, now=T + 1) == Person("token:grafana", "viewer", "token")
    [listed] = tokens.listing(store)
    assert (listed.scope, listed.created_by, listed.last_used_at) == ("read", "cli:root", T + 1)
    assert tokens.bearer_of(store, secret + "x", now=T) is None
    assert tokens.bearer_of(store, "guess", now=T) is None
    assert tokens.bearer_of(store, secret, now=T + 30 * 86400) is None  # expired
    assert tokens.listing(store)[0].expired(T + 30 * 86400)
    tokens.revoke(store, ADMIN, "grafana", now=T + 2)
    assert tokens.bearer_of(store, secret, now=T + 3) is None
    assert secret not in str([vars(e) for e in entries(store)])


def test_last_use_is_written_at_most_once_a_minute(store: HistoryStore) -> None:
    secret = tokens.create(store, ADMIN, "scraper", "read", expires_days=None, now=T)
    for second in range(0, 59, 5):
        tokens.bearer_of(store, secret, now=T + second)
    assert tokens.listing(store)[0].last_used_at == T
    tokens.bearer_of(store, secret, now=T + 61)
    assert tokens.listing(store)[0].last_used_at == T + 61


def test_token_requests_are_checked(store: HistoryStore) -> None:
    with pytest.raises(tokens.TokenError, match="unknown scope 'root'"):
        tokens.create(store, ADMIN, "x", "root", expires_days=None, now=T)
    with pytest.raises(tokens.TokenError, match="token name"):
        tokens.create(store, ADMIN, "../x", "read", expires_days=None, now=T)
    with pytest.raises(tokens.TokenError, match="expires-days"):
        tokens.create(store, ADMIN, "x", "read", expires_days=0, now=T)
    tokens.create(store, ADMIN, "x", "read", expires_days=None, now=T)
    with pytest.raises(tokens.TokenError, match="exists already"):
        tokens.create(store, ADMIN, "x", "admin", expires_days=None, now=T)


def test_an_identity_providers_groups_give_the_highest_mapped_role() -> None:
    config = OidcConfig(roles={"shop-ops": "ops", "it-admins": "admin", "staff": "viewer"})
    claims = {"sub": "42", "email": "ana@example.com", "groups": ["staff", "shop-ops"]}
    assert person_of(claims, config) == Person("ana@example.com", "ops", "identity provider")
    assert person_of({**claims, "groups": "it-admins"}, config).role == "admin"  # type: ignore[union-attr]
    assert person_of({"sub": "7", "groups": ["guests"]}, config) is None
    assert person_of({"sub": "7"}, config.model_copy(update={"default_role": "viewer"})) == (
        Person("7", "viewer", "identity provider")
    )
    other = OidcConfig(role_claim="roles", roles={"vigie-admin": "admin"})
    assert person_of({"preferred_username": "bo", "roles": ["vigie-admin"]}, other) == (
        Person("bo", "admin", "identity provider")
    )


def test_tries_at_the_same_time_get_one_guess_between_them(store: HistoryStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    accounts.add(store, ADMIN, "alice", "ops", PASSWORD, now=T)
    for _ in range(FREE_FAILURES):  # the free tries are spent: the next one waits 5 s
        with pytest.raises(SignInRefused):
            accounts.sign_in(store, "alice", "guess", now=T)
    later = T + FIRST_WAIT_S  # the wait is over: one more guess, whatever the sessions

    def guess(n: int) -> str:
        try:
            accounts.sign_in(store, "alice", f"guess {n}", now=later)
        except SignInRefused as refused:
            return str(refused)
        return "signed in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(8)))
    # One guess was checked; the others waited for it, whoever came first.
    assert answers.count("wrong name or password") == 1, answers
    assert all(a.startswith("too many failed sign-ins") for a in answers if "wrong" not in a)
    assert accounts.listing(store)[0].failures == FREE_FAILURES + 1
    assert accounts.sign_in(store, "alice", PASSWORD, now=later + 600).role == "ops"
