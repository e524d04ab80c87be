"""The committee report as PDF (reportlab: pure Python, no system libraries).

German text, the county's name and logo, per section a short explanation, the chart and the table –
the same sections as the page (:func:`reports.selectors.report_sections`). Names of departments and
channels are escaped before they go into reportlab's paragraph markup.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import selectors
from .selectors import Scope, Section

SERIES_COLOURS = (colors.HexColor("#0b5cad"), colors.HexColor("#c0392b"), colors.HexColor("#6c757d"))
LABEL_CHARS = 30
MAX_CHART_HEIGHT = 190 * mm


def _styles():
    sheet = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=sheet["Title"], fontName="Helvetica-Bold", fontSize=18),
        "h2": ParagraphStyle("h2", parent=sheet["Heading2"], fontName="Helvetica-Bold", fontSize=13),
        "body": ParagraphStyle(
            "body", parent=sheet["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12
        ),
        "cell": ParagraphStyle(
            "cell", parent=sheet["BodyText"], fontName="Helvetica", fontSize=8, leading=10
        ),
        "small": ParagraphStyle(
            "small", parent=sheet["BodyText"], fontName="Helvetica", fontSize=8, leading=10
        ),
    }


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _chart(section: Section) -> Drawing | None:
    chart = section.chart
    if chart is None or section.is_empty or not chart.categories:
        return None
    top = max((max(values, default=0) for _n, values in chart.series), default=0)
    if top <= 0:
        return None
    width = 170 * mm
    label_size = 7
    if chart.horizontal:
        # Never taller than most of a page: many categories get thinner bars and smaller labels.
        per_category = min(9 * len(chart.series) + 6, MAX_CHART_HEIGHT / len(chart.categories))
        label_size = max(4, min(7, per_category - 1))
        height = 20 + len(chart.categories) * per_category + 30
        drawing = Drawing(width, height)
        bars = HorizontalBarChart()
        bars.x, bars.y = 130, 20
        bars.width, bars.height = width - 150, height - 40
    else:
        height = 70 * mm
        drawing = Drawing(width, height)
        bars = VerticalBarChart()
        bars.x, bars.y = 35, 35
        bars.width, bars.height = width - 50, height - 50
        bars.categoryAxis.labels.angle = 45 if len(chart.categories) > 8 else 0
        bars.categoryAxis.labels.boxAnchor = "ne" if len(chart.categories) > 8 else "n"
    categories = [_short(c) for c in chart.categories]
    data = [list(values) for _n, values in chart.series]
    if chart.horizontal:  # reportlab draws the first category at the bottom; the table reads top-down
        categories = categories[::-1]
        data = [values[::-1] for values in data]
    bars.data = data
    # Plain strings: drawn as text, not parsed as markup.
    bars.categoryAxis.categoryNames = categories
    bars.categoryAxis.labels.fontName = "Helvetica"
    bars.categoryAxis.labels.fontSize = label_size
    bars.valueAxis.labels.fontName = "Helvetica"
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    for index in range(len(chart.series)):
        bars.bars[index].fillColor = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        bars.bars[index].strokeColor = None
    drawing.add(bars)
    if len(chart.series) > 1:
        x = 10
        for index, (name, _values) in enumerate(chart.series):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            drawing.add(Rect(x, height - 11, 7, 7, fillColor=colour, strokeColor=None))
            drawing.add(String(x + 10, height - 10, name, fontName="Helvetica", fontSize=8))
            x += 20 + 4.5 * len(name)
    return drawing


def _table(section: Section, styles) -> Table:
    data = [[Paragraph(f"<b>{escape(str(h))}</b>", styles["cell"]) for h in section.table.headers]]
    for row in section.table.rows:
        data.append([Paragraph(escape(_cell(cell)), styles["cell"]) for cell in row])
    table = Table(data, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _logo() -> Image | None:
    path = Path(settings.REPORTS_LOGO)
    if not path.is_file():
        return None
    image = Image(str(path))
    ratio = image.imageHeight / image.imageWidth if image.imageWidth else 1
    image.drawWidth = 22 * mm
    image.drawHeight = 22 * mm * ratio
    image.hAlign = "RIGHT"
    return image


def _period_text(start: date, end: date) -> str:
    return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


def render_report_pdf(scope: Scope, *, title: str = "") -> bytes:
    """The report for ``scope`` as PDF bytes (German, whatever the request's language)."""
    with translation.override("de"):
        styles = _styles()
        sections = selectors.report_sections(scope)
        county = settings.REPORTS_COUNTY_NAME
        title = title or translation.gettext("Social media report")
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=f"{title} {_period_text(scope.start, scope.end)}",
            author=county,
            subject=translation.gettext("Report for the committee"),
            creator="Landkreis Social",
        )
        story = []
        logo = _logo()
        if logo is not None:
            story.append(logo)
        story.append(Paragraph(escape(county), styles["h2"]))
        story.append(Paragraph(escape(f"{title}: {_period_text(scope.start, scope.end)}"), styles["title"]))
        if scope.all_departments:
            covered = translation.gettext("All departments")
        else:
            covered = ", ".join(d.name for d in scope.departments)
        lines = [
            f"{translation.gettext('Departments')}: {covered}",
            f"{translation.gettext('Channel')}: {scope.channel.name if scope.channel else translation.gettext('All channels')}",
            translation.gettext("Created on %(date)s by Landkreis Social from the daily figures.")
            % {"date": timezone.localtime().strftime("%d.%m.%Y %H:%M")},
        ]
        for line in lines:
            story.append(Paragraph(escape(line), styles["body"]))
        story.append(Spacer(1, 6 * mm))
        for section in sections:
            block = [
                Paragraph(escape(section.title), styles["h2"]),
                Paragraph(escape(section.explanation), styles["body"]),
            ]
            if section.note:
                block.append(Paragraph(escape(section.note), styles["small"]))
            block.append(Spacer(1, 2 * mm))
            if section.is_empty:
                block.append(
                    Paragraph(escape(translation.gettext("No figures in this period.")), styles["body"])
                )
                story.append(KeepTogether(block))
                story.append(Spacer(1, 5 * mm))
                continue
            drawing = _chart(section)
            if drawing is not None:
                block.append(drawing)
            story.append(KeepTogether(block))
            story.append(_table(section, styles))
            story.append(Spacer(1, 6 * mm))
        document.build(story)
        return buffer.getvalue()
