"""The demo command never writes into a database Vigie did not make, however it is pointed there."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.demo.shop import DemoWriteError, NotOurDatabase, create_shop, is_demo_shop
from tests.reference_shop import fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("___xtr_customer", "___xtr_order", "___xtr_order_line", "__sitemap_p_link", "__seo_page")


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.scalar(sa.text(f"SELECT COUNT(*) FROM {t}")) or 0) for t in TABLES}
    finally:
        engine.dispose()


def _demo_create(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "create", "--scale", "0.001", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MONITOR_CONFIG": "", "MONITOR_SOURCE_DB": "", **env},
    )


@pytest.fixture
def real_shop(pg_database: str) -> str:
    """A shop Vigie did not make: the shop's own tables and rows, no demo marker."""
    fill_reference_shop(pg_database)
    return pg_database


@pytest.mark.parametrize("pointed_by", ["--url", "--config", "MONITOR_SOURCE_DB"])
def test_it_refuses_to_replace_a_shop_it_did_not_make(
    real_shop: str, pointed_by: str, tmp_path: Path
) -> None:
    before = _counts(real_shop)
    if pointed_by == "--url":
        done = _demo_create("--replace", "--url", real_shop)
    elif pointed_by == "--config":
        config = tmp_path / "vigie.toml"
        config.write_text(f'[source]\nurl = "{real_shop}"\n', encoding="utf-8")
        done = _demo_create("--replace", "--config", str(config))
    else:
        done = _demo_create("--replace", MONITOR_SOURCE_DB=real_shop)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "did not create" in done.stderr
    # No way around it is offered: no flag, no setting.
    assert "--replace" not in done.stderr and "replace=True" not in done.stderr
    assert _counts(real_shop) == before
    assert before["___xtr_customer"] > 0


def test_it_refuses_empty_shop_tables_it_did_not_make(pg_database: str) -> None:
    engine = sa.create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE ___xtr_customer (cst_id integer primary key)"))
    engine.dispose()
    with pytest.raises(NotOurDatabase, match="___xtr_customer"):
        create_shop(pg_database, scale=0.001, progress=False, replace=True)
    assert not is_demo_shop(pg_database)


def test_it_refuses_a_database_holding_any_other_table(pg_database: str) -> None:
    engine = sa.create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA billing"))
        conn.execute(sa.text("CREATE TABLE billing.invoices (id integer)"))
    engine.dispose()
    with pytest.raises(NotOurDatabase, match=r"billing\.invoices"):
        create_shop(pg_database, scale=0.001, progress=False)


def test_it_replaces_a_demo_it_made(pg_database: str) -> None:
    create_shop(pg_database, scale=0.002, progress=False)
    summary = create_shop(pg_database, scale=0.001, progress=False, replace=True)
    assert _counts(pg_database)["___xtr_customer"] == summary.customers
    assert is_demo_shop(pg_database)


@pytest.fixture
def unprivileged_url(pg_database: str, pg_server: str) -> Iterator[str]:
    """A login role that may connect to the fresh database but create nothing in it."""
    role = f"vigie_nobody_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    database = pg_database.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
    owner = sa.create_engine(pg_database, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(sa.text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    owner.dispose()
    try:
        yield f"postgresql+psycopg://{role}@127.0.0.1:5432/{database}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"
                ),
                {"r": role},
            )
        # The database is dropped after this fixture; the role goes once nothing is left of it.
        admin.dispose()
        _drop_role_later.append((pg_server, role))


_drop_role_later: list[tuple[str, str]] = []


@pytest.fixture(autouse=True, scope="module")
def _drop_roles() -> Iterator[None]:
    yield
    for server, role in _drop_role_later:
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_it_says_in_one_line_when_it_may_not_write(unprivileged_url: str) -> None:
    with pytest.raises(DemoWriteError, match="permission denied"):
        create_shop(unprivileged_url, scale=0.001, progress=False)
    done = _demo_create("--url", unprivileged_url)
    assert done.returncode == 2, done
    # Above the one line: only the progress bar, which had started.
    said = [x for x in done.stderr.splitlines() if x.strip() and not x.startswith("demo shop:")]
    assert said == [said[-1]] and "Traceback" not in done.stderr
    assert "cannot write the demo shop" in said[-1] and "permission denied" in said[-1]
