"""The store's own tables: samples and their series, hourly rollups, notes, and the meta
table. Other concerns define theirs on the same `metadata` (alerts, jobs, audit); the
migrations under `migrations/` create them all."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

meta_table = Table(
    "vigie_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# A series is a metric name plus its labels; samples refer to it by a small integer so a sample
# costs a few bytes more than its timestamp and value.
series_table = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("labels", Text, nullable=False, default=""),
    UniqueConstraint("name", "labels", name="uq_series_name_labels"),
)

samples_table = Table(
    "samples",
    metadata,
    Column("series_id", Integer, primary_key=True, autoincrement=False),
    Column("ts", BigInteger, primary_key=True, autoincrement=False),
    Column("value", Double, nullable=False),
    # 1 for backfilled demo data; NULL otherwise (costs SQLite one header byte, no body).
    Column("demo", SmallInteger, nullable=True),
    sqlite_with_rowid=False,
)

rollup_table = Table(
    "rollup_hourly",
    metadata,
    Column("series_id", Integer, primary_key=True, autoincrement=False),
    Column("hour", BigInteger, primary_key=True, autoincrement=False),
    Column("min", Double, nullable=False),
    Column("avg", Double, nullable=False),
    Column("max", Double, nullable=False),
    Column("count", Integer, nullable=False),
    # 1 when any sample of the hour was demo data: the mark survives the raw samples' retention.
    Column("demo", SmallInteger, nullable=True),
    sqlite_with_rowid=False,
)

notes_table = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", BigInteger, nullable=False),
    Column("collector", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_notes_ts", "ts"),
    Index("ix_notes_subject_ts", "subject", "ts"),
)
