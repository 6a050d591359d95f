"""`python -m monitor users …` and `tokens …` as a person types them: the password asked on the
terminal (twice, not echoed), never taken as an argument; a token printed once; one-line
answers to mistakes."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from monitor.access import accounts, tokens
from monitor.store import HistoryStore
from tests.test_cli import ROOT, _monitor, _one_line_error

PASSWORD = "a long enough password"


def _env(tmp_path: Path) -> dict[str, str]:
    return {"MONITOR_STORE": f"sqlite:///{tmp_path / 'h.sqlite'}"}


def _piped(tmp_path: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], cwd=ROOT, capture_output=True, text=True,
        input=stdin, timeout=120, env={**os.environ, "MONITOR_CONFIG": "", **_env(tmp_path)},
    )  # fmt: skip


def _on_a_terminal(
    tmp_path: Path, args: list[str], answers: list[tuple[str, str]]
) -> tuple[int, str]:
    """Run the command with a terminal of its own (pty.fork: its controlling terminal, as a
    person's shell gives), answering each (prompt, answer) once the prompt shows: getpass
    flushes what was typed before it asks."""
    env = {**os.environ, "MONITOR_CONFIG": "", **_env(tmp_path)}
    pid, master = pty.fork()
    if pid == 0:  # the child: becomes the command
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "monitor", *args], env)
    seen, pending, asked = b"", list(answers), 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the command ended and closed its terminal
            break
        if not chunk:
            break
        seen += chunk
        if pending and (at := seen.find(pending[0][0].encode(), asked)) >= 0:
            asked = at + len(pending[0][0])
            os.write(master, (pending.pop(0)[1] + "\n").encode())
    os.close(master)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_a_password_is_asked_twice_on_the_terminal_and_never_echoed(tmp_path: Path) -> None:
    code, shown = _on_a_terminal(
        tmp_path,
        ["users", "add", "alice", "--role", "ops"],
        [("password for alice: ", PASSWORD), ("again: ", PASSWORD)],
    )
    assert code == 0, shown
    assert "password for alice:" in shown and "again:" in shown
    assert PASSWORD not in shown
    store = HistoryStore(_env(tmp_path)["MONITOR_STORE"])
    assert accounts.sign_in(store, "alice", PASSWORD, now=time.time()).role == "ops"
    store.close()


def test_two_different_passwords_change_nothing(tmp_path: Path) -> None:
    code, shown = _on_a_terminal(
        tmp_path,
        ["users", "add", "alice"],
        [("password for alice: ", PASSWORD), ("again: ", PASSWORD + "?")],
    )
    assert code == 2 and "the two passwords differ: nothing changed" in shown
    store = HistoryStore(_env(tmp_path)["MONITOR_STORE"])
    assert not accounts.any_account(store)
    store.close()


def test_a_password_is_never_an_argument(tmp_path: Path) -> None:
    done = _monitor("users", "add", "alice", "--password", PASSWORD, **_env(tmp_path))
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


def test_users_add_list_passwd_remove(tmp_path: Path) -> None:
    assert (
        _piped(
            tmp_path, "users", "add", "bob", "--role", "viewer", stdin=PASSWORD + "\n"
        ).returncode
        == 0
    )
    listed = _monitor("users", "list", **_env(tmp_path))
    assert listed.returncode == 0 and listed.stdout.startswith("bob  viewer")
    assert PASSWORD not in listed.stdout + listed.stderr
    assert (
        _piped(tmp_path, "users", "passwd", "bob", stdin="another long password\n").returncode == 0
    )
    store = HistoryStore(_env(tmp_path)["MONITOR_STORE"])
    assert accounts.sign_in(store, "bob", "another long password", now=time.time())
    store.close()
    assert "bob is ops" in _monitor("users", "role", "bob", "ops", **_env(tmp_path)).stdout
    assert _monitor("users", "list", **_env(tmp_path)).stdout.startswith("bob  ops")
    assert "removed bob" in _monitor("users", "remove", "bob", **_env(tmp_path)).stdout
    error = _one_line_error(_monitor("users", "remove", "bob", **_env(tmp_path)))
    assert "no account named 'bob'" in error
    short = _one_line_error(_piped(tmp_path, "users", "add", "eve", stdin="short\n"))
    assert "at least 10 characters" in short


def test_a_token_is_printed_once_and_listed_without_it(tmp_path: Path) -> None:
    made = _monitor("tokens", "create", "--name", "grafana", "--scope", "read",
                    "--expires-days", "30", **_env(tmp_path))  # fmt: skip
    assert made.returncode == 0
    token = made.stdout.strip()
    assert token.startswith("vigie_") and "shown this once" in made.stderr
    listed = _monitor("tokens", "list", **_env(tmp_path))
    assert "grafana  read" in listed.stdout and "expires 20" in listed.stdout
    assert token not in listed.stdout and "last used never" in listed.stdout
    store = HistoryStore(_env(tmp_path)["MONITOR_STORE"])
    assert tokens.bearer_of(store, token, now=time.time()) is not None
    assert _monitor("tokens", "revoke", "grafana", **_env(tmp_path)).returncode == 0
    assert tokens.bearer_of(store, token, now=time.time()) is None
    store.close()
    error = _one_line_error(_monitor("tokens", "revoke", "grafana", **_env(tmp_path)))
    assert "no token named 'grafana'" in error
    wrong = _monitor("tokens", "create", "--name", "x", "--scope", "root", **_env(tmp_path))
    assert wrong.returncode == 2 and "invalid choice: 'root'" in wrong.stderr
