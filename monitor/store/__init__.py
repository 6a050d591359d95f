"""The history store: the engine, the transaction helpers, the migrations, and the samples.

Owns the tables of what was collected (series, samples, hourly rollups, notes) and `vigie_meta`;
every other concern defines its own tables on `metadata` (alerts in `monitor.alerts`, jobs in
`monitor.jobs`, the audit in `monitor.audit`) and writes them through `HistoryStore.writing()`.
Migrations (`migrations/`, Alembic) create and upgrade all of them at the daemon's start. May
import the errors, the redaction and the samples; nothing here knows another concern.
"""

from __future__ import annotations

from monitor.store.failures import CORRUPT, is_corrupt, sqlite_path, store_failure
from monitor.store.history import HOUR, HistoryStore, Latest, Point
from monitor.store.migrate import head
from monitor.store.schema import (
    meta_table,
    metadata,
    notes_table,
    rollup_table,
    samples_table,
    series_table,
)
from monitor.store.size import size_bytes
from monitor.store.typical import levels

SCHEMA_VERSION = int(head())

__all__ = [
    "CORRUPT",
    "HOUR",
    "SCHEMA_VERSION",
    "HistoryStore",
    "Latest",
    "Point",
    "is_corrupt",
    "levels",
    "meta_table",
    "metadata",
    "notes_table",
    "rollup_table",
    "samples_table",
    "series_table",
    "size_bytes",
    "sqlite_path",
    "store_failure",
]
