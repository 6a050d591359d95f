"""Reports on their schedule, through a real SMTP server on loopback (aiosmtpd): the mail
carries the HTML with its charts inside and the PDF attached; each slot is sent once even from
several daemons, and a report missed while Vigie was stopped is sent once when it is back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from monitor.config import Settings
from monitor.notifications.channels import channels
from monitor.reports.mailing import send_due
from monitor.store import HistoryStore
from tests.test_notifications import Mailbox
from tests.test_notifications import smtp as smtp  # the fixture
from tests.test_reports import DAY, NOW
from tests.test_reports import known as known  # the fixture


def _settings(store: HistoryStore, folder: Path, port: int) -> Settings:
    url = f"mailto://127.0.0.1:{port}?mode=insecure&from=vigie@shop.example&to=boss@shop.example"
    return Settings.model_validate(
        {
            "data_dir": str(folder),
            "store": {"url": store.url},
            "notify": {"channels": [{"name": "boss", "url": url}, {"name": "ops", "url": url}]},
            "reports": [{"name": "weekly", "period": "week", "channels": ["boss"]}],
        }
    )


def test_the_weekly_report_is_mailed_once_with_its_charts_and_its_pdf(
    known: tuple[HistoryStore, Settings], smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    store, _ = known
    mailbox, port = smtp
    settings = _settings(store, tmp_path, port)
    # Wednesday: Monday 07:00 is the latest slot, the week of 16 Nov the report's.
    assert send_due(store, settings, channels(settings), now=NOW)[0] == ["weekly"]
    [mail] = mailbox.messages
    assert mail["Subject"] == "Weekly report: 16 Nov 2026 to 22 Nov 2026"
    assert mail["To"] == "boss@shop.example"  # its channel only, not ops too
    parts = list(mail.walk())
    [page] = [p for p in parts if p.get_content_type() == "text/html"]
    body = page.get_payload(decode=True).decode()
    assert 'src="cid:ordersToday.png"' in body and "770" in body and "<script" not in body
    images = {p["Content-ID"] for p in parts if p.get_content_type() == "image/png"}
    assert images == {"<ordersToday.png>", "<revenueToday.png>"}
    [document] = [p for p in parts if p.get_content_type() == "application/pdf"]
    assert document.get_filename() == "vigie-weekly-2026-11-16.pdf"
    text = PdfReader(io.BytesIO(document.get_payload(decode=True))).pages[0].extract_text()
    assert "770" in text and "721" in text
    # The same slot again, from this daemon or another one on the store: nothing more.
    assert send_due(store, settings, channels(settings), now=NOW + 3600) == ([], [])
    other = HistoryStore(store.url, create=False)
    assert send_due(other, settings, channels(settings), now=NOW + 7200) == ([], [])
    other.close()
    assert len(mailbox.messages) == 1


def test_reports_missed_while_stopped_are_sent_once(
    known: tuple[HistoryStore, Settings], smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    store, _ = known
    mailbox, port = smtp
    settings = _settings(store, tmp_path, port)
    assert send_due(store, settings, channels(settings), now=NOW)[0] == ["weekly"]
    # Stopped for three weeks: three Mondays went by; the latest week's report goes, once.
    later = NOW + 21 * DAY
    assert send_due(store, settings, channels(settings), now=later)[0] == ["weekly"]
    assert send_due(store, settings, channels(settings), now=later + 60) == ([], [])
    assert [m["Subject"] for m in mailbox.messages] == [
        "Weekly report: 16 Nov 2026 to 22 Nov 2026",
        "Weekly report: 7 Dec 2026 to 13 Dec 2026",
    ]


def test_a_report_naming_an_unknown_channel_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="channel 'boss' is not configured under \\[notify\\]"):
        Settings.model_validate({"reports": [{"name": "weekly", "channels": ["boss"]}]})
    with pytest.raises(ValueError, match="is not a cron expression"):
        Settings.model_validate({"reports": [{"name": "weekly", "cron": "every monday"}]})
    with pytest.raises(ValueError, match="never fires"):
        Settings.model_validate({"reports": [{"name": "weekly", "cron": "0 7 30 2 *"}]})


def test_the_fleets_scheduler_sends_them_on_its_rounds(
    known: tuple[HistoryStore, Settings], smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from monitor.daemon import CollectorDaemon

    store, _ = known
    mailbox, port = smtp
    settings = _settings(store, tmp_path, port)
    first, second = (
        CollectorDaemon(settings, clock=lambda: datetime.fromtimestamp(NOW, UTC)) for _ in range(2)
    )
    try:
        first.steward.renew()  # the scheduler …
        first.steward.duties()  # … sends the week's report on its minute
        second.steward.renew()  # not the scheduler: it sends nothing
        second.steward.duties()
        second.steward.send_reports()  # and were it to try, the slot is taken
        assert [m["Subject"] for m in mailbox.messages] == [
            "Weekly report: 16 Nov 2026 to 22 Nov 2026"
        ]
    finally:
        first.close()
        second.close()
