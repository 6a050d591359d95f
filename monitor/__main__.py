"""Vigie's command line: `python -m monitor latest --json`, `python -m monitor demo create`, …"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from monitor.access import commands as access_commands
from monitor.config import Settings, check_url, load_settings, redact_url
from monitor.errors import ConfigError, VigieError, first_line
from monitor.fleet import Fleet, host_of, on_host
from monitor.metrics import catalog
from monitor.samples import Sample
from monitor.store import HistoryStore, store_failure


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def latest(settings: Settings, as_json: bool) -> int:
    """Print the newest value of every metric, as a table or as JSON."""
    store = HistoryStore(settings.store_url, create=False, host=settings.host_name)
    try:
        values = store.latest()
    except SQLAlchemyError as exc:  # corrupt, gone or locked since it was opened
        raise store_failure(settings.store_url, exc) from None
    finally:
        store.close()
    if as_json:
        print(
            json.dumps(
                {k: {"value": v.value, "ts": _iso(v.ts)} for k, v in values.items()}, indent=2
            )
        )
    else:
        width = max((len(k) for k in values), default=0)
        for key, value in values.items():
            print(
                f"{key:<{width}}  {value.value:>16,.2f}  {_iso(value.ts)}"
                f"{'  (demo)' if value.demo else ''}"
            )
    return 0


def hosts(settings: Settings, forget: str | None) -> int:
    """List the hosts that write the store, or forget one that left the fleet for good."""
    store = HistoryStore(settings.store_url, create=False, host=settings.host_name)
    try:
        fleet = Fleet(store)
        known = fleet.hosts()
        if forget is not None:
            if not fleet.forget(forget):
                names = ", ".join(h.name for h in known) or "none yet"
                raise ConfigError(f"no host {forget!r} writes this store; hosts: {names}")
            print(
                f"forgot host {forget}: its history stays, host_down no longer watches it "
                "(an open host_down alert resolves as stale); it comes back if its daemon writes"
            )
            return 0
    except SQLAlchemyError as exc:
        raise store_failure(settings.store_url, exc) from None
    finally:
        store.close()
    now = time.time()
    width = max((len(h.name) for h in known), default=0)
    for host in known:
        state = "quiet" if host.quiet(now) else "up"
        print(
            f"{host.name:<{width}}  {state:<5}  last write {_iso(host.last_write)} "
            f"({host.age(now):,.0f} s ago), every {host.interval_s} s"
        )
    if not known:
        print("no host has written this store yet")
    return 0


def report(settings: Settings, kind: str, out: str) -> int:
    """Write the last whole day's or week's report to `out` (.pdf or .html)."""
    from monitor.reports import KINDS, build, charts, html, pdf

    target = Path(out)
    if target.suffix.lower() not in (".pdf", ".html"):
        raise ConfigError(f"--out {out}: give a file ending in .pdf or .html")
    store = HistoryStore(settings.store_url, create=False, host=settings.host_name)
    try:
        words = catalog(settings)
        found = build(store, settings, name=kind, period=KINDS[kind], now=time.time(), words=words)
    except SQLAlchemyError as exc:
        raise store_failure(settings.store_url, exc) from None
    finally:
        store.close()
    drawn = charts(found, words)
    try:
        if target.suffix.lower() == ".pdf":
            target.write_bytes(pdf(found, words, drawn))
        else:
            target.write_text(html(found, words, drawn, mail=False), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {out}: {exc.strerror}") from None
    print(
        f"{kind} report written to {out}" + ("" if found.has_data else " (no data in the period)")
    )
    return 0


def demo_create(settings: Settings, url: str | None, scale: float, replace: bool) -> int:
    """Create the demo shop at `url` (default: the configured source)."""
    from monitor.demo.shop import create_shop

    try:
        target = check_url(url) if url else settings.source_url
    except ValueError as exc:
        raise ConfigError(f"--url {redact_url(url or '')}: {exc}") from None
    try:
        summary = create_shop(target, scale=scale, replace=replace, report=_shop_progress())
    except SQLAlchemyError as exc:
        raise VigieError(
            f"cannot create the demo shop in {redact_url(target)}: {first_line(exc)}"
        ) from None
    except OSError as exc:  # no right to make the SQLite file's folder
        raise VigieError(
            f"cannot create the demo shop in {redact_url(target)}: {exc.strerror or exc}"
        ) from None
    except ValueError as exc:  # a scale the catalogue cannot serve
        raise VigieError(f"cannot create the demo shop: {exc}") from None
    print(f"demo shop created in {redact_url(target)}: {summary}")
    return 0


def notify_test(settings: Settings, only: str | None) -> int:
    """Send a test message to each channel (or one) and say in one line what each answered."""
    from monitor.notifications.testing import send_test

    answers = send_test(settings, only)
    for answer in answers:
        print(answer.line())
    return 0 if all(a.taken for a in answers) else 1


def _print_windows(settings: Settings) -> None:
    """Each maintenance window's next (or current) run in UTC: the check that a cron and a
    time zone mean what their writer meant."""
    import time

    from monitor.notifications.windows import spans

    now = time.time()
    for window in settings.maintenance_windows:
        if window.cron:
            found = spans(window, now, now + 400 * 86400)[:1]
            when = f"{_utc(found[0].start)} to {_utc(found[0].end)}" if found else "no run ahead"
        else:
            over = " (over)" if window.ends_at <= now else ""
            when = f"{_utc(window.starts_at)} to {_utc(window.ends_at)}{over}"
        print(f"maintenance window {window.name}: {when} ({window.rule} on {window.subject})")


def _utc(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def history_import(settings: Settings, path: str) -> int:
    """Load a CSV of samples into the store; 0 when every line was taken, 1 when some were
    refused (the rest is in), 2 when the file cannot be read."""
    import time

    from monitor.store.transfer import import_csv

    try:
        handle = open(path, encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise VigieError(f"cannot read {path}: {exc.strerror}") from None
    store = HistoryStore(settings.store_url, host=settings.host_name)
    per_host, host = catalog(settings).per_host, settings.host_name

    def label(sample: Sample) -> Sample:
        # A machine's figure from the monitor used before is this machine's, like the ones
        # Vigie collects here; one that names its host keeps it.
        if per_host(sample.name) and host_of(sample.labels) is None:
            return sample._replace(labels=on_host(sample.labels, host))
        return sample

    try:
        with handle:
            done = import_csv(store, handle, now=time.time(), label=label)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise VigieError(f"{path} is not a UTF-8 CSV file: {first_line(exc)}") from None
    finally:
        store.close()
    span = f", {_iso(done.first)} to {_iso(done.last)}" if done.first and done.last else ""
    print(f"took {done.taken:,} samples of {len(done.series):,} series{span}")
    for line, why in done.refused[:20]:
        print(f"refused line {line}: {why}")
    if len(done.refused) > 20:
        print(f"… and {len(done.refused) - 20:,} more refused lines")
    if done.refused:
        print(f"refused {len(done.refused):,} lines in all")
    return 1 if done.refused else 0


def history_export(
    settings: Settings, metric: str, start: str | None, end: str | None, out: str | None
) -> int:
    """Write one metric's series as CSV, in the import's columns."""
    import time

    from monitor.store.transfer import export_rows, parse_time

    try:
        until = parse_time(end) if end else time.time()
        since = parse_time(start) if start else until - 86400
    except ValueError:
        raise ConfigError("--from and --to take ISO 8601 times, as 2026-11-30T14:00:00Z") from None
    store = HistoryStore(settings.store_url, create=False, host=settings.host_name)
    try:
        if metric not in store.series_names():
            raise VigieError(f"no series of {metric!r} is stored (see `python -m monitor latest`)")
        rows = list(export_rows(store, metric, since, until))
    except SQLAlchemyError as exc:
        raise store_failure(settings.store_url, exc) from None
    finally:
        store.close()
    target = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout  # noqa: SIM115
    try:
        csv.writer(target, lineterminator="\n").writerows(rows)
    finally:
        if out:
            target.close()
    if out:
        print(f"wrote {len(rows) - 1:,} samples of {metric} to {out}", file=sys.stderr)
    return 0


def _shop_progress() -> Callable[[float], None]:
    """Where `demo create` tells its progress when the daemon runs it (the dashboard reads
    it); nowhere otherwise."""
    from monitor.demo.progress import ENV, Reporter

    target = os.environ.get(ENV)
    return Reporter(Path(target) if target else None, "shop")


def _scale(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 (excluded) and 3")
    return value


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    """Run the command `args` names."""
    if args.command in ("users", "tokens"):
        return access_commands.run(settings, args)
    if args.command == "latest":
        return latest(settings, args.json)
    if args.command == "demo":
        return demo_create(settings, args.url, args.scale, args.replace)
    if args.command == "notify":
        return notify_test(settings, args.channel)
    if args.command == "history" and args.history_command == "import":
        return history_import(settings, args.file)
    if args.command == "report":
        return report(settings, args.kind, args.out)
    if args.command == "hosts":
        return hosts(settings, args.forget)
    if args.command == "history":
        return history_export(settings, args.metric, args.start, args.end, args.out)
    if settings.notify.channels:  # a wrong channel URL is a wrong setting too
        from monitor.notifications.channels import channels

        channels(settings)
    print(
        f"configuration OK: source {redact_url(settings.source_url)}, "
        f"store {redact_url(settings.store_url)}, "
        f"demo {'on' if settings.demo_enabled else 'off'}"
    )
    _print_windows(settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit status 2 with one line on stderr for anything a person must fix."""
    config_help = "TOML config file (default: $MONITOR_CONFIG)"
    parser = argparse.ArgumentParser(prog="python -m monitor", description=__doc__)
    parser.add_argument("--config", help=config_help)
    # --config is accepted after the command too; SUPPRESS keeps the one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=config_help)
    commands = parser.add_subparsers(dest="command", required=True)
    latest_cmd = commands.add_parser(
        "latest", parents=[common], help="newest value of every metric"
    )
    latest_cmd.add_argument("--json", action="store_true", help="print JSON")
    demo_cmd = commands.add_parser("demo", help="the demo shop")
    demo_sub = demo_cmd.add_subparsers(dest="demo_command", required=True)
    create_cmd = demo_sub.add_parser("create", parents=[common], help="create the demo shop")
    create_cmd.add_argument("--url", help="database URL (default: the configured source)")
    create_cmd.add_argument("--scale", type=_scale, default=1.0, help="1.0 = the seed's size")
    create_cmd.add_argument("--replace", action="store_true", help="drop an existing shop first")
    commands.add_parser("check-config", parents=[common], help="validate the configuration")
    notify_cmd = commands.add_parser("notify", help="notification channels")
    notify_sub = notify_cmd.add_subparsers(dest="notify_command", required=True)
    test_cmd = notify_sub.add_parser("test", parents=[common], help="send a test message")
    test_cmd.add_argument("--channel", help="only this channel (default: every channel)")
    history_cmd = commands.add_parser("history", help="samples in and out as CSV")
    history_sub = history_cmd.add_subparsers(dest="history_command", required=True)
    import_cmd = history_sub.add_parser(
        "import", parents=[common], help="load FILE.csv (metric, labels, ts, value)"
    )
    import_cmd.add_argument("file", help="CSV with the columns metric, labels, ts, value")
    export_cmd = history_sub.add_parser("export", parents=[common], help="one metric as CSV")
    export_cmd.add_argument("--metric", required=True, help="the metric, as performance.cpuUsage")
    export_cmd.add_argument("--from", dest="start", help="ISO 8601 (default: a day before --to)")
    export_cmd.add_argument("--to", dest="end", help="ISO 8601 (default: now)")
    export_cmd.add_argument("--out", help="file to write (default: standard output)")
    hosts_cmd = commands.add_parser(
        "hosts", parents=[common], help="the hosts that write the store, with their last write"
    )
    hosts_cmd.add_argument("--forget", metavar="NAME", help="forget a host that left the fleet")
    report_cmd = commands.add_parser(
        "report", parents=[common], help="the last whole day's or week's report, as PDF or HTML"
    )
    report_cmd.add_argument("kind", choices=["daily", "weekly"])
    report_cmd.add_argument("--out", required=True, help="the file to write: .pdf or .html")
    access_commands.add_commands(commands, common)
    args = parser.parse_args(argv)
    try:
        return _dispatch(load_settings(args.config), args)
    except VigieError as exc:
        print(f"vigie: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vigie: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `python -m monitor latest | head`: the reader had enough
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
