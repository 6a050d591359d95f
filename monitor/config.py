"""Vigie's settings: one TOML file, two environment overrides, defaults that run the demo."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.errors import ConfigError
from monitor.redaction import SECRET_KEYS, register_secret, register_url
from monitor.redaction import redact_url as redact_url  # the name callers import from here

CONFIG_ENV = "MONITOR_CONFIG"
SOURCE_ENV = "MONITOR_SOURCE_DB"
STORE_ENV = "MONITOR_STORE"

DEFAULT_CRITICAL_TABLES = [
    "___xtr_customer",
    "___xtr_order",
    "___xtr_order_line",
    "__sitemap_p_link",
    "__seo_page",
]

# The URL of a sitemap link is built from every alias and id; a row "serves a real page" when all
# its aliases are filled in, all its ids are positive, it has items, and no other row has its URL.
_SITEMAP_VALID = " AND ".join(
    [f"COALESCE(map_{part}_alias, '') <> ''" for part in ("pg", "marque", "modele", "type")]
    + [f"map_{part}_id > 0" for part in ("pg", "marque", "modele", "type")]
    + ["map_has_item > 0"]
)

# Each metric is one SQL query returning one number. `:since` and `:now` are bound to the
# collection time minus 24 h and the collection time (naive UTC datetimes).
# A metric's SQL is one query, or one per database kind ({"sqlite": …, "postgresql": …}) where
# the dialects differ (date arithmetic).
MetricSQL = str | dict[str, str]

DEFAULT_METRIC_SQL: dict[str, MetricSQL] = {
    "business.totalUsers": "SELECT COUNT(*) FROM ___xtr_customer",
    "business.activeUsers": "SELECT COUNT(*) FROM ___xtr_customer WHERE cst_activ = '1'",
    "business.orders24h": (
        "SELECT COUNT(*) FROM ___xtr_order WHERE ord_date >= :since AND ord_date < :now"
    ),
    "business.paidOrders24h": (
        "SELECT COUNT(*) FROM ___xtr_order "
        "WHERE ord_date >= :since AND ord_date < :now AND ord_is_pay = '1'"
    ),
    "business.revenue24h": (
        "SELECT COALESCE(SUM(CAST(ord_total_ttc AS NUMERIC)), 0) FROM ___xtr_order "
        "WHERE ord_date >= :since AND ord_date < :now AND ord_is_pay = '1'"
    ),
    "business.averageBasket": (
        "SELECT SUM(CAST(ord_total_ttc AS NUMERIC)) / NULLIF(COUNT(*), 0) FROM ___xtr_order "
        "WHERE ord_date >= :since AND ord_date < :now AND ord_is_pay = '1'"
    ),
    "business.minutesSinceLastOrder": {
        "sqlite": "SELECT (JULIANDAY(:now) - JULIANDAY(MAX(ord_date))) * 1440 "
        "FROM ___xtr_order WHERE ord_date < :now",
        "postgresql": "SELECT EXTRACT(EPOCH FROM (:now - MAX(ord_date))) / 60 "
        "FROM ___xtr_order WHERE ord_date < :now",
    },
    "seo.totalPages": "SELECT COUNT(*) FROM __sitemap_p_link",
    "seo.optimizedPages": (
        "SELECT COUNT(*) FROM __seo_page WHERE NOT noindex "
        "AND LENGTH(title) BETWEEN 10 AND 70 AND LENGTH(meta_description) BETWEEN 50 AND 160"
    ),
    "seo.sitemapHealth": (
        "SELECT 100.0 * (SELECT COUNT(*) FROM (SELECT DISTINCT map_pg_alias, map_pg_id, "
        "map_marque_alias, map_marque_id, map_modele_alias, map_modele_id, map_type_alias, "
        f"map_type_id FROM __sitemap_p_link WHERE {_SITEMAP_VALID}) AS healthy) "
        "/ NULLIF((SELECT COUNT(*) FROM __sitemap_p_link), 0)"
    ),
}

# The query timed as `database.<table>.queryTime`: the newest rows, read the way the shop's pages
# read them, so a missing or dropped index shows as a slower read. One query, or one per database
# kind like a metric's. A critical table without one reads any row (`SELECT 1 … LIMIT 1`).
DEFAULT_TABLE_PROBES: dict[str, MetricSQL] = {
    "___xtr_customer": "SELECT cst_id FROM ___xtr_customer ORDER BY cst_date_add DESC LIMIT 10",
    "___xtr_order": "SELECT ord_id FROM ___xtr_order ORDER BY ord_date DESC LIMIT 10",
    "___xtr_order_line": ("SELECT orl_id FROM ___xtr_order_line ORDER BY orl_ord_id DESC LIMIT 10"),
    "__sitemap_p_link": "SELECT map_id FROM __sitemap_p_link ORDER BY map_id DESC LIMIT 10",
    "__seo_page": "SELECT page_id FROM __seo_page ORDER BY updated_at DESC LIMIT 10",
}

SQL_METRIC_AREAS = ("business", "seo", "database")
MAX_METRIC_NAME = 120  # the store's series.name holds 200; table names are part of some names


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


SEVERITIES = ("info", "warning", "error", "critical")


class AlertRule(_Section):
    """A threshold rule on a metric; `metric` may hold one `*` (its match is the subject)."""

    name: str = Field(min_length=1, max_length=100)
    metric: str = Field(min_length=1, max_length=MAX_METRIC_NAME)
    when: Literal["above", "below"] = "above"
    info: float | None = None
    warning: float | None = None
    error: float | None = None
    critical: float | None = None
    # Hysteresis: an open alert clears only once the value is back past this (default: the
    # lowest threshold itself).
    clear: float | None = None
    # The condition must hold for this many consecutive samples before the rule fires.
    for_samples: int = Field(1, ge=1, le=100)
    message: str = ""
    # "value": the thresholds are on the metric itself. "seasonal": on its deviation in percent
    # from the same hour of the previous weeks (when = "below", warning = -40: 40 % below a
    # normal Tuesday 10:00 on a Tuesday at 10:00). "recent": on its ratio to its own median of
    # the last 24 h (warning = 10: ten times its usual), for figures whose normal level depends
    # on the machine, such as query times.
    baseline: Literal["value", "seasonal", "recent"] = "value"
    # A floor in the metric's own unit: a value below it never counts as crossing a threshold,
    # so a 0.1 ms read becoming 0.5 ms (5× its usual) is no incident. Only with when = "above".
    min_value: float | None = None

    @field_validator("metric")
    @classmethod
    def _one_wildcard(cls, value: str) -> str:
        if value.count("*") > 1:
            raise ValueError("a rule's metric may hold one * at most (it names the subject)")
        return value

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> AlertRule:
        levels = [(s, getattr(self, s)) for s in SEVERITIES if getattr(self, s) is not None]
        if not levels:
            raise ValueError(f"rule {self.name!r} needs at least one of {', '.join(SEVERITIES)}")
        values = [v for _, v in levels]
        ordered = (
            values == sorted(values)
            if self.when == "above"
            else values == sorted(values, reverse=True)
        )
        if not ordered:
            word = "increase" if self.when == "above" else "decrease"
            raise ValueError(f"rule {self.name!r}: thresholds must {word} from info to critical")
        if self.baseline == "recent" and min(values) <= 0:
            raise ValueError(
                f"rule {self.name!r}: with baseline = 'recent' thresholds are ratios to the "
                "usual (10 = ten times it) and must be above 0"
            )
        if self.min_value is not None and self.when != "above":
            raise ValueError(f"rule {self.name!r}: min_value only suits when = 'above'")
        if self.clear is not None:
            first = values[0]
            if (self.when == "above" and self.clear > first) or (
                self.when == "below" and self.clear < first
            ):
                raise ValueError(
                    f"rule {self.name!r}: clear ({self.clear}) must be on the safe "
                    f"side of the lowest threshold ({first})"
                )
        return self

    def thresholds(self) -> list[tuple[str, float]]:
        """(severity, threshold) from info to critical, only those set."""
        return [(s, v) for s in SEVERITIES if (v := getattr(self, s)) is not None]


def _rule(name: str, metric: str, message: str, **levels: Any) -> AlertRule:
    return AlertRule(name=name, metric=metric, message=message, **levels)


# Shipped for every default metric; a rule in the config with the same name replaces one.
DEFAULT_ALERT_RULES = [
    _rule(
        "disk_full",
        "performance.diskUsage",
        "The data disk is filling up",
        warning=80,
        error=90,
        critical=95,
        clear=75,
        for_samples=2,
    ),
    _rule(
        "memory_high",
        "performance.memoryPercent",
        "Memory is nearly exhausted",
        warning=85,
        error=92,
        critical=97,
        clear=80,
        for_samples=3,
    ),
    _rule(
        "cpu_high",
        "performance.cpuUsage",
        "The CPU has been busy for several minutes",
        warning=85,
        error=95,
        clear=70,
        for_samples=3,
    ),
    _rule(
        "slow_responses",
        "performance.responseTime",
        "Pages answer slowly (median, ms)",
        warning=500,
        error=1000,
        critical=2000,
        clear=400,
        for_samples=2,
    ),
    _rule(
        "server_errors",
        "performance.errorRate",
        "Too many 5xx answers (%)",
        warning=1,
        error=5,
        critical=10,
        clear=0.5,
        for_samples=2,
    ),
    _rule(
        "database_down",
        "database.up",
        "The shop's database cannot be reached",
        when="below",
        critical=1,
    ),
    _rule(
        "table_inaccessible",
        "database.*.accessible",
        "A critical table cannot be read",
        when="below",
        error=1,
    ),
    _rule(
        "orders_stopped",
        "business.minutesSinceLastOrder",
        "No order for a long while",
        warning=240,
        error=480,
        clear=120,
    ),
    _rule(
        "orders_below_usual",
        "business.orders24h",
        "Orders are far below the usual for this hour of the week (%)",
        when="below",
        warning=-40,
        error=-70,
        clear=-25,
        for_samples=2,
        baseline="seasonal",
    ),
    _rule(
        "sitemap_unhealthy",
        "seo.sitemapHealth",
        "Many sitemap links would not serve a page",
        when="below",
        warning=90,
        error=80,
        clear=92,
    ),
    _rule(
        "database_slow",
        "database.responseTime",
        "The shop's database answers slowly (ms)",
        warning=200,
        error=1000,
        clear=100,
        for_samples=2,
    ),
    _rule(
        "table_slow",
        "database.*.queryTime",
        "Reading a critical table is slow (ms)",
        warning=500,
        error=2000,
        clear=300,
        for_samples=2,
    ),
    _rule(
        "table_slower_than_usual",
        "database.*.queryTime",
        "Reading a critical table is many times slower than usual (× its median of the last "
        "24 h); a dropped index or a new full scan?",
        warning=10,
        error=50,
        clear=3,
        for_samples=2,
        baseline="recent",
        min_value=5,
    ),
    _rule(
        "probe_down",
        "performance.probe.up",
        "An HTTP probe gets no good answer",
        when="below",
        error=1,
        for_samples=2,
    ),
]


class AlertsConfig(_Section):
    """Alert rules: the shipped defaults (unless switched off) and the config's own."""

    defaults: bool = True
    rules: list[AlertRule] = Field(default_factory=list)
    # An open alert whose metric has had no sample for this long is resolved as stale.
    stale_after_s: int = Field(3600, ge=60)

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, value: list[AlertRule]) -> list[AlertRule]:
        names = [rule.name for rule in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"rule names must be unique; given twice: {', '.join(twice)}")
        return value

    def effective(self) -> list[AlertRule]:
        """The rules in force, the config's replacing defaults of the same name."""
        mine = {rule.name: rule for rule in self.rules}
        shipped = [r for r in DEFAULT_ALERT_RULES if r.name not in mine] if self.defaults else []
        return [*shipped, *mine.values()]


