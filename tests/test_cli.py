"""`python -m monitor`: what a person types, and the one-line answers to their mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.reference_shop import fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent


def _monitor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MONITOR_CONFIG": "", **env},
    )


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    return done.stderr


def test_it_says_to_start_the_daemon_when_there_is_no_store(tmp_path: Path) -> None:
    done = _monitor("latest", "--json", MONITOR_STORE=f"sqlite:///{tmp_path / 'h.sqlite'}")
    assert "start the collector daemon" in _one_line_error(done)
    assert not (tmp_path / "h.sqlite").exists()


def test_it_refuses_to_create_a_demo_over_a_shop_it_did_not_make(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(url)
    error = _one_line_error(_monitor("demo", "create", "--url", url, "--scale", "0.01"))
    assert "did not create" in error and "--replace" not in error


def test_it_asks_for_replace_over_a_demo_it_made(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    assert _monitor("demo", "create", "--url", url, "--scale", "0.001").returncode == 0
    error = _one_line_error(_monitor("demo", "create", "--url", url, "--scale", "0.001"))
    assert "already exists" in error and "--replace" in error


def test_it_creates_the_demo_shop_in_postgresql(pg_database: str) -> None:
    done = _monitor("demo", "create", "--url", pg_database, "--scale", "0.005")
    assert done.returncode == 0, done.stderr
    assert "demo shop created" in done.stdout


def test_it_explains_an_unreachable_database_without_its_password() -> None:
    done = _monitor("demo", "create", "--url", "postgresql://vigie:pw-123@127.0.0.1:1/shop")
    error = _one_line_error(done)
    assert "cannot create the demo shop" in error
    assert "pw-123" not in error


def test_it_takes_config_after_the_command(tmp_path: Path) -> None:
    config = tmp_path / "vigie.toml"
    config.write_text('[store]\nurl = "nope"\n')
    assert "store.url = 'nope'" in _one_line_error(
        _monitor("check-config", "--config", str(config))
    )
