"""Vigie's command line: `python -m monitor latest --json`, `python -m monitor demo create`, …"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from monitor.config import Settings, load_settings, redact_url
from monitor.errors import VigieError
from monitor.store import HistoryStore


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def latest(settings: Settings, as_json: bool) -> int:
    store = HistoryStore(settings.store_url, create=False)
    try:
        values = store.latest()
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


def demo_create(settings: Settings, url: str | None, scale: float, replace: bool) -> int:
    from monitor.demo.shop import create_shop

    target = url or settings.source_url
    summary = create_shop(target, scale=scale, replace=replace)
    print(f"demo shop created in {redact_url(target)}: {summary}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor", description=__doc__)
    parser.add_argument("--config", help="TOML config file (default: $MONITOR_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True)
    latest_cmd = commands.add_parser("latest", help="newest value of every metric")
    latest_cmd.add_argument("--json", action="store_true", help="print JSON")
    demo_cmd = commands.add_parser("demo", help="the demo shop")
    demo_sub = demo_cmd.add_subparsers(dest="demo_command", required=True)
    create_cmd = demo_sub.add_parser("create", help="create the demo shop database")
    create_cmd.add_argument("--url", help="database URL (default: the configured source)")
    create_cmd.add_argument("--scale", type=float, default=1.0, help="1.0 = the seed's size")
    create_cmd.add_argument("--replace", action="store_true", help="drop an existing shop first")
    commands.add_parser("check-config", help="validate the configuration and print it")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        if args.command == "latest":
            return latest(settings, args.json)
        if args.command == "demo":
            return demo_create(settings, args.url, args.scale, args.replace)
        print(
            f"configuration OK: source {redact_url(settings.source_url)}, "
            f"store {redact_url(settings.store_url)}, "
            f"demo {'on' if settings.demo_enabled else 'off'}"
        )
        return 0
    except VigieError as exc:
        print(f"vigie: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
