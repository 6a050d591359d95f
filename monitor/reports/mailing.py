"""Reports on their schedule: the fleet's scheduler sends each report once per slot of its
cron, through its channels (a mail carries the HTML with its charts inside and the PDF
attached). The slot is claimed in the store first (one conditional insert), so several daemons
send it once; a report missed while Vigie was stopped is its latest slot only, sent once."""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from monitor.config import ReportConfig, Settings
from monitor.metrics import catalog
from monitor.notifications.channels import Channel, send_files
from monitor.reports.content import build
from monitor.reports.layout import title_of
from monitor.reports.render import charts, html, pdf
from monitor.reports.tables import reports_sent_table
from monitor.store import HistoryStore

log = logging.getLogger("vigie.reports")


def claim(store: HistoryStore, name: str, slot: float, now: float) -> bool:
    """Take the report's slot; False if it was sent (or is being sent) already."""
    insert_ = sqlite_insert if store.is_sqlite else pg_insert
    statement = (
        insert_(reports_sent_table)
        .values(name=name, slot=int(slot), sent_at=now)
        .on_conflict_do_nothing()
    )
    with store.writing() as conn:
        return conn.execute(statement).rowcount > 0


def _release(store: HistoryStore, name: str, slot: float) -> None:
    with store.writing() as conn:
        conn.execute(
            delete(reports_sent_table).where(
                reports_sent_table.c.name == name, reports_sent_table.c.slot == int(slot)
            )
        )


def send(
    store: HistoryStore,
    settings: Settings,
    report: ReportConfig,
    channels: list[Channel],
    *,
    now: float,
) -> int:
    """Build `report` for the period before `now` and send it to its channels; returns how
    many took it."""
    words = catalog(settings)
    found = build(store, settings, name=report.name, period=report.period, now=now, words=words)
    drawn = charts(found, words)
    title = title_of(found)
    body = html(found, words, drawn, mail=True)
    day = datetime.fromtimestamp(found.start, UTC).date().isoformat()
    chosen = [c for c in channels if not report.channels or c.name in report.channels]
    taken = 0
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for chart in drawn:
            (Path(folder) / chart.file).write_bytes(chart.png)
            files.append(str(Path(folder) / chart.file))
        document = Path(folder) / f"vigie-{report.name}-{day}.pdf"
        document.write_bytes(pdf(found, words, drawn))
        files.append(str(document))
        for channel in chosen:
            ok, answer = send_files(channel, title, body, files)
            taken += ok
            if not ok:
                log.warning(
                    "report %s not taken by channel %s: %s", report.name, channel.name, answer
                )
    return taken


def send_due(
    store: HistoryStore,
    settings: Settings,
    channels: list[Channel],
    *,
    now: float,
    done: dict[str, int] | None = None,
) -> tuple[list[str], list[str]]:
    """Send every report whose latest slot has not been sent; returns the names sent and those
    no channel took (given back, to be tried again later). `done` remembers the slots this
    daemon already claimed or found taken, so a round without news writes nothing."""
    done = {} if done is None else done
    sent, refused = [], []
    for report in settings.reports:
        if not any(not report.channels or c.name in report.channels for c in channels):
            continue  # nowhere to send it: nothing to build
        slot = int(report.last_slot(now))
        if done.get(report.name) == slot:
            continue
        done[report.name] = slot
        if not claim(store, report.name, slot, now):
            continue
        try:
            taken = send(store, settings, report, channels, now=now)
        except Exception:
            _release(store, report.name, slot)
            done.pop(report.name, None)
            raise
        if taken:
            sent.append(report.name)
            log.info("report %s sent to %d channel(s)", report.name, taken)
        else:
            _release(store, report.name, slot)
            done.pop(report.name, None)
            refused.append(report.name)
    return sent, refused
