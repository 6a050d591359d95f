"""Maintenance requests: ops and admins only (checked in the domain function), audited, and
what each task reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.access import ANONYMOUS, NotAuthorized, Person
from monitor.audit import entries
from monitor.config import Role, Settings, load_settings
from monitor.daemon import CollectorDaemon
from monitor.errors import ConfigError
from monitor.jobs.maintenance import UnknownTask, request_maintenance
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


VIEWER = Person("vic", "viewer")
ALICE = Person("alice", "ops")


def test_a_viewer_calling_the_domain_function_is_refused_and_audited(
    daemon: CollectorDaemon,
) -> None:
    for person in (VIEWER, ANONYMOUS):
        with pytest.raises(NotAuthorized, match="needs the ops role"):
            request_maintenance(daemon.queue, ["cleanup"], person=person, now=T)
    assert daemon.queue.stats()["maintenance"]["waiting"] == 0
    lines = entries(daemon.store)
    assert [(e.actor, e.action, e.outcome) for e in lines] == [
        ("anonymous", "maintenance", "refused"),
        ("vic", "maintenance", "refused"),
    ]
    assert lines[1].detail == "maintenance needs the ops role; vic is viewer"


def test_it_refuses_an_unknown_task(daemon: CollectorDaemon) -> None:
    with pytest.raises(UnknownTask, match="unknown maintenance task reboot"):
        request_maintenance(daemon.queue, ["cleanup", "reboot"], person=ALICE, now=T)
    assert daemon.queue.stats()["maintenance"]["waiting"] == 0


@pytest.mark.parametrize("role", ["ops", "admin"])
def test_an_ops_request_is_queued_run_and_audited(daemon: CollectorDaemon, role: Role) -> None:
    ids = request_maintenance(
        daemon.queue,
        ["cleanup", "optimization", "alerts_resolution"],
        person=Person("alice", role),
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
        ("alice", "maintenance", "requested"),
        ("alice", "cleanup", "completed"),
        ("alice", "optimization", "completed"),
        ("alice", "alerts_resolution", "completed"),
    ]


def test_a_wrong_token_setting_is_never_printed(tmp_path: Path) -> None:
    config = tmp_path / "vigie.toml"
    config.write_text("[ops]\ntoken = 12345678\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert "12345678" not in str(caught.value)


def test_acknowledging_is_refused_to_a_viewer(tmp_path: Path) -> None:
    from monitor.alerts import AlertBook
    from monitor.jobs.maintenance import acknowledge_alert
    from monitor.store import HistoryStore
    from tests.known_history import fill

    store = HistoryStore(fill(tmp_path / "history.sqlite"))
    book = AlertBook(store, [])
    [alert] = book.active()
    with pytest.raises(NotAuthorized):
        acknowledge_alert(book, alert.id, person=Person("x", "viewer"), now=5.0)
    assert book.active()[0].acknowledged_by is None
    refused = entries(store)[0]
    assert (refused.actor, refused.action, refused.outcome) == ("x", "acknowledge", "refused")
    assert acknowledge_alert(book, alert.id, person=Person("ana", "ops"), now=6.0)
    assert book.active()[0].acknowledged_by == "ana"
    store.close()
