"""Insights benchmark (on demand): fit, trend and anomalies of every demo metric over 30 days,
the whole Insights report, and each forecast's backtest errors against the baselines.

Builds a demo store (shop at scale 0.05, 30 days of backfilled history), then times, in one run,
the insights of every metric in it and the report the page and the API show (trends, predicted
issues, backtests, forecasts, anomalies, baselines, table growth, advice).
Target: under 2 s for the demo's metrics.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from monitor.config import load_settings
from monitor.insights.findings import DAY, anomalies, fit, is_daily, report, trend
from monitor.store import HistoryStore

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="vigie-insights-bench-"))
    config = work / "vigie.toml"
    config.write_text(f'data_dir = "{work}"\n[demo]\nscale = 0.05\nbackfill_days = 30\n')
    subprocess.run(
        [sys.executable, "collector_daemon.py", "--once"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "MONITOR_CONFIG": str(config)},
    )
    store = HistoryStore(f"sqlite:///{work / 'history.sqlite'}", create=False)
    now = time.time()
    names = sorted({name for name, labels, _ in store.latest_series() if not labels})
    start = time.perf_counter()
    points = 0
    for name in names:
        series = [(p.ts, p.value) for p in store.series(name, now - 30 * DAY, now)]
        points += len(series)
        trend(fit(series, daily=is_daily(name)))
        anomalies(series, daily=is_daily(name))
    every = time.perf_counter() - start
    os.environ["MONITOR_CONFIG"] = str(config)
    settings = load_settings()
    start = time.perf_counter()
    found = report(store, settings, now=now)
    whole = time.perf_counter() - start
    store.close()
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(names)} metrics, {points:,} points (hourly rollups over 30 days)")
    print(f"fit + trend + anomalies of every metric: {every:.2f} s (target < 2 s)")
    print(f"the whole Insights report (page and API): {whole:.2f} s (target < 2 s)")
    print(f"trends {found['trends']}; {len(found['advice'])} pieces of advice")
    print("backtest, mean absolute error over the next 24 h (rolling origins every 6 h):")
    print(f"{'metric':<34}{'origins':>8}{'model':>12}{'naive':>12}{'seasonal':>12}  method")
    for a in found["accuracy"]:
        print(
            f"{a['metric']:<34}{a['origins']:>8}{a['modelMae']:>12.3f}{a['naiveMae']:>12.3f}"
            f"{a['seasonalNaiveMae']:>12.3f}  {a['method']}"
        )


if __name__ == "__main__":
    main()
