"""The demo shop: a car-parts database with realistic data and a simulator that keeps it alive.

Owns the demo shop's own database (never the store's tables, never a database it did not make:
see `shop.create_shop`) and its access log. May import the config, the store (to backfill
history), the collectors (where the history ends), the alerts (its past incidents' alerts) and
the daemon (`live` runs inside it).
"""

from __future__ import annotations

from monitor.demo.shop import (
    SHOP_METADATA,
    ShopExistsError,
    ShopSummary,
    create_shop,
    demo_url,
    shop_exists,
)
from monitor.demo.simulator import ShopSimulator, TickSummary

__all__ = [
    "SHOP_METADATA",
    "ShopExistsError",
    "ShopSimulator",
    "ShopSummary",
    "TickSummary",
    "create_shop",
    "demo_url",
    "shop_exists",
]
