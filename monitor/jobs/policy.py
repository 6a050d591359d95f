"""How each queue retries and how many finished jobs it keeps (the seed's BullMQ settings),
and which queue each job type belongs to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueuePolicy:
    """How a queue retries and how many finished jobs it keeps."""

    attempts: int
    backoff: str  # "exponential" | "fixed"
    delay_s: float
    keep_completed: int
    keep_failed: int

    def retry_delay(self, attempts_made: int) -> float:
        """Seconds to wait before the next attempt, after `attempts_made` failed ones."""
        if self.backoff == "exponential":
            return self.delay_s * 2 ** (attempts_made - 1)
        return self.delay_s


QUEUES: dict[str, QueuePolicy] = {
    "metrics": QueuePolicy(
        attempts=3, backoff="exponential", delay_s=2.0, keep_completed=100, keep_failed=50
    ),
    "maintenance": QueuePolicy(
        attempts=2, backoff="fixed", delay_s=5.0, keep_completed=50, keep_failed=25
    ),
}

# Which queue each job type belongs to.
JOB_TYPES: dict[str, str] = {
    "performance": "metrics",
    "business": "metrics",
    "seo": "metrics",
    "database_health": "metrics",
    "cleanup": "maintenance",
    "optimization": "maintenance",
    "alerts_resolution": "maintenance",
}
# Collections of the shop itself, not of one machine: one daemon of a fleet schedules them
# (the holder of the shop-scheduler lease), with the maintenance; each host schedules its own
# machine and access-log collection.
SHOP_WIDE = frozenset({"business", "seo", "database_health"})
# What people call each job type (and the collector of the same name).
JOB_TITLES: dict[str, str] = {
    "performance": "Machine and site figures",
    "business": "Business figures",
    "seo": "SEO figures",
    "database_health": "Database health",
    "cleanup": "Clean-up",
    "optimization": "Optimisation",
    "alerts_resolution": "Alert resolution",
}
