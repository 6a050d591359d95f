"""`python -m monitor users …` and `python -m monitor tokens …`: accounts and personal tokens
from the shell of a machine that holds the configuration (its user acts as an admin, named
"cli:<user>" in the audit). A password is asked for, never an argument; a token is printed
once, when it is made."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from monitor.access import ROLES, SCOPES, WHAT_ROLES_DO, Person, accounts, tokens
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.store import HistoryStore, store_failure


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    users = commands.add_parser("users", help="local accounts of the dashboard")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", parents=[common], help="a new account (asks its password)")
    add.add_argument("name")
    add.add_argument(
        "--role",
        choices=ROLES,
        default="viewer",
        help="; ".join(f"{role} {what}" for role, what in WHAT_ROLES_DO.items()),
    )
    users_sub.add_parser("list", parents=[common], help="every account with its role")
    users_sub.add_parser("remove", parents=[common], help="remove an account").add_argument("name")
    users_sub.add_parser("passwd", parents=[common], help="a new password").add_argument("name")
    role = users_sub.add_parser("role", parents=[common], help="another role for an account")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    made = commands.add_parser("tokens", help="personal API tokens")
    made_sub = made.add_subparsers(dest="tokens_command", required=True)
    create = made_sub.add_parser("create", parents=[common], help="a new token, printed once")
    create.add_argument("--name", required=True, help="what it is for, e.g. grafana")
    create.add_argument("--scope", choices=SCOPES, default="read")
    create.add_argument("--expires-days", type=int, default=None, help="default: never")
    made_sub.add_parser("list", parents=[common], help="every token, never the token itself")
    made_sub.add_parser("revoke", parents=[common], help="revoke a token").add_argument("name")


def run(
    settings: Settings, args: argparse.Namespace, *, ask: Callable[[str], str] | None = None
) -> int:
    """Run a users or tokens command."""
    me = Person(f"cli:{_login()}", "admin", via="cli")
    store = HistoryStore(settings.store_url, host=settings.host_name)
    now = time.time()
    try:
        if args.command == "users":
            return _users(store, me, args, ask or _ask_password, now)
        return _tokens(store, me, args, now)
    except SQLAlchemyError as exc:
        raise store_failure(settings.store_url, exc) from None
    finally:
        store.close()


def _users(
    store: HistoryStore, me: Person, args: argparse.Namespace, ask: Callable[[str], str],
    now: float,
) -> int:  # fmt: skip
    command = args.users_command
    if command == "list":
        found = accounts.listing(store)
        width = max((len(a.name) for a in found), default=0)
        for account in found:
            last = _iso(account.signed_in_at) if account.signed_in_at else "never"
            print(f"{account.name:<{width}}  {account.role:<6}  created {_iso(account.created_at)}"
                  f", last sign-in {last}")  # fmt: skip
        if not found:
            print("no account: the dashboard is open to anyone who reaches it")
        return 0
    if command == "remove":
        accounts.remove(store, me, args.name, now=now)
        print(f"removed {args.name}")
        return 0
    if command == "role":
        accounts.set_role(store, me, args.name, args.role, now=now)
        print(f"{args.name} is {args.role} from their next page")
        return 0
    password = ask(f"password for {args.name}: ")
    if command == "add":
        accounts.add(store, me, args.name, args.role, password, now=now)
        print(f"added {args.name} ({args.role}): the dashboard now asks everyone to sign in")
    else:
        accounts.set_password(store, me, args.name, password, now=now)
        print(f"new password for {args.name}: their sessions end at their next page")
    return 0


def _tokens(store: HistoryStore, me: Person, args: argparse.Namespace, now: float) -> int:
    command = args.tokens_command
    if command == "create":
        secret = tokens.create(store, me, args.name, args.scope,
                               expires_days=args.expires_days, now=now)  # fmt: skip
        print(secret)
        print(
            f"token {args.name} ({args.scope}) made: it is shown this once; send it as "
            "Authorization: Bearer <token>",
            file=sys.stderr,
        )
        return 0
    if command == "revoke":
        tokens.revoke(store, me, args.name, now=now)
        print(f"revoked {args.name}: its next call gets 401")
        return 0
    found = tokens.listing(store)
    width = max((len(t.name) for t in found), default=0)
    for token in found:
        expiry = _iso(token.expires_at) if token.expires_at else "never"
        state = " (expired)" if token.expired(now) else ""
        used = _iso(token.last_used_at) if token.last_used_at else "never"
        print(f"{token.name:<{width}}  {token.scope:<7}  created {_iso(token.created_at)} by "
              f"{token.created_by}, expires {expiry}{state}, last used {used}")  # fmt: skip
    if not found:
        print("no token")
    return 0


def _ask_password(prompt: str) -> str:
    """Asked twice on a terminal; one line read from a pipe for scripts."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("again: ") != first:
        raise ConfigError("the two passwords differ: nothing changed")
    return first


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")
