"""Charts of the transparency report as inline SVG, drawn on the server: no script, no
external files, colours from classes in parley.css (the CSP allows no inline styles)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640
LABEL_WIDTH = 150
ROW = 26
PLOT_HEIGHT = 160
MARGIN = 28


def _svg(title: str, height: int, chart_id: str) -> ET.Element:
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {WIDTH} {height}", "class": "tr-chart",
        "role": "img", "aria-labelledby": f"{chart_id}-title", "id": chart_id,
    })
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, cls: str = "tr-chart-label",
          anchor: str = "start") -> None:
    ET.SubElement(parent, "text", {"x": f"{x:g}", "y": f"{y:g}", "class": cls,
                                   "text-anchor": anchor}).text = text


def _done(svg: ET.Element) -> SafeString:
    # ElementTree escapes every label and title, so the markup is safe to inline.
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308


def bar_chart(rows: list[tuple[str, int]], title: str, chart_id: str) -> SafeString:
    """Horizontal bars, one per (label, value), the largest spanning the plot."""
    height = max(1, len(rows)) * ROW + 8
    svg = _svg(title, height, chart_id)
    top = max((value for _, value in rows), default=0)
    plot = WIDTH - LABEL_WIDTH - 60
    for i, (label, value) in enumerate(rows):
        y = 4 + i * ROW
        _text(svg, 0, y + 16, label)
        width = round(plot * value / top, 1) if top else 0
        ET.SubElement(svg, "rect", {"x": str(LABEL_WIDTH), "y": str(y + 3),
                                    "width": f"{width:g}", "height": str(ROW - 8),
                                    "class": "tr-chart-bar"})
        _text(svg, LABEL_WIDTH + width + 6, y + 16, str(value), "tr-chart-value")
    if not rows:
        _text(svg, 0, 20, "No data in this period.")
    return _done(svg)


def daily_chart(series: dict[str, dict[str, int]], title: str, chart_id: str) -> SafeString:
    """One line per series (name -> {ISO day: count}) over the days of the period."""
    height = PLOT_HEIGHT + 2 * MARGIN + 20
    svg = _svg(title, height, chart_id)
    days = sorted({day for counts in series.values() for day in counts})
    top = max((n for counts in series.values() for n in counts.values()), default=0)
    left, right, bottom = 40, WIDTH - 10, MARGIN + PLOT_HEIGHT
    ET.SubElement(svg, "line", {"x1": str(left), "y1": str(bottom), "x2": str(right),
                                "y2": str(bottom), "class": "tr-chart-axis"})
    _text(svg, left - 6, MARGIN + 4, str(top), "tr-chart-value", "end")
    _text(svg, left - 6, bottom + 4, "0", "tr-chart-value", "end")
    if days:
        _text(svg, left, bottom + 18, days[0])
        _text(svg, right, bottom + 18, days[-1], anchor="end")
    step = (right - left) / max(1, len(days) - 1)
    scale = PLOT_HEIGHT / top if top else 0
    for index, (name, counts) in enumerate(series.items()):
        points = " ".join(f"{left + i * step:.1f},{bottom - scale * counts.get(day, 0):.1f}"
                          for i, day in enumerate(days))
        ET.SubElement(svg, "polyline", {"points": points,
                                        "class": f"tr-chart-line tr-chart-series{index}"})
        x = left + index * 140
        ET.SubElement(svg, "rect", {"x": str(x), "y": str(height - 14), "width": "12",
                                    "height": "12",
                                    "class": f"tr-chart-key tr-chart-series{index}"})
        _text(svg, x + 18, height - 4, f"{name} ({sum(counts.values())})")
    return _done(svg)
