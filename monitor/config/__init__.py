"""Configuration: one TOML file (`--config` or $MONITOR_CONFIG), two environment overrides
($MONITOR_SOURCE_DB, $MONITOR_STORE), and defaults that run the demo.

`settings` holds the sections and `load_settings`, `rules` the alert rules, `defaults` the SQL
that fits the seed shop's schema. May import the errors and the redaction only: every other
package reads its settings from here.
"""

from __future__ import annotations

from monitor.config.access import ApiConfig, AuthConfig, OidcConfig, Role
from monitor.config.defaults import (
    CONFIG_ENV,
    DEFAULT_CRITICAL_TABLES,
    DEFAULT_METRIC_SQL,
    DEFAULT_TABLE_PROBES,
    DEFAULT_TABLE_TITLES,
    SOURCE_ENV,
    STORE_ENV,
    MetricSQL,
)
from monitor.config.metrics import MetricConfig
from monitor.config.notify import ChannelConfig, NotifyConfig
from monitor.config.reports import ReportConfig
from monitor.config.rules import DEFAULT_ALERT_RULES, SEVERITIES, AlertRule, AlertsConfig
from monitor.config.settings import (
    AccessLogConfig,
    DemoConfig,
    InsightsConfig,
    JobsConfig,
    OpsConfig,
    Probe,
    ScheduleConfig,
    Settings,
    SourceConfig,
    StoreConfig,
    Thresholds,
    check_url,
    load_settings,
)
from monitor.config.status import StatusComponent, StatusPageConfig
from monitor.config.windows import WindowConfig
from monitor.redaction import redact_url

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_ALERT_RULES",
    "DEFAULT_CRITICAL_TABLES",
    "DEFAULT_METRIC_SQL",
    "DEFAULT_TABLE_PROBES",
    "DEFAULT_TABLE_TITLES",
    "SEVERITIES",
    "SOURCE_ENV",
    "STORE_ENV",
    "AccessLogConfig",
    "AlertRule",
    "AlertsConfig",
    "ApiConfig",
    "AuthConfig",
    "ChannelConfig",
    "DemoConfig",
    "InsightsConfig",
    "JobsConfig",
    "MetricConfig",
    "MetricSQL",
    "NotifyConfig",
    "OidcConfig",
    "OpsConfig",
    "Probe",
    "ReportConfig",
    "Role",
    "ScheduleConfig",
    "Settings",
    "SourceConfig",
    "StatusComponent",
    "StatusPageConfig",
    "StoreConfig",
    "Thresholds",
    "WindowConfig",
    "check_url",
    "load_settings",
    "redact_url",
]
