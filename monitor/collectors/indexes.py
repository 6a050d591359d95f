"""PostgreSQL index advice for a critical table: indexes no query has used since the
statistics were reset, and indexes that duplicate another. Advice only, with the statement to
review: Vigie never changes the shop's database."""

from __future__ import annotations

from sqlalchemy import Connection

from monitor.metrics import shipped
from monitor.sources.database import SourceDatabase

# Not unique and backing no constraint: dropping one could only slow a query, never break data.
_PG_INDEXES = """
SELECT c.relname, pg_relation_size(i.indexrelid), COALESCE(s.idx_scan, 0), i.indisunique,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid),
       i.indkey::text || '|' || i.indclass::text || '|'
           || COALESCE(pg_get_expr(i.indexprs, i.indrelid), '') || '|'
           || COALESCE(pg_get_expr(i.indpred, i.indrelid), '')
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
WHERE i.indrelid = to_regclass(:table)
ORDER BY c.relname
"""
_SIZE = "database.*.sizeBytes"


def advice(database: SourceDatabase, conn: Connection, table: str, *, min_bytes: int) -> list[str]:
    """Sentences about the table's unused (at least `min_bytes`) and duplicate indexes."""
    rows = database.query(conn, _PG_INDEXES, {"table": table})
    words = shipped()
    found: list[str] = []
    by_shape: dict[str, list[tuple[str, float, bool]]] = {}
    for name, size, scans, unique, backs, shape in rows:
        by_shape.setdefault(str(shape), []).append((str(name), float(size), bool(unique or backs)))
        if scans == 0 and not unique and not backs and size >= min_bytes:
            found.append(
                f"Index {name} on {table} ({words.figure(_SIZE, size)}) has not been used since "
                f"the statistics were last reset: if no query needs it, review "
                f"`DROP INDEX CONCURRENTLY {name};`"
            )
    for same in by_shape.values():
        if len(same) < 2:
            continue
        # Keep one that guards data (unique, a constraint's) if any; the others are spare.
        keep = next((n for n, _, guards in same if guards), same[0][0])
        for name, size, guards in same:
            if name == keep or guards:
                continue
            found.append(
                f"Index {name} on {table} duplicates {keep} ({words.figure(_SIZE, size)} spent "
                f"twice on every write): review `DROP INDEX CONCURRENTLY {name};`"
            )
    return found
