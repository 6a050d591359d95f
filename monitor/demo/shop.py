"""The demo shop: the seed's five tables, filled with a year of a French car-parts shop's trade."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable
from tqdm import tqdm

from monitor.demo.catalogue import catalogue_for
from monitor.demo.product_pages import seo_rows, sitemap_rows
from monitor.demo.progress import ReportingBar
from monitor.demo.trade import (
    HISTORY_DAYS,
    ORDERS_PER_DAY,
    Row,
    customer_rows,
    history_orders,
    join_times,
)
from monitor.errors import VigieError, first_line
from monitor.redaction import redact_url

# SQLite keeps DateTime as text. Without microseconds every stored value has one shape, so SQL
# comparing a column with a bound datetime compares like with like.
_SQLITE_TIMESTAMP = sqlite.DATETIME(
    storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d"
)
Timestamp = sa.DateTime().with_variant(_SQLITE_TIMESTAMP, "sqlite")

SHOP_METADATA = sa.MetaData()

# Ids are plain integers, not SERIAL: the shop and the simulator number rows themselves. The
# indexes are those the shop's pages read the newest rows through, as Vigie's table probes do
# (monitor.config.DEFAULT_TABLE_PROBES).
CUSTOMER = sa.Table(
    "___xtr_customer",
    SHOP_METADATA,
    sa.Column("cst_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("cst_mail", sa.Text),
    sa.Column("cst_name", sa.Text),
    sa.Column("cst_fname", sa.Text),
    sa.Column("cst_city", sa.Text),
    sa.Column("cst_zip_code", sa.Text),
    sa.Column("cst_country", sa.Text),
    sa.Column("cst_activ", sa.Text),
    sa.Column("cst_date_add", Timestamp, index=True),
)
ORDER = sa.Table(
    "___xtr_order",
    SHOP_METADATA,
    sa.Column("ord_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ord_cst_id", sa.Integer, sa.ForeignKey("___xtr_customer.cst_id")),
    sa.Column("ord_date", Timestamp, index=True),
    sa.Column("ord_total_ht", sa.Text),
    sa.Column("ord_total_ttc", sa.Text),
    sa.Column("ord_shipping_cost", sa.Text),
    sa.Column("ord_is_pay", sa.Text),
    sa.Column("ord_date_pay", Timestamp, nullable=True),
    sa.Column("ord_ords_id", sa.Text),
    sa.Column("ord_info", sa.Text),
)
ORDER_LINE = sa.Table(
    "___xtr_order_line",
    SHOP_METADATA,
    sa.Column("orl_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("orl_ord_id", sa.Integer, sa.ForeignKey("___xtr_order.ord_id"), index=True),
    sa.Column("orl_pg_id", sa.Integer),
    sa.Column("orl_art_ref", sa.Text),
    sa.Column("orl_art_quantity", sa.Integer),
    sa.Column("orl_art_price_sell_ttc", sa.Text),
)
SITEMAP_LINK = sa.Table(
    "__sitemap_p_link",
    SHOP_METADATA,
    sa.Column("map_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("map_pg_alias", sa.Text),
    sa.Column("map_pg_id", sa.Integer),
    sa.Column("map_marque_alias", sa.Text),
    sa.Column("map_marque_id", sa.Integer),
    sa.Column("map_modele_alias", sa.Text),
    sa.Column("map_modele_id", sa.Integer),
    sa.Column("map_type_alias", sa.Text),
    sa.Column("map_type_id", sa.Integer),
    sa.Column("map_has_item", sa.Integer),
)
SEO_PAGE = sa.Table(
    "__seo_page",
    SHOP_METADATA,
    sa.Column("page_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("url", sa.Text, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("meta_description", sa.Text),
    sa.Column("noindex", sa.Boolean),
    sa.Column("updated_at", Timestamp, index=True),
)
SHOP_TABLES = (CUSTOMER, ORDER, ORDER_LINE, SITEMAP_LINK, SEO_PAGE)

# Sizes at scale 1.0: the seed's figures for customers and sitemap links.
CUSTOMERS = 59_137
SITEMAP_LINKS = 714_336
SEO_PAGES = 50_000

_BATCH = 5_000


DEMO_MARKER = "vigie_demo_shop"


class ShopExistsError(VigieError):
    """The shop's tables already hold rows and the caller did not ask to replace them."""


class NotOurDatabase(VigieError):
    """The target database holds tables Vigie did not make: it is never written to."""


class DemoWriteError(VigieError):
    """The database refused the demo shop's writes (no rights, read-only, full)."""


@dataclass(frozen=True)
class ShopSummary:
    """Rows written per table by `create_shop`."""

    customers: int
    orders: int
    order_lines: int
    sitemap_links: int
    seo_pages: int

    @property
    def total(self) -> int:
        """All rows written."""
        return self.customers + self.orders + self.order_lines + self.sitemap_links + self.seo_pages

    def by_table(self) -> dict[str, int]:
        """The counts keyed by table name."""
        return {
            CUSTOMER.name: self.customers,
            ORDER.name: self.orders,
            ORDER_LINE.name: self.order_lines,
            SITEMAP_LINK.name: self.sitemap_links,
            SEO_PAGE.name: self.seo_pages,
        }


