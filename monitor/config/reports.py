"""[[reports]]: reports sent on a schedule through the notification channels."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from croniter import croniter
from pydantic import Field, field_validator

from monitor.config.base import Section, known_zone, valid_cron

# When each period's report goes by default: the morning after it ends.
DEFAULT_CRON = {"day": "0 7 * * *", "week": "0 7 * * 1"}


class ReportConfig(Section):
    """One scheduled report: its period, when it goes (cron in its time zone), and where."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    period: Literal["day", "week"] = "week"
    cron: str = ""  # default: 07:00 every day, or every Monday
    timezone: str = "UTC"  # the cron's; the periods are UTC days, as the shop's daily counts
    channels: list[str] = Field(default_factory=list)  # names under [notify]; none: every one

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        # One that never fires would fail the scheduler's every round, not the start-up.
        return valid_cron(value, "0 7 * * 1")

    @property
    def schedule(self) -> str:
        return self.cron or DEFAULT_CRON[self.period]

    def last_slot(self, now: float) -> float:
        """When the report last fell due at or before `now` (epoch seconds)."""
        zone = ZoneInfo(self.timezone)
        start = datetime.fromtimestamp(now + 1, zone)
        found: datetime = croniter(self.schedule, start).get_prev(datetime)
        return found.timestamp()


def check_reports(reports: Iterable[ReportConfig], channels: Iterable[str]) -> None:
    """Names are unique and every channel a report names is configured."""
    known = sorted(channels)
    seen: set[str] = set()
    for report in reports:
        if report.name in seen:
            raise ValueError(f"two reports are called {report.name!r}")
        seen.add(report.name)
        for channel in report.channels:
            if channel not in known:
                raise ValueError(
                    f"report {report.name!r}: channel {channel!r} is not configured under "
                    f"[notify]; configured: {', '.join(known) or 'none'}"
                )
