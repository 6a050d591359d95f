"""[status_page]: the public status page's title, logo and components, each a name customers
read mapped to what Vigie watches: the shop's verdict, the database, an HTTP probe or a
critical table."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field, field_validator

from monitor.config.base import Section, unique_names

CHECK = re.compile(r"^(shop|database|probe:[^\s]+|table:[^\s]+)$")


class StatusComponent(Section):
    """One line of the status page."""

    name: str = Field(min_length=1, max_length=80)
    # "shop" (the quick health's verdict), "database", "probe:<name>", "table:<name>"
    checks: list[str] = Field(default_factory=lambda: ["shop"], min_length=1, max_length=20)

    @field_validator("checks")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        for check in value:
            if not CHECK.match(check):
                raise ValueError(
                    f"check {check[:60]!r} is not one of shop, database, probe:<name>, table:<name>"
                )
        return value


class StatusPageConfig(Section):
    """The public status page (`GET /status`) and its JSON (`GET /api/public/status`)."""

    title: str = Field("Service status", min_length=1, max_length=120)
    logo: str = ""  # an image file shown above the title (PNG, JPEG, SVG or WebP)
    components: list[StatusComponent] = Field(
        default_factory=lambda: [StatusComponent(name="Shop", checks=["shop"])],
        min_length=1,
        max_length=30,
    )

    @field_validator("components")
    @classmethod
    def _unique(cls, value: list[StatusComponent]) -> list[StatusComponent]:
        unique_names([c.name for c in value], "status page component")
        return value

    def check_names(self, probes: Iterable[str], tables: Iterable[str]) -> None:
        """Every probe and table a component names is one the configuration has."""
        known = {"probe": sorted(probes), "table": sorted(tables)}
        for component in self.components:
            for check in component.checks:
                kind, _, name = check.partition(":")
                if kind in known and name not in known[kind]:
                    raise ValueError(
                        f"status_page component {component.name!r}: {check!r} is not a "
                        f"configured {kind}; configured: {', '.join(known[kind]) or 'none'}"
                    )