# ---------------------------------------------------------------------------------------------
# Public entry points


def demo_url(data_dir: Path) -> str:
    """The SQLAlchemy URL of the demo shop kept in `data_dir`."""
    return f"sqlite:///{(data_dir / 'demo_shop.sqlite').as_posix()}"


def shop_exists(url: str) -> bool:
    """Whether the five shop tables exist at `url` and each holds at least one row."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        # Connecting would create an empty file; an in-memory database never holds a shop.
        if database in ("", ":memory:") or not Path(database).exists():
            return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return all(_has_rows(conn, table) for table in SHOP_TABLES)
    finally:
        engine.dispose()


def tables_with_rows(url: str) -> list[str]:
    """The shop tables at `url` that hold rows (none for a missing SQLite file)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [table.name for table in SHOP_TABLES if _has_rows(conn, table)]
    finally:
        engine.dispose()


def is_demo_shop(url: str) -> bool:
    """Whether the database at `url` was made by `create_shop` (and so may be simulated on)."""
    if not shop_exists(url):
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).has_table(DEMO_MARKER)
    finally:
        engine.dispose()


def create_shop(
    url: str,
    *,
    scale: float = 1.0,
    seed: int = 42,
    now: datetime | None = None,
    progress: bool = True,
    replace: bool = False,
    report: Callable[[float], None] = lambda _fraction: None,
) -> ShopSummary:
    """Create the shop's tables at `url` and fill them; the same seed and `now` give the same rows.

    `scale` multiplies every row count (1.0 is the seed's shop). Raises `ShopExistsError` when the
    tables already hold rows, unless `replace` is true.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    now = naive_utc(now or datetime.now(UTC)).replace(microsecond=0)
    plan = _Plan.for_scale(scale)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    try:
        _refuse_foreign_or_existing(engine, replace=replace)
        with ReportingBar(
            total=plan.estimated_rows, unit=" rows", desc="demo shop", disable=not progress
        ) as bar:
            bar.report = report
            summary = _fill(engine, plan, seed, now, bar)
            bar.total = bar.n
            bar.refresh()
    except engine.dialect.loaded_dbapi.Error as exc:
        # _fill writes through the driver's own cursor: its errors are the driver's, unwrapped.
        raise DemoWriteError(
            f"cannot write the demo shop into {redact_url(url)}: {first_line(exc)}"
        ) from None
    finally:
        engine.dispose()
    return summary


def naive_utc(moment: datetime) -> datetime:
    """`moment` as a naive UTC datetime (naive input is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Filling the tables


@dataclass(frozen=True)
class _Plan:
    customers: int
    sitemap_links: int
    seo_pages: int
    scale: float

    @classmethod
    def for_scale(cls, scale: float) -> _Plan:
        return cls(
            customers=max(1, round(CUSTOMERS * scale)),
            sitemap_links=max(1, round(SITEMAP_LINKS * scale)),
            seo_pages=max(1, round(SEO_PAGES * scale)),
            scale=scale,
        )

    @property
    def estimated_rows(self) -> int:
        # Orders are drawn, so their count is only known once written.
        orders = ORDERS_PER_DAY * 0.95 * HISTORY_DAYS * self.scale
        return round(self.customers + orders * 2.77 + self.sitemap_links + self.seo_pages)


class _Writer(Protocol):
    def write(self, table: sa.Table, rows: Iterable[Row]) -> int: ...


class _SqliteWriter:
    """Batched `executemany` with datetimes as 'YYYY-MM-DD HH:MM:SS' text."""

    def __init__(self, cursor: Any, bar: tqdm[Any]) -> None:
        self._cursor = cursor
        self._bar = bar

    def write(self, table: sa.Table, rows: Iterable[Row]) -> int:
        marks = ", ".join("?" * len(table.columns))
        sql = f"INSERT INTO {table.name} VALUES ({marks})"
        stamps = [i for i, col in enumerate(table.columns) if isinstance(col.type, sa.DateTime)]
        written = 0
        source = iter(rows)
        while batch := list(islice(source, _BATCH)):
            if stamps:
                batch = [_stamped(row, stamps) for row in batch]
            self._cursor.executemany(sql, batch)
            written += len(batch)
            self._bar.update(len(batch))
        return written


def _stamped(row: Row, stamps: list[int]) -> Row:
    values = list(row)
    for i in stamps:
        if values[i] is not None:
            values[i] = values[i].isoformat(" ", "seconds")
    return tuple(values)


class _PostgresWriter:
    """COPY FROM STDIN through psycopg, the fastest way into PostgreSQL."""

    def __init__(self, cursor: Any, bar: tqdm[Any]) -> None:
        self._cursor = cursor
        self._bar = bar

    def write(self, table: sa.Table, rows: Iterable[Row]) -> int:
        columns = ", ".join(col.name for col in table.columns)
        written = 0
        with self._cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % _BATCH == 0:
                    self._bar.update(_BATCH)
        self._bar.update(written % _BATCH)
        return written


def _has_rows(conn: sa.Connection, table: sa.Table) -> bool:
    if not sa.inspect(conn).has_table(table.name):
        return False
    return conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None


def user_tables(conn: sa.Connection) -> list[str]:
    """Every table of every schema a user can make (system schemas left out), sorted."""
    inspector = sa.inspect(conn)
    system = {"information_schema", "pg_catalog", "pg_toast"}
    schemas = [s for s in inspector.get_schema_names() if s not in system]
    default = inspector.default_schema_name
    return sorted(
        name if schema == default else f"{schema}.{name}"
        for schema in schemas
        for name in inspector.get_table_names(schema=schema)
    )


def _refuse_foreign_or_existing(engine: sa.Engine, *, replace: bool) -> None:
    """Only an empty database, or one holding a demo Vigie made, is ever written to."""
    where = redact_url(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        tables = user_tables(conn)
        if tables and DEMO_MARKER not in tables:
            shown = ", ".join(tables[:5]) + (
                f" and {len(tables) - 5} more" if len(tables) > 5 else ""
            )
            raise NotOurDatabase(
                f"{where} holds tables Vigie did not create ({shown}); Vigie writes a demo "
                "shop only into an empty database or over a demo shop it made itself"
            )
        full = [table.name for table in SHOP_TABLES if _has_rows(conn, table)]
    if full and not replace:
        raise ShopExistsError(
            f"the demo shop already exists in {where} ({', '.join(full)} hold rows); "
            "pass --replace (replace=True) to drop and recreate it"
        )


def _schema_ddl(dialect: Dialect) -> tuple[list[str], list[str]]:
    """Statements that (re)create the tables, and those that index them once filled."""
    tables = [str(DropTable(t, if_exists=True).compile(dialect=dialect)) for t in SHOP_TABLES[::-1]]
    tables += [str(CreateTable(t).compile(dialect=dialect)) for t in SHOP_TABLES]
    indexes = [
        str(CreateIndex(index).compile(dialect=dialect))
        for table in SHOP_TABLES
        for index in sorted(table.indexes, key=lambda i: str(i.name))
    ]
    return tables, indexes


def _fill(engine: sa.Engine, plan: _Plan, seed: int, now: datetime, bar: tqdm[Any]) -> ShopSummary:
    is_sqlite = engine.dialect.name == "sqlite"
    create, index = _schema_ddl(engine.dialect)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if is_sqlite:
            cursor.execute("PRAGMA journal_mode=WAL")
            # An explicit transaction makes the DDL part of it too: a failed load leaves nothing.
            cursor.execute("BEGIN")
        for statement in create:
            cursor.execute(statement)
        writer: _Writer = _SqliteWriter(cursor, bar) if is_sqlite else _PostgresWriter(cursor, bar)
        summary = _write_all(writer, plan, seed, now)
        for statement in index:
            cursor.execute(statement)
        # The mark that lets the simulator write here: it never writes into a real shop.
        cursor.execute(f"DROP TABLE IF EXISTS {DEMO_MARKER}")
        cursor.execute(f"CREATE TABLE {DEMO_MARKER} (created_at TEXT NOT NULL)")
        cursor.execute(f"INSERT INTO {DEMO_MARKER} VALUES ('{now.isoformat()}')")
        raw.commit()
        for table in SHOP_TABLES:
            cursor.execute(f"ANALYZE {table.name}")
        raw.commit()
        if is_sqlite:
            # The load went through the WAL; fold it back so the -wal file does not stay large.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    except BaseException:
        # A broken connection cannot roll back; the original error is the one worth seeing.
        with contextlib.suppress(Exception):
            raw.rollback()
        raise
    finally:
        raw.close()
    return summary


def _write_all(writer: _Writer, plan: _Plan, seed: int, now: datetime) -> ShopSummary:
    joins = join_times(seed, now, plan.customers)
    customers = writer.write(CUSTOMER, customer_rows(seed, now, joins))
    # Orders and their lines go to two tables, and a COPY takes one table at a time: the
    # deterministic generator runs twice rather than holding a year of lines in memory.
    orders = writer.write(ORDER, (o for o, _ in history_orders(seed, now, plan.scale, joins)))
    lines = writer.write(
        ORDER_LINE,
        (line for _, ls in history_orders(seed, now, plan.scale, joins) for line in ls),
    )
    cat = catalogue_for(max(plan.sitemap_links, plan.seo_pages))
    links = writer.write(SITEMAP_LINK, sitemap_rows(seed, cat, plan.sitemap_links))
    pages = writer.write(SEO_PAGE, seo_rows(seed, cat, plan.seo_pages, now))
    return ShopSummary(customers, orders, lines, links, pages)
