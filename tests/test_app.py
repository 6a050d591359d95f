"""The dashboard placeholder reads the store and explains an empty or missing one (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitor.samples import Sample
from monitor.store import HistoryStore

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "overview.py")


def test_it_shows_the_latest_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    store = HistoryStore(url)
    store.write([Sample("business.totalUsers", 59137, 1_795_000_000)])
    store.close()
    monkeypatch.setenv("MONITOR_STORE", url)
    app = AppTest.from_file(PAGE).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["metric"]) == ["business.totalUsers"]
    assert list(table["value"]) == [59137]


def test_it_explains_a_missing_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_STORE", f"sqlite:///{tmp_path / 'nothing.sqlite'}")
    app = AppTest.from_file(PAGE).run()
    assert not app.exception
    assert "start the collector daemon" in app.warning[0].value
