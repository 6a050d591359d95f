"""[[maintenance_windows]]: planned work during which matched alerts are not sent and the
health checks they cover say `maintenance` instead of failing. One-off (`start`, `end`) or
recurring (`cron`, `duration_min`), in the window's own time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section, known_zone, valid_cron

Severity = Literal["info", "warning", "error", "critical"]


class WindowConfig(Section):
    """One maintenance window and what it covers (the same matchers as a silence)."""

    name: str = Field(min_length=1, max_length=60)
    start: datetime | None = None  # one-off: naive times are in `timezone`
    end: datetime | None = None
    cron: str = ""  # recurring: when each window starts, in `timezone`'s local time
    duration_min: int = Field(0, ge=0, le=7 * 24 * 60)
    timezone: str = "UTC"
    rule: str = Field("*", min_length=1)  # glob on alert rule names (and health checks' rules)
    subject: str = Field("*", min_length=1)  # glob on alert subjects (and health checks' names)
    max_severity: Severity = "critical"
    comment: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        return valid_cron(value, "0 2 * * 0")

    @model_validator(mode="after")
    def _one_kind(self) -> WindowConfig:
        one_off = self.start is not None or self.end is not None
        if one_off == bool(self.cron):
            raise ValueError(
                f"window {self.name!r} needs either start and end (one-off) or cron and "
                "duration_min (recurring)"
            )
        if one_off and (self.start is None or self.end is None or self.ends_at <= self.starts_at):
            raise ValueError(f"window {self.name!r}: give both start and end, end after start")
        if self.cron and self.duration_min <= 0:
            raise ValueError(f"window {self.name!r}: a recurring window needs duration_min > 0")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _stamp(self, moment: datetime) -> float:
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=self.zone)
        return aware.timestamp()

    @property
    def starts_at(self) -> float:
        """A one-off window's start (epoch seconds)."""
        assert self.start is not None
        return self._stamp(self.start)

    @property
    def ends_at(self) -> float:
        """A one-off window's end (epoch seconds)."""
        assert self.end is not None
        return self._stamp(self.end)
