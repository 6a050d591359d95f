"""Store migrations (Alembic): a store made by the released schema upgrades with nothing lost,
and the migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

# Every concern that owns tables, so the metadata compared holds them all whatever ran before.
import monitor.access
import monitor.fleet
import monitor.notifications.tables
import monitor.reports.tables  # noqa: F401
from monitor.alerts import open_alerts
from monitor.audit import entries
from monitor.jobs import JobQueue
from monitor.store import SCHEMA_VERSION, HistoryStore, metadata

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "store_v3.sqlite"


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = ("samples", "rollup_hourly", "series", "notes", "jobs", "job_events", "alerts")
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_a_store_of_the_released_schema_upgrades_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    shutil.copy(FIXTURE, path)
    before = _counts(path)
    assert before["samples"] == 870  # what the fixture was made with
    store = HistoryStore(f"sqlite:///{path}")
    assert store.schema_version() == SCHEMA_VERSION
    assert _counts(path) == before
    latest = store.latest()
    assert latest["performance.cpuUsage"].value == 10 + 719 % 7
    assert latest["business.orders24h"].demo and latest["business.orders24h"].value == 199
    assert [a.rule for a in open_alerts(store)] == ["cpu_high"]
    assert [(e.outcome, e.times) for e in entries(store)] == [("refused", 2)]
    assert {j.state for j in JobQueue(store).recent()} == {"completed", "failed"}
    assert store.forget_demo()["samples"] == 870  # its demo mark came through
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (f"{SCHEMA_VERSION:04d}",)
        ]


def _declared(name: str | None, kind: str, _parents: object) -> bool:
    # The samples' monthly partitions are Vigie's to make as months come, not declared.
    return not (kind == "table" and name is not None and re.fullmatch(r"samples_\d{6}", name))


def _not_samples(_object: object, name: str | None, kind: str, *_: object) -> bool:
    # PostgreSQL's samples are blocks of an hour, declared in monitor/store/blocks.py (and
    # compared with it in tests/test_blocks.py), not the row a sample the metadata declares.
    return not (kind == "table" and name == "samples")


def _differences(url: str) -> list[object]:
    store = HistoryStore(url)
    opts: dict[str, object] = {"include_name": _declared}
    if not store.is_sqlite:
        opts["include_object"] = _not_samples
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=opts)
        found = compare_metadata(context, metadata)
    store.close()
    return list(found)


def test_the_migrations_build_the_declared_tables_on_sqlite(tmp_path: Path) -> None:
    assert _differences(f"sqlite:///{tmp_path / 'h.sqlite'}") == []


def test_the_migrations_build_the_declared_tables_on_postgresql(pg_database: str) -> None:
    assert _differences(pg_database) == []
