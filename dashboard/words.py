"""Identifiers turned into words in the tables people read: a metric's title, a table's, a
rule's, a job's; yes and no. The CSV under each table keeps the identifiers (scripts rely on
them), so this runs on what is shown only."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from dashboard.hosts import several
from dashboard.shell import catalog
from monitor.fleet import unhosted
from monitor.jobs.policy import JOB_TITLES


def said(name: str) -> str:
    """Words from an identifier: "disk_full" → "Disk full"."""
    words = name.strip("_").replace("_", " ")
    return words[:1].upper() + words[1:]


def _detail(value: str) -> str:
    """A job's or an action's details: '{"bytes_freed": 4096}' → "Bytes freed: 4 KB"."""
    try:
        found = json.loads(value)
    except ValueError:
        return value
    if not isinstance(found, dict):
        return value
    sizes = catalog().get("database.*.sizeBytes")
    parts = []
    for key, item in found.items():
        if "bytes" in key and isinstance(item, int | float):
            item = catalog().formats.figure(sizes, item)
        elif isinstance(item, dict | list):
            item = json.dumps(item)
        parts.append(f"{said(key.replace('bytes', '').replace('__', '_'))}: {item}")
    return "; ".join(parts)


def _subject(value: str, row: Mapping[str, Any]) -> str:
    # One machine: its name says nothing; several: which one is the point.
    subject = str(value) if several() else unhosted(str(value))
    return catalog().about(str(row.get("metric") or value), subject)


# The columns that hold identifiers, and the words for each.
_WORDS: dict[str, Callable[[Any, Mapping[str, Any]], Any]] = {
    "metric": lambda value, _: catalog().title(value),
    "subject": _subject,
    "table": lambda value, _: catalog().table(value),
    "rule": lambda value, _: said(value),
    "type": lambda value, _: JOB_TITLES.get(value, said(value)),
    "collector": lambda value, _: JOB_TITLES.get(value, said(value)),
    "action": lambda value, _: JOB_TITLES.get(value, said(value)),
    "detail": lambda value, _: _detail(value),
}


def cell(column: str, value: Any, row: Mapping[str, Any]) -> Any:
    """`value` of `column` as a person reads it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and column in _WORDS:
        return _WORDS[column](value, row)
    return value
