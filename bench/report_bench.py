"""Benchmark of the weekly report (run on demand: `make bench`, not a test).

Builds the demo's 30 days of history (the demo shop at its full size), then prints the time
to gather the last week's report and to render it as PDF and as a mail's HTML with its charts
(target: under 5 s in all).
"""

from __future__ import annotations

import statistics
import tempfile
import time

from monitor.config import Settings
from monitor.daemon import CollectorDaemon
from monitor.demo.live import start_demo
from monitor.metrics import catalog
from monitor.reports import build, charts, html, pdf


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.model_validate({"data_dir": folder})
        start = time.perf_counter()
        daemon = CollectorDaemon(settings)
        start_demo(settings, daemon)
        print(f"demo history of 30 days built in {time.perf_counter() - start:.0f} s")
        words = catalog(settings)
        gather, render = [], []
        for _ in range(3):
            start = time.perf_counter()
            found = build(
                daemon.store, settings, name="weekly", period="week", now=time.time(), words=words
            )
            middle = time.perf_counter()
            drawn = charts(found, words)
            pdf(found, words, drawn)
            html(found, words, drawn, mail=True)
            gather.append(middle - start)
            render.append(time.perf_counter() - middle)
        daemon.close()
        print(
            f"weekly report: gathered in {statistics.median(gather):.2f} s, rendered (charts, "
            f"PDF, HTML) in {statistics.median(render):.2f} s, median of 3 (target: 5 s in all)"
        )


if __name__ == "__main__":
    main()
