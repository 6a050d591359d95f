"""A real daemon killed with SIGKILL around a notification: killed after the outbox row is
written and before the send, the message goes once when Vigie comes back; killed mid-send, it
goes again (the one duplicate the outbox allows), never lost."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.receivers import Webhook
from tests.reference_shop import fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp_path: Path, url: str, *, group_wait_s: float, claim_timeout_s: float) -> Path:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    if not (tmp_path / "shop.sqlite").exists():
        fill_reference_shop(shop)
    config = tmp_path / f"vigie-{group_wait_s}-{claim_timeout_s}.toml"
    # One rule that opens on the first CPU sample: an alert at once, on any machine.
    config.write_text(
        f'data_dir = "{tmp_path}"\n[source]\nurl = "{shop}"\n'
        f'[store]\nurl = "sqlite:///{tmp_path / "h.sqlite"}"\n'
        '[alerts]\ndefaults = false\n[[alerts.rules]]\nname = "cpu_seen"\n'
        'metric = "performance.cpuUsage"\nwarning = -1.0\nmessage = "CPU measured"\n'
        f"[notify]\ngroup_wait_s = {group_wait_s}\nclaim_timeout_s = {claim_timeout_s}\n"
        f'[[notify.channels]]\nname = "ops"\nurl = "{url}"\nmin_severity = "warning"\n',
        encoding="utf-8",
    )
    return config


def _states(tmp_path: Path) -> list[str]:
    try:
        with sqlite3.connect(tmp_path / "h.sqlite") as db:
            return [row[0] for row in db.execute("SELECT state FROM notifications ORDER BY id")]
    except sqlite3.OperationalError:  # no store or no table yet
        return []


def _start(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "collector_daemon.py", "--config", str(config)],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )


def _once(config: Path) -> None:
    done = subprocess.run(
        [sys.executable, "collector_daemon.py", "--config", str(config), "--once"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _until(condition: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_killed_between_the_outbox_and_the_send_it_is_sent_once_on_return(
    tmp_path: Path, webhook: Webhook
) -> None:
    # The group window keeps the message waiting: the kill lands after the write, before any send.
    waiting = _config(tmp_path, webhook.url, group_wait_s=3600, claim_timeout_s=120)
    proc = _start(waiting)
    _until(lambda: _states(tmp_path) == ["waiting"], "the alert's message was never written")
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert webhook.got == []
    _once(waiting)  # Vigie comes back; --once delivers what is due before it exits
    assert len(webhook.got) == 1 and webhook.got[0]["title"].startswith("CPU measured")
    assert _states(tmp_path) == ["sent"]


def test_killed_mid_send_it_is_sent_again_never_lost(tmp_path: Path, webhook: Webhook) -> None:
    patient = _config(tmp_path, webhook.url, group_wait_s=0, claim_timeout_s=120)
    webhook.answering.clear()  # the receiver takes the message and keeps the sender waiting
    proc = _start(patient)
    _until(lambda: len(webhook.got) == 1, "the daemon never sent")
    proc.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    proc.wait(10)
    webhook.answering.set()
    assert _states(tmp_path) == ["sending"]  # sent, but the record of it died with the daemon
    _once(patient)  # too soon: the claim may still be a live daemon's
    assert len(webhook.got) == 1 and _states(tmp_path) == ["sending"]
    time.sleep(max(0.0, 5 - (time.monotonic() - killed)))
    _once(_config(tmp_path, webhook.url, group_wait_s=0, claim_timeout_s=5))  # now stale
    assert len(webhook.got) == 2 and webhook.got[0]["title"] == webhook.got[1]["title"]
    assert _states(tmp_path) == ["sent"]
