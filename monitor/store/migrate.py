"""Store migrations with Alembic, run by the daemon at start-up on SQLite and PostgreSQL.

The revisions under `migrations/versions` are numbered like the schema versions that came
before Alembic ("0001" is version 1), so a store from a release that kept its version in
`vigie_meta` is stamped at that revision and upgraded from there. The version is still written
to `vigie_meta` as well, so an older Vigie refuses a store it does not know.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, insert, select, update

from monitor.store.schema import meta_table

SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    return config


@cache
def _scripts() -> ScriptDirectory:
    # Read once per process: the revisions are files of this package, fixed while it runs.
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this Vigie knows."""
    found = _scripts().get_current_head()
    assert found is not None
    return found


def knows(revision: str) -> bool:
    """Whether `revision` is one of this Vigie's (a newer Vigie's is not)."""
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def current(conn: Connection) -> str | None:
    """The store's revision: Alembic's, else the version a release before it wrote; None for an
    empty database."""
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is not None:
        return revision
    if not conn.dialect.has_table(conn, "vigie_meta"):
        return None
    legacy = conn.scalar(select(meta_table.c.value).where(meta_table.c.key == "schema_version"))
    return f"{int(legacy):04d}" if legacy is not None else None


def stamped(conn: Connection) -> bool:
    """Whether Alembic keeps the store's revision (a release before it did not)."""
    return MigrationContext.configure(conn).get_current_revision() is not None


def upgrade(conn: Connection) -> None:
    """Bring the store on `conn` (inside the caller's transaction) to the newest revision."""
    config = _config(conn)
    found = current(conn)
    if found is not None and not stamped(conn):
        command.stamp(config, found)  # a store from before Alembic: its version is its revision
    command.upgrade(config, "head")
    newest = str(int(head()))
    if (
        conn.execute(
            update(meta_table).where(meta_table.c.key == "schema_version").values(value=newest)
        ).rowcount
        == 0
    ):
        conn.execute(insert(meta_table).values(key="schema_version", value=newest))
