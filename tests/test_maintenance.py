"""Maintenance requests: ops only, audited, and what each task reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.audit import entries
from monitor.config import Settings, load_settings
from monitor.daemon import CollectorDaemon
from monitor.errors import ConfigError
from monitor.jobs.maintenance import NotAuthorized, UnknownTask, request_maintenance
from tests.reference_shop import NOW

T = NOW.timestamp()


@pytest.fixture
def daemon(tmp_path: Path):
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": f"sqlite:///{tmp_path / 'none.sqlite'}"},
            "ops": {"token": "s3cret-ops"},
        }
    )
    running = CollectorDaemon(settings, clock=lambda: NOW)
    yield running
    running.close()


def test_it_refuses_a_request_without_the_ops_token(daemon: CollectorDaemon) -> None:
    for token in (None, "", "guess"):
        with pytest.raises(NotAuthorized, match="ops only"):
            request_maintenance(
                daemon.queue,
                ["cleanup"],
                actor="web:anonymous",
                token=token,
                settings=daemon.settings,
                now=T,
            )
    assert daemon.queue.stats()["maintenance"]["waiting"] == 0
    assert [e.outcome for e in entries(daemon.store)] == ["refused"] * 3


def test_nobody_may_ask_while_no_token_is_set(tmp_path: Path) -> None:
    settings = Settings.model_validate({"data_dir": str(tmp_path)})
    open_daemon = CollectorDaemon(settings, clock=lambda: NOW)
    with pytest.raises(NotAuthorized, match=r"set ops\.token"):
        request_maintenance(
            open_daemon.queue, ["cleanup"], actor="web:x", token="", settings=settings, now=T
        )
    open_daemon.close()


def test_it_refuses_an_unknown_task(daemon: CollectorDaemon) -> None:
    with pytest.raises(UnknownTask, match="unknown maintenance task reboot"):
        request_maintenance(
            daemon.queue,
            ["cleanup", "reboot"],
            actor="ops:alice",
            token="s3cret-ops",
            settings=daemon.settings,
            now=T,
        )
    assert daemon.queue.stats()["maintenance"]["waiting"] == 0


def test_an_ops_request_is_queued_run_and_audited(daemon: CollectorDaemon) -> None:
    ids = request_maintenance(
        daemon.queue,
        ["cleanup", "optimization", "alerts_resolution"],
        actor="ops:alice",
        token="s3cret-ops",
        settings=daemon.settings,
        now=T,
    )
    assert len(ids) == 3
    ran = daemon.work()
    assert [r.job for r in ran] == ["cleanup", "optimization", "alerts_resolution"]
    results = {job.type: job for job in map(daemon.queue.get, ids) if job is not None}
    assert all(job.state == "completed" for job in results.values())
    assert '"expired_jobs"' in (results["cleanup"].result or "")
    assert '"bytes_freed"' in (results["optimization"].result or "")
    assert '"alerts_resolved"' in (results["alerts_resolution"].result or "")
    audit = entries(daemon.store)
    assert [(e.actor, e.action, e.outcome) for e in reversed(audit)] == [
        ("ops:alice", "maintenance", "requested"),
        ("ops:alice", "cleanup", "completed"),
        ("ops:alice", "optimization", "completed"),
        ("ops:alice", "alerts_resolution", "completed"),
    ]


def test_a_wrong_token_setting_is_never_printed(tmp_path: Path) -> None:
    config = tmp_path / "vigie.toml"
    config.write_text("[ops]\ntoken = 12345678\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert "12345678" not in str(caught.value)


def test_acknowledging_is_refused_without_the_ops_token(tmp_path: Path) -> None:
    from monitor.alerts import AlertBook
    from monitor.jobs.maintenance import acknowledge_alert
    from monitor.store import HistoryStore
    from tests.known_history import fill

    store = HistoryStore(fill(tmp_path / "history.sqlite"))
    settings = Settings.model_validate({"data_dir": str(tmp_path), "ops": {"token": "right"}})
    book = AlertBook(store, [])
    [alert] = book.active()
    with pytest.raises(NotAuthorized):
        acknowledge_alert(book, alert.id, actor="x", token="wrong", settings=settings, now=5.0)
    assert book.active()[0].acknowledged_by is None
    refused = entries(store)[0]
    assert (refused.actor, refused.action, refused.outcome) == ("x", "acknowledge", "refused")
    assert acknowledge_alert(book, alert.id, actor="ana", token="right", settings=settings, now=6.0)
    assert book.active()[0].acknowledged_by == "ana"
    store.close()
