"""The [notify] section: where alerts are sent (Apprise URLs), how they are grouped and
repeated."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section, unique_names
from monitor.redaction import register_url_parts

Severity = Literal["info", "warning", "error", "critical"]


class ChannelConfig(Section):
    """One place alerts go: an Apprise URL, given here or in an environment variable."""

    name: str = Field(min_length=1, max_length=60)
    url: str = Field("", repr=False)
    url_env: str = ""
    min_severity: Severity = "error"
    rules: list[str] = Field(default_factory=list)  # globs; empty: every rule

    @field_validator("url")
    @classmethod
    def _masked_everywhere(cls, value: str) -> str:
        register_url_parts(value)
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ChannelConfig:
        if bool(self.url) == bool(self.url_env):
            raise ValueError(f"channel {self.name!r} needs either url or url_env, not both")
        return self

    def url_in_force(self, environ: Mapping[str, str] | None = None) -> str:
        """The channel's URL: its own, or the environment variable's (masked from now on)."""
        if self.url:
            return self.url
        found = (os.environ if environ is None else environ).get(self.url_env, "")
        register_url_parts(found)
        return found


class NotifyConfig(Section):
    """Notifications: the channels, grouping and repeats."""

    dashboard_url: str = ""  # links in messages; none without it
    group_wait_s: float = Field(30.0, ge=0, le=3600)
    repeat_after_s: dict[Severity, int] = Field(default_factory=dict)
    # A message claimed by a daemon that died mid-send is sent again after this long: longer
    # than the slowest channel takes to answer, or a slow answer is sent twice.
    claim_timeout_s: float = Field(120.0, ge=5, le=3600)
    channels: list[ChannelConfig] = Field(default_factory=list)

    @field_validator("channels")
    @classmethod
    def _unique_names(cls, value: list[ChannelConfig]) -> list[ChannelConfig]:
        unique_names([c.name for c in value], "channel")
        return value
