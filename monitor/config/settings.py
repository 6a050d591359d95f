"""Vigie's settings: one TOML file, two environment overrides, defaults that run the demo."""

from __future__ import annotations

import os
import socket
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.config.access import ApiConfig, AuthConfig
from monitor.config.base import Section as _Section
from monitor.config.base import unique_names
from monitor.config.defaults import (
    CONFIG_ENV,
    DEFAULT_CRITICAL_TABLES,
    DEFAULT_METRIC_SQL,
    DEFAULT_TABLE_PROBES,
    DEFAULT_TABLE_TITLES,
    MAX_METRIC_NAME,
    SOURCE_ENV,
    SQL_METRIC_AREAS,
    STORE_ENV,
    MetricSQL,
)
from monitor.config.metrics import MetricConfig, check_currency, check_locale
from monitor.config.notify import NotifyConfig
from monitor.config.reports import ReportConfig, check_reports
from monitor.config.rules import AlertsConfig
from monitor.config.status import StatusPageConfig
from monitor.config.windows import WindowConfig
from monitor.errors import ConfigError
from monitor.redaction import (
    SECRET_KEYS,
    install_log_redaction,
    redact_url,
    register_secret,
    register_url,
)


class SourceConfig(_Section):
    """The monitored (production) database; empty URL means the demo shop."""

    url: str = ""
    statement_timeout_ms: int = Field(5000, gt=0)
    lock_timeout_ms: int = Field(200, gt=0)
    connect_timeout_s: int = Field(5, gt=0)
    pool_size: int = Field(2, ge=1, le=20)
    critical_tables: list[str] = Field(default_factory=lambda: list(DEFAULT_CRITICAL_TABLES))
    # On PostgreSQL, tables whose estimate is above this are counted from statistics, not count(*).
    exact_count_below: int = Field(100_000, ge=0)
    # Merged over DEFAULT_TABLE_PROBES; an empty string makes a table read any row instead.
    table_probes: dict[str, MetricSQL] = Field(default_factory=dict)
    # What people call a table on the pages and in messages ("Orders"), merged over
    # DEFAULT_TABLE_TITLES; its name stays in the API, the CSV and the advice's statements.
    table_titles: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _url_parses(cls, value: str) -> str:
        register_url(value)  # before anything can print it, a failed check included
        return check_url(value)

    @field_validator("critical_tables")
    @classmethod
    def _tables_are_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name.replace("_", "a").isalnum() or name[0].isdigit() or len(name) > 63:
                raise ValueError(
                    f"{name!r} is not a plain table name (letters, digits, _; 63 at most)"
                )
        return value

    @field_validator("table_probes")
    @classmethod
    def _probes_are_reads(cls, value: dict[str, MetricSQL]) -> dict[str, MetricSQL]:
        for table, sql in value.items():
            queries = list(sql.items()) if isinstance(sql, dict) else [("", sql)]
            for kind, query in queries:
                if kind and kind not in ("sqlite", "postgresql"):
                    raise ValueError(
                        f"probe of {table!r}: per-database SQL takes the keys sqlite and postgresql"
                    )
                words = query.split(maxsplit=1)
                if words and words[0].upper() not in ("SELECT", "WITH"):
                    raise ValueError(
                        f"probe of {table!r} must be one SELECT (or WITH … SELECT) query, "
                        f"not {query[:40]!r}"
                    )
        return value

    @model_validator(mode="after")
    def _probes_for_critical_tables(self) -> SourceConfig:
        strays = sorted(set(self.table_probes) - set(self.critical_tables))
        if strays:
            raise ValueError(
                f"table_probes.{strays[0]}: not a critical table, so never probed (add it to "
                "critical_tables or remove its probe)"
            )
        return self

    @field_validator("table_titles")
    @classmethod
    def _titles_are_words(cls, value: dict[str, str]) -> dict[str, str]:
        for table, title in value.items():
            if not title.strip() or len(title) > 60:
                raise ValueError(f"table_titles.{table}: give a title of 1 to 60 characters")
        return value

    def titles(self) -> dict[str, str]:
        """Every table's title people read, the configured over the shipped ones."""
        return {**DEFAULT_TABLE_TITLES, **self.table_titles}

    def probe_sql(self, table: str, dialect: str) -> str:
        """The query timed as `database.<table>.queryTime` on this kind of database."""
        sql = self.table_probes.get(table, DEFAULT_TABLE_PROBES.get(table, ""))
        if isinstance(sql, dict):
            sql = sql.get(dialect, "")
        return sql if sql.strip() else f"SELECT 1 FROM {table} LIMIT 1"


class StoreConfig(_Section):
    """The history store; empty URL means SQLite in the data folder."""

    url: str = ""
    raw_retention_days: int = Field(30, ge=1)
    rollup_retention_days: int = Field(400, ge=1)
    # Ranges longer than this read the hourly rollup instead of raw samples.
    raw_read_max_hours: int = Field(48, ge=1)
    busy_timeout_s: int = Field(30, ge=1)

    @field_validator("url")
    @classmethod
    def _url_parses(cls, value: str) -> str:
        register_url(value)  # before anything can print it, a failed check included
        return check_url(value)

    @model_validator(mode="after")
    def _raw_reads_within_retention(self) -> StoreConfig:
        if self.raw_read_max_hours > self.raw_retention_days * 24:
            raise ValueError(
                f"raw_read_max_hours ({self.raw_read_max_hours}) must not exceed "
                f"raw_retention_days × 24 ({self.raw_retention_days * 24}): charts would read "
                "raw samples that were already deleted"
            )
        return self


