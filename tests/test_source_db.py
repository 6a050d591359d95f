"""The monitored database as production: read-only, timeouts, reused connections, recovery."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.collectors import business
from monitor.config import SourceConfig
from monitor.errors import SourceError, SourceUnavailable
from monitor.sources import Sources
from monitor.sources.database import SourceDatabase
from tests.reference_shop import EXPECTED, NOW, fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent


def test_it_interrupts_a_slow_query_on_postgresql(pg_database: str) -> None:
    db = SourceDatabase(pg_database, SourceConfig(statement_timeout_ms=200))
    start = time.monotonic()
    with db.connect() as conn, pytest.raises(SourceError, match="statement timeout"):
        db.query(conn, "SELECT pg_sleep(5)")
    assert time.monotonic() - start < 3
    db.close()


def test_it_interrupts_a_slow_query_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    create_engine(f"sqlite:///{path}").connect().close()
    db = SourceDatabase(f"sqlite:///{path}", SourceConfig(statement_timeout_ms=200))
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"
    )
    start = time.monotonic()
    with db.connect() as conn, pytest.raises(SourceError, match="interrupted"):
        db.query(conn, endless)
    assert time.monotonic() - start < 3
    with db.connect() as conn:  # the connection is usable again
        assert db.scalar(conn, "SELECT 41 + 1") == 42
    db.close()


def test_it_refuses_writes_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(url)
    db = SourceDatabase(url)
    with db.connect() as conn, pytest.raises(SourceError, match="readonly database"):
        db.query(conn, "DELETE FROM ___xtr_customer")
    db.close()


def test_it_never_creates_a_missing_sqlite_file(tmp_path: Path) -> None:
    db = SourceDatabase(f"sqlite:///{tmp_path / 'missing.sqlite'}")
    with pytest.raises(SourceUnavailable, match="unable to open"), db.connect():
        pass
    assert not (tmp_path / "missing.sqlite").exists()
    db.close()


def test_it_reuses_one_connection_across_queries(pg_database: str) -> None:
    db = SourceDatabase(pg_database)
    pids = set()
    for _ in range(3):
        with db.connect() as conn:
            pids.add(db.scalar(conn, "SELECT pg_backend_pid()"))
    assert len(pids) == 1
    db.close()


def test_it_recovers_by_itself_when_its_connections_are_killed(
    pg_database: str, settings_for
) -> None:
    fill_reference_shop(pg_database)
    sources = Sources.from_settings(settings_for(pg_database))
    assert not business.collect(sources, NOW).failures
    admin = create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a server restart does to pooled connections
        killed = conn.execute(
            text(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'vigie-collector'"
            )
        ).scalar()
    admin.dispose()
    assert killed is not None and killed >= 1
    again = business.collect(sources, NOW)
    assert not again.failures
    assert {s.name: s.value for s in again.samples}["business.orders24h"] == EXPECTED[
        "business.orders24h"
    ]
    sources.close()


def test_it_resumes_when_the_database_appears(pg_server: str, settings_for) -> None:
    name = f"vigie_late_{uuid.uuid4().hex[:10]}"
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    sources = Sources.from_settings(settings_for(url))
    assert len(business.collect(sources, NOW).failures) >= 5
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        fill_reference_shop(url)
        collected = business.collect(sources, NOW)
        assert not collected.failures
        assert {s.name: s.value for s in collected.samples}["business.totalUsers"] == 5
    finally:
        sources.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_readme_monitoring_role_is_enough_and_cannot_write(
    pg_database: str, settings_for
) -> None:
    fill_reference_shop(pg_database)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", readme, re.S)
    assert block is not None
    role = f"vigie_mon_{uuid.uuid4().hex[:8]}"
    database = pg_database.rsplit("/", 1)[1]
    script = (
        block.group(1)
        .replace("vigie_monitor", role)
        .replace("'…'", "'pw'")
        .replace("DATABASE shop", f'DATABASE "{database}"')
    )
    admin = create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in filter(str.strip, script.split(";")):
            conn.execute(text(statement))
    try:
        url = pg_database.replace("postgres@", f"{role}:pw@")
        sources = Sources.from_settings(settings_for(url))
        from monitor.collectors import database_health, seo

        for collect in (business.collect, seo.collect, database_health.collect):
            assert not collect(sources, NOW).failures, collect
        with sources.database.connect() as conn, pytest.raises(SourceError):
            sources.database.query(conn, "DELETE FROM ___xtr_order")
        sources.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
