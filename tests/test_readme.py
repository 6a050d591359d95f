"""The README's code runs as written: its Python example, on a fresh store."""

from __future__ import annotations

from pathlib import Path

from monitor.config import Settings
from monitor.jobs import WAITING, JobQueue
from monitor.store import HistoryStore

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_maintenance_example_runs(tmp_path: Path) -> None:
    [example] = [
        b.split("```")[0] for b in README.read_text(encoding="utf-8").split("```python\n")[1:]
    ]
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite'}")
    settings = Settings.model_validate({"data_dir": str(tmp_path), "ops": {"token": "s3cret"}})
    try:
        exec(example, {"store": store, "settings": settings})
        [job] = JobQueue(store).recent()
        assert (job.type, job.state, job.requested_by) == ("cleanup", WAITING, "alice")
    finally:
        store.close()


def test_the_status_page_example_is_a_valid_configuration(tmp_path: Path) -> None:
    import tomllib

    blocks = README.read_text(encoding="utf-8").split("```toml\n")[1:]
    [example] = [b.split("```")[0] for b in blocks if "[status_page]" in b]
    settings = Settings.model_validate({"data_dir": str(tmp_path), **tomllib.loads(example)})
    assert [c.name for c in settings.status_page.components] == ["Checkout", "Catalogue"]
    assert settings.status_page.components[0].checks == ["database", "probe:payment"]


def test_the_reports_example_is_a_valid_configuration(tmp_path: Path) -> None:
    import tomllib

    blocks = README.read_text(encoding="utf-8").split("```toml\n")[1:]
    [example] = [b.split("```")[0] for b in blocks if "[[reports]]" in b]
    channels = [{"name": "managers", "url": "json://127.0.0.1:9/hook"}]
    raw = {"data_dir": str(tmp_path), "notify": {"channels": channels}, **tomllib.loads(example)}
    [report] = Settings.model_validate(raw).reports
    assert (report.name, report.period, report.schedule) == ("weekly", "week", "0 7 * * 1")
