"""The base of every configuration section: unknown keys are errors, values are frozen."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter
from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A TOML table of the configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def unique_names(names: list[str], what: str) -> None:
    """ValueError naming the names given twice (rules, channels: each is referred to by it)."""
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{what} names must be unique; given twice: {', '.join(twice)}")


def known_zone(value: str) -> str:
    """`value` if it names a time zone, else a ValueError saying what to give."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}: use an IANA name such as 'Europe/Paris' or 'UTC'"
        ) from None
    return value


def valid_cron(value: str, example: str) -> str:
    """`value` if empty or a cron expression that fires, else a ValueError saying why."""
    if not value:
        return value
    if not croniter.is_valid(value):
        raise ValueError(f"cron {value!r} is not a cron expression (e.g. '{example}')")
    try:  # "30 February" is a valid expression that never fires
        croniter(value, datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError:
        raise ValueError(f"cron {value!r} never fires: no date matches it") from None
    return value
