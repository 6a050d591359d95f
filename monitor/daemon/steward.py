"""What a daemon does for the fleet beside its own jobs: it records its host's writes, takes
its turn as the fleet's scheduler (the lease), and, while it is the scheduler, records which
hosts still write (`fleet.hostUp`, what `host_down` watches) and the quick health's verdict
once a minute (`health.up`, the shop's availability)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from monitor import health
from monitor.alerts import AlertBook, open_alerts
from monitor.availability import HEALTH_METRIC
from monitor.config import Settings
from monitor.daemon.buffer import StoreWriter
from monitor.daemon.quiet import QuietLog
from monitor.errors import first_line
from monitor.fleet import Fleet
from monitor.jobs.leases import SHOP_SCHEDULER, Lease
from monitor.notifications.channels import channels
from monitor.samples import Collection, Labels
from monitor.sources.database import SourceDatabase
from monitor.store import HistoryStore

log = logging.getLogger("vigie.daemon")
Evaluate = Callable[[set[tuple[str, Labels]]], None]
# Rules about Vigie itself and its fleet: a quiet host behind the load balancer or a channel
# refusing messages is ops' news, not the shop being down for its customers.
VIGIE_RULES = frozenset({"host_down", "notification_failing", "collector_late"})


class Steward:
    """One daemon's part in the fleet (see the module)."""

    def __init__(
        self,
        store: HistoryStore,
        settings: Settings,
        *,
        worker: str,
        writer: StoreWriter,
        evaluate: Evaluate,
        now: Callable[[], float],
    ) -> None:
        self.store, self.settings, self.writer = store, settings, writer
        self.evaluate, self.now = evaluate, now
        self.host = settings.host_name
        self.fleet = Fleet(store)
        lease_s = settings.jobs.scheduler_lease_s
        self.lease = Lease(store, SHOP_SCHEDULER, worker, ttl_s=lease_s)
        # Whether this daemon held the lease when it last asked.
        self.scheduler = False
        self._database: SourceDatabase | None = None
        self._quiet = QuietLog()
        self._reports_at = 0.0
        self._slots: dict[str, int] = {}  # each report's slot claimed or found sent

    def hold(self) -> bool:
        """Take or keep the scheduler's lease; whether this daemon is the scheduler."""
        self.scheduler = self.lease.hold(self.now())
        return self.scheduler

    def renew(self) -> None:
        """Keep the lease (or take it from a scheduler that stopped), and do its duties."""
        try:
            self.hold()
        except Exception as exc:  # the store is down: whoever can write it schedules
            self._quiet.error("lease", "cannot renew the scheduler's lease: %s", first_line(exc))
            return
        if self.scheduler:
            self.watch_hosts()

    def beat(self) -> None:
        """Record that this host wrote its figures now."""
        try:
            every = self.settings.schedule.performance
            self.fleet.beat(self.host, interval_s=every, now=self.now())
        except Exception as exc:
            log.error("cannot record this host's last write: %s", first_line(exc))

    def adopt(self, alerts: AlertBook, per_host: Callable[[str], bool]) -> None:
        """A store from before figures carried their host: its machine series become this
        host's (the first daemon to start after the upgrade is taken to be their machine)."""
        try:
            moved = self.fleet.adopt(self.host, per_host)
            if moved:
                alerts.relabel(moved)
        except Exception as exc:
            log.error("cannot label the earlier machine figures: %s", first_line(exc))
            return
        if moved:
            log.info("%d earlier machine series now carry host %s", len(moved), self.host)

    def watch_hosts(self) -> None:
        """`fleet.hostUp` of every host: a quiet one raises `host_down`, one that writes again
        resolves it."""
        try:
            states = self.fleet.states(self.now())
        except Exception as exc:
            self._quiet.error("hosts", "cannot read the fleet's hosts: %s", first_line(exc))
            return
        self._quiet.clear("hosts")
        if self.writer.offer("fleet", states):
            self.evaluate({(s.name, s.labels) for s in states.samples})

    def record_health(self) -> None:
        """`health.up`: 0 while the shop itself is down for its customers (its database does
        not answer, or a critical alert about the shop is open), else 1. Vigie's own troubles
        (a quiet host, a failing channel, its store, this machine's memory) are not the shop's."""
        now = self.now()
        try:
            if self._database is None:
                self._database = health.quick_database(self.settings)
            database = health.check_database(self._database, self.settings)
            critical = [
                a
                for a in open_alerts(self.store)
                if a.severity == "critical" and a.rule not in VIGIE_RULES
            ]
        except Exception as exc:  # a check's bug must not stop the scheduling
            log.error("cannot take the shop's health: %s", first_line(exc))
            return
        states = Collection(ts=now)
        states.add(HEALTH_METRIC, 0.0 if database.status == health.UNHEALTHY or critical else 1.0)
        self.writer.offer("health", states)

    def duties(self) -> None:
        """Once a minute, the scheduler's: the shop's verdict and the reports due."""
        if self.scheduler:
            self.record_health()
            self.send_reports()

    def send_reports(self) -> None:
        """The reports due and not sent yet, at most once a minute (a quarter of an hour after
        a failure)."""
        now = self.now()
        if not self.settings.reports or now < self._reports_at:
            return
        self._reports_at = now + 60
        # Imported here: matplotlib and the PDF maker stay out of a daemon without reports.
        from monitor.reports.mailing import send_due

        try:
            sent, refused = send_due(
                self.store, self.settings, channels(self.settings), now=now, done=self._slots
            )
        except Exception as exc:  # a report's trouble must not stop the scheduling
            log.error("cannot send the reports: %s", first_line(exc))
            self._reports_at = now + 900
            return
        if refused:  # built for nothing: not again for a quarter of an hour
            self._reports_at = now + 900
        if sent:
            log.info("reports sent: %s", ", ".join(sent))

    def close(self) -> None:
        """Hand the lease over at once (a clean stop) and release the health check's database."""
        try:
            self.lease.release()
        except Exception as exc:
            log.warning("cannot hand the scheduler's lease over: %s", first_line(exc))
        if self._database is not None:
            self._database.close()
