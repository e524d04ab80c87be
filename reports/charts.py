"""Bar charts as SVG geometry, drawn on the server.

The template ``reports/_chart.html`` turns a :class:`SvgChart` into inline SVG: no script, no style
attribute (the Content-Security-Policy stays strict); colours come from classes in
``static/css/reports.css``. Every chart has its data table under it, so the SVG is a picture of the
table, named by its title.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .selectors import Chart

WIDTH = 640
BAR_THICKNESS = 18
LABEL_CHARS = 28


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    series: int
    label: str


@dataclass
class Tick:
    x: float
    y: float
    text: str


@dataclass
class SvgChart:
    width: int
    height: int
    horizontal: bool
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    bars: list[Bar] = field(default_factory=list)
    category_labels: list[Tick] = field(default_factory=list)
    value_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[int, str, float]] = field(default_factory=list)  # series, name, y
    empty: bool = False


def nice_axis(top: float) -> tuple[float, float]:
    """The axis end and the tick step: a step of 1, 2 or 5 times a power of ten, at most four steps."""
    if top <= 0:
        return 1.0, 0.25
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if raw <= m * power)
    return step * math.ceil(top / step - 1e-9), step


def _tick_text(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _short(label: str) -> str:
    if re.fullmatch(r"\d\d/\d{4}", label):  # a month: 01/2026 → 01/26
        return label[:3] + label[5:]
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def layout(chart: Chart) -> SvgChart:
    series_count = max(1, len(chart.series))
    top = max([max(values, default=0) for _name, values in chart.series] or [0])
    axis_max, step = nice_axis(top)
    ticks = [step * n for n in range(round(axis_max / step) + 1)]
    legend_height = 20 * series_count if series_count > 1 else 0
    empty = top <= 0
    if chart.horizontal:
        group = BAR_THICKNESS * series_count + 10
        height = int(30 + legend_height + group * max(1, len(chart.categories)) + 30)
        left, right = 200.0, WIDTH - 20.0
        plot_top, plot_bottom = 10.0 + legend_height, height - 30.0
        svg = SvgChart(WIDTH, height, True, left, plot_top, right, plot_bottom, empty=empty)
        for index, category in enumerate(chart.categories):
            group_top = plot_top + index * group + 5
            svg.category_labels.append(Tick(left - 8, group_top + group / 2, _short(category)))
            for s, (_name, values) in enumerate(chart.series):
                value = values[index]
                length = (right - left) * (value / axis_max)
                svg.bars.append(
                    Bar(left, group_top + s * BAR_THICKNESS, length, BAR_THICKNESS - 3, value, s, category)
                )
        for value in ticks:
            x = left + (right - left) * value / axis_max
            svg.value_ticks.append(Tick(x, plot_bottom + 18, _tick_text(value)))
    else:
        height = int(260 + legend_height)
        left, right = 50.0, WIDTH - 10.0
        plot_top, plot_bottom = 10.0 + legend_height, height - 40.0
        svg = SvgChart(WIDTH, height, False, left, plot_top, right, plot_bottom, empty=empty)
        count = max(1, len(chart.categories))
        slot = (right - left) / count
        bar_width = max(2.0, min(40.0, (slot * 0.8) / series_count))
        every = max(1, math.ceil(count / 12))  # at most twelve labels under the axis
        for index, category in enumerate(chart.categories):
            slot_left = left + index * slot + (slot - bar_width * series_count) / 2
            if index % every == 0:
                svg.category_labels.append(
                    Tick(left + index * slot + slot / 2, plot_bottom + 16, _short(category))
                )
            for s, (_name, values) in enumerate(chart.series):
                value = values[index]
                bar_height = (plot_bottom - plot_top) * (value / axis_max)
                svg.bars.append(
                    Bar(
                        slot_left + s * bar_width,
                        plot_bottom - bar_height,
                        bar_width - 1,
                        bar_height,
                        value,
                        s,
                        category,
                    )
                )
        for value in ticks:
            y = plot_bottom - (plot_bottom - plot_top) * value / axis_max
            svg.value_ticks.append(Tick(left - 6, y + 4, _tick_text(value)))
    if series_count > 1:
        svg.legend = [(s, name, 14 + 20 * s) for s, (name, _values) in enumerate(chart.series)]
    return svg