class JobsConfig(_Section):
    """The job queue's clocks."""

    # A job with no sign of life (start or progress) this long was left by a daemon that died.
    stale_after_s: int = Field(600, ge=10)
    # A scheduled run nobody took this long (its host is gone) is expired by the clean-up.
    expire_waiting_after_s: int = Field(3600, ge=60)


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
    insights: InsightsConfig = InsightsConfig()
    # Merged over DEFAULT_METRIC_SQL; an empty string switches a default metric off.
    metrics: dict[str, MetricSQL] = Field(default_factory=dict)

    @field_validator("metrics")
    @classmethod
    def _metric_names(cls, value: dict[str, MetricSQL]) -> dict[str, MetricSQL]:
        for name, sql in value.items():
            if isinstance(sql, dict) and not set(sql) <= {"sqlite", "postgresql"}:
                raise ValueError(
                    f"metric {name!r}: per-database SQL takes the keys sqlite and postgresql"
                )
            area, _, rest = name.partition(".")
            if len(name) > MAX_METRIC_NAME:
                raise ValueError(f"metric name {name[:40]!r}… is longer than {MAX_METRIC_NAME}")
            if area not in SQL_METRIC_AREAS or not rest:
                allowed = ", ".join(f"{a}.<name>" for a in SQL_METRIC_AREAS)
                raise ValueError(f"metric name {name!r} must look like {allowed}")
        return value

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
        merged = {**DEFAULT_METRIC_SQL, **self.metrics}
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
