"""A report as HTML (for mail: charts as inline images every mail client shows, no script;
for a download: the same images inside the page) and as PDF (its text extractable), with
its charts drawn by matplotlib as PNG."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from monitor.metrics import Catalog
from monitor.reports.content import Report
from monitor.reports.layout import NO_DATA, sections, title_of

_PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent),
    autoescape=select_autoescape(default=True),
)
_TEMPLATE = _PAGES.get_template("report.html.j2")


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: bytes

    @property
    def file(self) -> str:
        """Its file name, which is also its Content-ID in a mail (`cid:ordersToday.png`)."""
        return f"{self.name}.png"


def charts(report: Report, words: Catalog) -> list[Chart]:
    """Orders and revenue of each day of the period, as bars."""
    if not report.days:
        return []
    found = []
    for metric, title in (("business.ordersToday", "Orders per day"),
                          ("business.revenueToday", "Revenue per day")):  # fmt: skip
        days = [str(d["day"])[5:] for d in report.days]
        values = [float(d.get(metric, 0.0)) for d in report.days]
        # Figure objects, not pyplot: the dashboard draws reports on threads of its own.
        figure = Figure(figsize=(6.4, 2.4), dpi=110)
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        axes.bar(days, values, color="#1f6feb")
        axes.set_title(title, fontsize=10, loc="left")
        axes.tick_params(labelsize=8)
        axes.set_ylabel(words.axis(metric), fontsize=8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        found.append(Chart(metric.split(".")[1], title, buffer.getvalue()))
    return found


def html(report: Report, words: Catalog, drawn: list[Chart], *, mail: bool) -> str:
    """The report as one HTML page; `mail`: its images as `cid:` parts of the message."""
    images = [
        (
            c.title,
            f"cid:{c.file}"
            if mail
            else "data:image/png;base64," + base64.b64encode(c.png).decode(),
        )
        for c in drawn
    ]
    return _TEMPLATE.render(
        title=title_of(report),
        has_data=report.has_data,
        sections=sections(report, words),
        images=images,
        made=datetime.now(UTC).strftime("%d %b %Y, %H:%M UTC"),
    )


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 8, f"Vigie · page {self.page_no()}", align="C")


def _text(value: str) -> str:
    # The core fonts speak Latin-1: anything else (an emoji in a rule's message) is replaced.
    return (
        value.replace("€", "EUR")
        .replace("—", "-")
        .replace("·", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def pdf(report: Report, words: Catalog, drawn: list[Chart]) -> bytes:
    """The report as a PDF: the same sections and charts, its text extractable."""
    document = _Pdf(format="A4")
    document.set_auto_page_break(True, margin=15)
    document.add_page()
    document.set_font("helvetica", "B", 16)
    document.multi_cell(0, 9, _text(title_of(report)), new_x="LMARGIN", new_y="NEXT")
    document.set_font("helvetica", size=10)
    if not report.has_data:
        document.multi_cell(
            0, 6, "No data was recorded in this period: nothing to report.", new_x="LMARGIN"
        )
        return bytes(document.output())
    for chart in drawn:
        document.image(io.BytesIO(chart.png), w=170)
    for section in sections(report, words):
        document.ln(3)
        document.set_font("helvetica", "B", 12)
        document.cell(0, 8, _text(section.title), new_x="LMARGIN", new_y="NEXT")
        document.set_font("helvetica", size=9)
        if section.rows:
            widths = [60, *([120 / (len(section.header) - 1)] * (len(section.header) - 1))]
            with document.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
                table.row([_text(h) for h in section.header])
                for row in section.rows:
                    table.row([_text(cell) for cell in row])
        for line in section.lines:
            document.set_x(document.l_margin)
            document.multi_cell(0, 5, _text(f"- {line}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


__all__ = ["NO_DATA", "Chart", "charts", "html", "pdf"]
