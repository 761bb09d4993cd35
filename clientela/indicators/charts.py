"""Trend charts: a Chart.js configuration for the pages and the same chart as SVG drawn on the server
for the PDF (WeasyPrint runs no JavaScript). Both read the same points."""

import math
from collections.abc import Sequence
from typing import Any

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .registry import UNIT_SUFFIX, Unit

# The application's palette (clientela.css): the series, the target line and the three tones.
SERIES = "#1d4ed8"
TARGET = "#b42318"
GRID = "#d5d9e0"
TEXT = "#1b2430"
MUTED = "#505b6b"
TONES = {"good": "#166534", "warning": "#8a4b00", "bad": "#b42318", "neutral": "#505b6b"}


def _get(point: Any, name: str) -> Any:
    return point[name] if isinstance(point, dict) else getattr(point, name)


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return formats.number_format(value, 2, use_l10n=True) + str(UNIT_SUFFIX.get(unit, ""))


def chart_config(points: Sequence[Any], *, label: str, unit: str) -> dict[str, Any]:
    """Chart.js line chart: the indicator per quarter and its target as a dashed line."""
    values = [_get(p, "value") for p in points]
    targets = [_get(p, "target") for p in points]
    low, high = _range([v for v in values if v is not None] + targets, unit)
    return {
        "type": "line",
        "data": {
            "labels": [_get(p, "period") for p in points],
            "datasets": [
                {
                    "label": label,
                    "data": values,
                    "borderColor": SERIES,
                    "backgroundColor": SERIES,
                    "pointBackgroundColor": [TONES[_get(p, "tone")] for p in points],
                    "pointBorderColor": [TONES[_get(p, "tone")] for p in points],
                    "pointRadius": 5,
                    "tension": 0,
                    "spanGaps": False,
                },
                {
                    "label": _("Target"),
                    "data": targets,
                    "borderColor": TARGET,
                    "backgroundColor": TARGET,
                    "borderDash": [6, 4],
                    "pointRadius": 0,
                    "stepped": "middle",
                    "fill": False,
                },
            ],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {"y": {"min": low, "max": high}},
        },
    }


def _range(numbers: list[float], unit: str) -> tuple[float, float]:
    if not numbers:
        return (0.0, 100.0) if unit == Unit.PERCENT else (0.0, 10.0)
    low, high = min(numbers), max(numbers)
    span = max(high - low, 8.0 if unit == Unit.PERCENT else 1.0)
    low, high = low - span * 0.25, high + span * 0.25
    step = _nice_step((high - low) / 4)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if unit == Unit.PERCENT:
        low, high = max(0.0, low), min(100.0, high)
    elif unit != Unit.POINTS:
        low = max(0.0, low)
    if high <= low:
        high = low + step
    return (round(low, 2), round(high, 2))


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw)) if raw > 0 else 0
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 2.5 if fraction <= 2.5 else 5 if fraction <= 5 else 10
    return nice * 10**exponent


def trend_svg(points: Sequence[Any], *, title: str, unit: str, width: int = 640, height: int = 230) -> SafeString:
    """The trend as an SVG image with its values written on it (readable in black and white)."""
    left, right, top, bottom = 56, 14, 18, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [_get(p, "value") for p in points]
    targets = [_get(p, "target") for p in points]
    low, high = _range([v for v in values if v is not None] + targets, unit)
    count = max(len(points), 1)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / count

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    target_word, target_label, no_data = _("target"), _("Target"), _("no data")
    desc = "; ".join(
        f"{_get(p, 'period')}: {number(_get(p, 'value'), unit)} ({target_word} {number(_get(p, 'target'), unit)})"
        for p in points
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for step in range(5):
        v = low + (high - low) * step / 4
        out.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end" fill="{MUTED}">'
            f"{escape(number(v, unit))}</text>"
        )
    for i, p in enumerate(points):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="10" text-anchor="middle" fill="{MUTED}">'
            f"{escape(_get(p, 'period'))}</text>"
        )
    # The target as steps: each quarter's target may differ from one year to the next.
    for i, t in enumerate(targets):
        x0, x1 = left + plot_w * i / count, left + plot_w * (i + 1) / count
        out.append(
            f'<line x1="{x0:.1f}" y1="{y(t):.1f}" x2="{x1:.1f}" y2="{y(t):.1f}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    segment: list[str] = []
    for i, v in enumerate(values + [None]):
        if v is not None:
            segment.append(f"{x(i):.1f},{y(v):.1f}")
        elif segment:
            if len(segment) > 1:
                out.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{SERIES}" stroke-width="2.5"/>')
            segment = []
    for i, p in enumerate(points):
        v = _get(p, "value")
        if v is None:
            out.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h - 6:.1f}" font-size="10" text-anchor="middle" '
                f'fill="{MUTED}">{escape(no_data)}</text>'
            )
            continue
        colour = TONES[_get(p, "tone")]
        out.append(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4.5" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
            f'<text x="{x(i):.1f}" y="{y(v) - 9:.1f}" font-size="10" font-weight="bold" text-anchor="middle" '
            f'fill="{TEXT}">{escape(number(v, unit))}</text>'
        )
    legend_y = height - 14
    out.append(
        f'<line x1="{left}" y1="{legend_y}" x2="{left + 24}" y2="{legend_y}" stroke="{SERIES}" stroke-width="2.5"/>'
        f'<text x="{left + 30}" y="{legend_y + 4}" font-size="10" fill="{TEXT}">{escape(title)}</text>'
        f'<line x1="{left + 250}" y1="{legend_y}" x2="{left + 274}" y2="{legend_y}" stroke="{TARGET}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{left + 280}" y="{legend_y + 4}" font-size="10" fill="{TEXT}">{escape(target_label)}</text>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped
