"""No secret in clear: every credential form is masked in logs, the store, commands and answers."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.config import Settings
from monitor.redaction import install_log_redaction, redact, redact_url, register_secret
from tests.conftest import make_database
from tests.reference_shop import fill_reference_shop
from tests.test_api import _serve

ROOT = Path(__file__).resolve().parent.parent
PLANTED = "Planted-Pw-7731"


def test_it_masks_every_credential_form_of_a_url() -> None:
    url = (
        "postgresql+psycopg://shop:UserInfoPw@db/shop?password=QueryPw&sslpassword=KeyPw"
        "&passfile=/etc/pgpass&application_name=x"
    )
    shown = redact_url(url)
    for secret in ("UserInfoPw", "QueryPw", "KeyPw", "/etc/pgpass"):
        assert secret not in shown
    assert "application_name=x" in shown and "shop@db" not in shown


def test_it_masks_passwords_in_free_text() -> None:
    text = (
        "connect: host=db password='it''s secret' user=x; "
        "see postgresql://u:pw-in-url@h/db and token=abc123"
    )
    shown = redact(text)
    assert "it''s secret" not in shown and "secret' user" not in shown
    assert "pw-in-url" not in shown and "abc123" not in shown
    assert "user=x" in shown


def test_it_masks_a_registered_secret_in_any_encoding() -> None:
    register_secret("p@ss word/1")
    assert redact("failed for p@ss word/1, p%40ss%20word%2F1, p%40ss+word%2F1") == (
        "failed for ***, ***, ***"
    )


def test_every_log_record_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    register_secret("log-secret-99")
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").info("url %s", "postgresql://u:log-secret-99@h/db")
        try:
            raise RuntimeError("boom log-secret-99")
        except RuntimeError:
            logging.getLogger("other").exception("failed")
    assert "log-secret-99" not in caplog.text
    assert "boom ***" in caplog.text


def _command(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MONITOR_CONFIG": "", "MONITOR_SOURCE_DB": "", "MONITOR_STORE": ""},
    )


def _store_text(url: str) -> str:
    engine = sa.create_engine(url)
    tables = sa.MetaData()
    tables.reflect(engine)  # every table in the store, whichever concern owns it
    with engine.connect() as conn:
        found = [str(row) for t in tables.sorted_tables for row in conn.execute(sa.select(t))]
    engine.dispose()
    return "\n".join(found)


def _every_answer(settings: Settings) -> str:
    answers = []
    for client in _serve(settings):
        schema = client.get("/openapi.json").json()
        for path, operations in schema["paths"].items():
            if "get" not in operations:
                continue
            concrete = path.replace("{table}", "___xtr_order").replace("{job_id}", "1")
            for headers in ({}, {"Accept": "application/health+json"}):
                answers.append(client.get(concrete, headers=headers).text)
        answers.append(client.post("/api/system/maintenance", json={"tasks": ["x"]}).text)
    return "\n".join(answers)


def test_a_planted_password_shows_up_nowhere(
    pg_database: str, pg_server: str, tmp_path: Path
) -> None:
    """A real PostgreSQL shop and a PostgreSQL store, both given the password as a query
    parameter, then the shop gone: logs, store, commands and every endpoint are searched."""
    with make_database(pg_server) as store_db:
        _plant_and_search(pg_database, store_db, tmp_path)


def _plant_and_search(pg_database: str, store_db: str, tmp_path: Path) -> None:
    fill_reference_shop(pg_database)
    shop = f"{pg_database}?password={PLANTED}&sslpassword={PLANTED}x"
    config = tmp_path / "vigie.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[source]\nurl = "{shop}"\n'
        f'[store]\nurl = "{store_db}?password={PLANTED}"\n',
        encoding="utf-8",
    )
    said = [_command("collector_daemon.py", "--once", config=config)]
    said.append(_command("-m", "monitor", "check-config", config=config))
    said.append(_command("-m", "monitor", "latest", config=config))
    assert said[0].returncode == 0, said[0].stderr
    # The shop goes away: errors now quote connection strings, which must still be masked.
    down = tmp_path / "down.toml"
    down.write_text(config.read_text(encoding="utf-8").replace(":5432", ":1", 1), encoding="utf-8")
    said.append(_command("collector_daemon.py", "--once", config=down))
    output = "\n".join(done.stdout + done.stderr for done in said)
    assert "samples" in output and "cannot reach" in output
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": shop.replace(":5432", ":1")},
            "store": {"url": f"{store_db}?password={PLANTED}"},
        }
    )
    everywhere = output + _store_text(store_db) + _every_answer(settings)
    assert everywhere.count(PLANTED) == 0


def test_unauthenticated_health_names_no_host_user_port_or_database(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": "postgresql://shopowner_u:pw@127.0.0.3:6543/shopdb_x"},
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
            "ops": {"token": "ops-token-1"},
        }
    )
    from monitor.daemon import CollectorDaemon

    CollectorDaemon(settings).close()
    for client in _serve(settings):
        public = [
            client.get("/api/system/health/quick").text,
            client.get("/api/system/health/detailed").text,
            client.get(
                "/api/system/health/detailed", headers={"Accept": "application/health+json"}
            ).text,
            client.get("/api/system/status").text,
        ]
        private = client.get(
            "/api/system/health/detailed", headers={"Authorization": "Bearer ops-token-1"}
        ).json()["data"]
    for answer in public:
        assert '"database"' in answer or "database:" in answer
        for identity in ("shopowner_u", "127.0.0.3", "6543", "shopdb_x"):
            assert identity not in answer, (identity, answer)
    database = next(c for c in private["checks"] if c["name"] == "database")
    assert "127.0.0.3" in database["detail"] and "pw" not in database["detail"].split("@")[0]


def test_notes_and_job_errors_are_masked_as_they_are_stored(tmp_path: Path) -> None:
    from monitor.jobs import JobQueue
    from monitor.samples import Note
    from monitor.store import HistoryStore

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    store.write_notes("test", [Note("db", "error", "failed: password=n0te-pw host=x", 1.0)])
    queue = JobQueue(store)
    queue.enqueue("business", now=1.0, requested_by="ops:test")
    job = queue.claim("w", now=2.0)
    assert job is not None
    queue.fail(job, "cannot reach postgresql://u:j0b-pw@h/db", now=3.0, retry=False)
    text = _store_text(store.url)
    store.close()
    assert "n0te-pw" not in text and "j0b-pw" not in text and "password=***" in text


def test_loading_the_settings_masks_every_later_log_line(tmp_path: Path) -> None:
    config = tmp_path / "vigie.toml"
    config.write_text('[source]\nurl = "postgresql://u:Cfg-Pw-991@127.0.0.1:1/shop"\n', "utf-8")
    code = (
        "import logging, sys\n"
        "logging.basicConfig(stream=sys.stdout)\n"
        "from monitor.config import load_settings\n"
        f"load_settings({str(config)!r})\n"
        "logging.getLogger('any.library').warning('connecting with Cfg-Pw-991 and "
        "postgresql://x:other-pw@h/db')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "connecting with *** and postgresql://x:***@h/db" in done.stdout
