"""Availability (SLA): how long each part of the shop was up, down, in maintenance or not
watched, its incidents and their causes, from the stored history. Owns no table: it reads
the samples, the alerts and the configured maintenance windows."""

from __future__ import annotations

from monitor.availability.components import HEALTH_EVERY_S, HEALTH_METRIC, Component, components
from monitor.availability.sla import (
    BAR_DAYS,
    PERIODS,
    Availability,
    Incident,
    as_dict,
    availability,
)
from monitor.availability.timeline import Figures, Piece

__all__ = [
    "BAR_DAYS",
    "HEALTH_EVERY_S",
    "HEALTH_METRIC",
    "PERIODS",
    "Availability",
    "Component",
    "Figures",
    "Incident",
    "Piece",
    "as_dict",
    "availability",
    "components",
]