class ScheduleConfig(_Section):
    """Seconds between runs of each job (the seed's intervals)."""

    performance: int = Field(120, ge=1)
    business: int = Field(300, ge=1)
    seo: int = Field(600, ge=1)
    database_health: int = Field(300, ge=1)
    maintenance: int = Field(3600, ge=1)


class AccessLogConfig(_Section):
    """The web server's access log (nginx/Apache combined format + request time)."""

    path: str = ""  # empty: the demo's log when the demo runs, none otherwise
    request_time_unit: Literal["s", "ms", "us"] = "s"
    window_seconds: int = Field(120, ge=10)
    max_initial_bytes: int = Field(64 * 1024 * 1024, ge=1024)


class Probe(_Section):
    """An HTTP URL fetched on every performance run."""

    name: str
    url: str
    timeout_s: float = Field(5.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        for secret in _http_secrets(value):
            register_secret(secret)
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class Thresholds(_Section):
    """Limits behind the database recommendations."""

    slow_query_ms: float = Field(500.0, gt=0)
    dead_tuple_ratio: float = Field(0.2, gt=0)
    seq_scan_ratio: float = Field(10.0, gt=0)
    seq_scan_min_rows: int = Field(10_000, ge=0)
    # An index no query used is worth a word from this size (smaller ones cost little).
    unused_index_min_bytes: int = Field(1024 * 1024, ge=0)


class JobsConfig(_Section):
    """The job queue's clocks."""

    # A job with no sign of life (start or progress) this long was left by a daemon that died.
    stale_after_s: int = Field(600, ge=10)
    # A scheduled run nobody took this long (its host is gone) is expired by the clean-up.
    expire_waiting_after_s: int = Field(3600, ge=60)
    # How long the fleet's scheduler holds its lease without renewing it (every third of
    # it): a stopped scheduler's shop-wide work is taken over by another daemon within this.
    scheduler_lease_s: int = Field(90, ge=3, le=3600)


class InsightsConfig(_Section):
    """How far ahead predictions look, and how much history they learn from."""

    horizon_days: float = Field(7.0, gt=0, le=90)  # only issues expected within this are listed
    history_days: float = Field(7.0, ge=1, le=90)  # the trend is fitted on this much history
    backtest_days: float = Field(14.0, ge=3, le=400)  # forecasts are scored on this much


class OpsConfig(_Section):
    """What ops-only actions (maintenance) require."""

    # The shared secret of ops: maintenance requests without it are refused. Empty: nobody.
    token: str = Field("", repr=False)

    @field_validator("token")
    @classmethod
    def _masked_everywhere(cls, value: str) -> str:
        register_secret(value)
        return value


class DemoConfig(_Section):
    """The embedded demo shop."""

    enabled: bool | None = None  # None: on when no source URL is set
    scale: float = Field(1.0, gt=0, le=3)
    backfill_days: int = Field(30, ge=0, le=400)
    tick_seconds: int = Field(30, ge=1)


class Settings(_Section):
    """All of Vigie's settings."""

    data_dir: Path = Path("data")
    # This machine's name in a fleet of daemons on one store (default: its host name).
    host: str = Field("", max_length=63, pattern=r"^([A-Za-z0-9][A-Za-z0-9._-]*)?$")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    source: SourceConfig = SourceConfig()
    store: StoreConfig = StoreConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    access_log: AccessLogConfig = AccessLogConfig()
    probes: list[Probe] = Field(default_factory=list)
    thresholds: Thresholds = Thresholds()
    demo: DemoConfig = DemoConfig()
    alerts: AlertsConfig = AlertsConfig()
    jobs: JobsConfig = JobsConfig()
    ops: OpsConfig = OpsConfig()
    auth: AuthConfig = AuthConfig()
    api: ApiConfig = ApiConfig()
    insights: InsightsConfig = InsightsConfig()
    notify: NotifyConfig = NotifyConfig()
    maintenance_windows: list[WindowConfig] = Field(default_factory=list)
    status_page: StatusPageConfig = StatusPageConfig()
    reports: list[ReportConfig] = Field(default_factory=list)
    # Merged over the shipped metrics: SQL, words, unit, kind (see monitor/config/metrics.py).
    metrics: dict[str, MetricConfig] = Field(default_factory=dict)
    locale: str = "en"  # how numbers are written: "fr_FR" writes 16 157,98 €
    currency: str = "EUR"  # the shop's money, an ISO 4217 code

    @field_validator("maintenance_windows")
    @classmethod
    def _unique_windows(cls, value: list[WindowConfig]) -> list[WindowConfig]:
        unique_names([w.name for w in value], "maintenance window")
        return value

    @field_validator("metrics")
    @classmethod
    def _metric_names(cls, value: dict[str, MetricConfig]) -> dict[str, MetricConfig]:
        for name, config in value.items():
            area, _, rest = name.partition(".")
            if len(name) > MAX_METRIC_NAME:
                raise ValueError(f"metric name {name[:40]!r}… is longer than {MAX_METRIC_NAME}")
            if config.sql and (area not in SQL_METRIC_AREAS or not rest):
                allowed = ", ".join(f"{a}.<name>" for a in SQL_METRIC_AREAS)
                raise ValueError(f"metric name {name!r} must look like {allowed}")
            if not rest:
                raise ValueError(f"metric name {name!r} must look like <area>.<name>")
            if config.area is not None and config.area != area:
                raise ValueError(
                    f"metric {name!r}: its area is its name's first part ({area}); name it "
                    f"{config.area}.{rest} to show it under {config.area}"
                )
        return value

    @model_validator(mode="after")
    def _status_checks_exist(self) -> Settings:
        self.status_page.check_names({p.name for p in self.probes}, self.source.critical_tables)
        check_reports(self.reports, (c.name for c in self.notify.channels))
        return self

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        return check_locale(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return check_currency(value)

    @property
    def host_name(self) -> str:
        """This machine's name in the fleet: `host`, else the machine's own host name."""
        return self.host or socket.gethostname()

    @property
    def demo_enabled(self) -> bool:
        """The demo runs when asked to, or by default when no source database is set."""
        return self.demo.enabled if self.demo.enabled is not None else not self.source.url

    @property
    def source_url(self) -> str:
        """The monitored database: the configured URL, else the demo shop in the data folder."""
        if self.source.url:
            return self.source.url
        return f"sqlite:///{(self.data_dir / 'demo_shop.sqlite').resolve()}"

    @property
    def store_url(self) -> str:
        """The history store: the configured URL, else SQLite in the data folder."""
        if self.store.url:
            return self.store.url
        return f"sqlite:///{(self.data_dir / 'history.sqlite').resolve()}"

    @property
    def access_log_path(self) -> Path | None:
        """The access log to follow: the configured one, the demo's, or none."""
        if self.access_log.path:
            return Path(self.access_log.path)
        return self.data_dir / "access.log" if self.demo_enabled else None

    @property
    def metric_sql(self) -> dict[str, MetricSQL]:
        """Every SQL metric in force: the defaults, overridden and extended by the config."""
        given = {name: c.sql for name, c in self.metrics.items() if c.sql is not None}
        merged = {**DEFAULT_METRIC_SQL, **given}
        return {
            name: sql
            for name, sql in merged.items()
            if sql and (not isinstance(sql, str) or sql.strip())
        }


def check_url(value: str) -> str:
    """The URL as Vigie will use it (postgresql:// means psycopg 3); ValueError if unusable."""
    if not value:
        return value
    try:
        url = make_url(value)
        url.port  # noqa: B018 — a non-numeric port only fails when read
    except (ArgumentError, ValueError):
        raise ValueError(
            "not a database URL (expected e.g. postgresql+psycopg://user@host/db or "
            "sqlite:///path/file.sqlite)"
        ) from None
    # Plain postgresql:// would pick psycopg2, which Vigie does not ship.
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("postgresql", "sqlite"):
        raise ValueError(
            f"database {url.get_backend_name()!r} is not supported (postgresql, sqlite)"
        )
    return url.render_as_string(hide_password=False)


def _http_secrets(url: str) -> list[str]:
    """The password and secret query parameters of an HTTP probe's URL."""
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    return found + [v for k, v in parse_qsl(parts.query) if k.lower() in SECRET_KEYS]


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[str(part)].annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next(c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel))
    return list(model.model_fields)


def _describe(error: ErrorDetails) -> str:
    key = ".".join(str(part) for part in error["loc"])
    value = error.get("input")
    if isinstance(value, str) and "://" in value:
        value = redact_url(value)
    if key.endswith("token"):
        value = "***"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown setting; allowed here: {', '.join(_allowed_keys(error['loc']))}"
    if isinstance(value, dict):
        return f"{key}: {message}"
    return f"{key} = {value!r}: {message}"


def load_settings(
    path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read the TOML file (argument, else $MONITOR_CONFIG, else none) and the URL overrides.

    Raises ConfigError with one line naming the key, the value and what is allowed.
    """
    install_log_redaction()  # every entry point loads its settings first: no log line escapes
    env = os.environ if environ is None else environ
    path = path or env.get(CONFIG_ENV) or None
    raw: dict[str, Any] = {}
    where = "defaults"
    if path:
        where = str(path)
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"config file {path} does not exist (set {CONFIG_ENV} or --config "
                "to an existing TOML file, or unset it to run the demo)"
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    for env_name, section in ((SOURCE_ENV, "source"), (STORE_ENV, "store")):
        if env.get(env_name):
            raw.setdefault(section, {})
            if isinstance(raw[section], dict):
                raw[section]["url"] = env[env_name]
                where = f"{where}, ${env_name}"
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"config error ({where}): {_describe(exc.errors()[0])}") from None
