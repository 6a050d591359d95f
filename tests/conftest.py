"""Shared fixtures: real PostgreSQL databases made per test run, real SQLite files, known rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.config import Settings
from monitor.store import HistoryStore
from tests.receivers import Webhook
from tests.reference_shop import ACCESS_LOG, fill_reference_shop

PG_ADMIN_URL = os.environ.get(
    "VIGIE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin URL of the machine's PostgreSQL; fails (never skips) when it is down."""
    engine = create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is required for these tests ({PG_ADMIN_URL}): {exc}")
    finally:
        engine.dispose()
    return PG_ADMIN_URL


@contextmanager
def make_database(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped on exit."""
    name = f"vigie_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with make_database(pg_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def reference_shop(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a shop database holding the known rows, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
    fill_reference_shop(url)
    return url


@pytest.fixture
def access_log(tmp_path: Path) -> Path:
    path = tmp_path / "access.log"
    path.write_text(ACCESS_LOG, encoding="utf-8")
    return path


@pytest.fixture
def settings_for(tmp_path: Path):
    """Build Settings for a source URL, a store in tmp_path and optional extra sections."""

    def build(source_url: str, **sections: object) -> Settings:
        raw: dict[str, object] = {
            "data_dir": str(tmp_path),
            "source": {"url": source_url},
            "store": {"url": f"sqlite:///{tmp_path / 'history.sqlite'}"},
        }
        for key, value in sections.items():
            if isinstance(value, dict) and isinstance(raw.get(key), dict):
                raw[key] = {**raw[key], **value}  # type: ignore[dict-item]
            else:
                raw[key] = value
        return Settings.model_validate(raw)

    return build


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HistoryStore]:
    """A new, empty history store: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
    history = HistoryStore(url)
    yield history
    history.close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()
