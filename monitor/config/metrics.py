"""`[metrics."<name>"]`: a metric's SQL and its words, unit and kind, adding a metric or
overriding a shipped one key by key; and the locale and currency figures are written in. The
older forms stay valid: `"<name>" = "SELECT …"` and `"<name>" = {sqlite = "…", postgresql =
"…"}`."""

from __future__ import annotations

from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency
from pydantic import Field, model_validator

from monitor.config.base import Section
from monitor.config.defaults import MetricSQL

DIALECTS = {"sqlite", "postgresql"}


class MetricConfig(Section):
    """What the configuration says of one metric; a key left out keeps the shipped value."""

    sql: MetricSQL | None = None  # "" switches a shipped SQL metric off
    title: str | None = Field(None, min_length=1, max_length=80)
    unit: str | None = Field(None, max_length=20)
    area: Literal["performance", "business", "seo", "database"] | None = None
    kind: Literal["share", "count", "money", "duration", "size", "yes_no", "number"] | None = None
    better: Literal["higher", "lower", "either"] | None = None
    headline: bool | None = None
    help: str | None = Field(None, max_length=300)
    decimals: int | None = Field(None, ge=0, le=6)  # places kept in the API's figures
    summary: Literal["latest", "average"] | None = None  # a tile: newest reading or average
    # The words of its Prometheus name (`vigie_<area>_<these>_<unit>`), camelCase or snake_case.
    exposed: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9_]{0,60}$")

    @model_validator(mode="before")
    @classmethod
    def _older_forms(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"sql": value}
        if isinstance(value, dict) and value and set(value) <= DIALECTS:
            return {"sql": value}
        return value

    @model_validator(mode="after")
    def _dialects(self) -> MetricConfig:
        if isinstance(self.sql, dict) and not set(self.sql) <= DIALECTS:
            raise ValueError("per-database SQL takes the keys sqlite and postgresql")
        return self


def check_locale(name: str) -> str:
    """`name` if Babel knows the locale, else ValueError saying what a locale looks like."""
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown locale {name!r}: use a code such as 'en' or 'fr_FR'") from None
    return name


def check_currency(code: str) -> str:
    """`code` if it is an ISO 4217 currency code, else ValueError."""
    if not is_currency(code):
        raise ValueError(f"unknown currency {code!r}: use an ISO 4217 code such as 'EUR'")
    return code
