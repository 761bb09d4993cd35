"""Charts of the satisfaction figures: Chart.js configurations for pages, and the same charts as
server-rendered SVG for the PDF (WeasyPrint runs no JavaScript). Also the open link's QR code."""

import io
from collections.abc import Sequence
from typing import Any

import segno
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .statistics import PChart

PRIMARY = "#1d4ed8"
GOOD = "#166534"
BAD = "#b42318"
MUTED = "#505b6b"
GRID = "#d5d9e0"
SOFT = "#93b4f5"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else number_format(value, digits, use_l10n=True)


# --- QR code ------------------------------------------------------------------------------------


def qr_svg(url: str, *, title: str) -> SafeString:
    """The QR code as inline SVG, labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=True)
    return mark_safe(  # segno's own markup around an escaped title
        svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" class="qr-code" ', title), 1)
    )


def qr_svg_document(url: str) -> bytes:
    """The QR code as a standalone SVG file (to print or put on a poster)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=10, border=4)
    return out.getvalue()


# --- Chart.js configurations (pages) ------------------------------------------------------------


def distribution_chart_config(rows: Sequence[Any], question: Any) -> dict[str, Any]:
    satisfied_min = getattr(question, "satisfied_min", None)
    colours = [
        GOOD
        if satisfied_min is not None and row.label.lstrip("-").isdigit() and int(row.label) >= satisfied_min
        else PRIMARY
        for row in rows
    ]
    return {
        "type": "bar",
        "data": {
            "labels": [row.label for row in rows],
            "datasets": [{"label": _("Answers"), "data": [row.count for row in rows], "backgroundColor": colours}],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "plugins": {"legend": {"display": False}},
            "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}},
        },
    }


def trend_chart_config(trend: Sequence[Any]) -> dict[str, Any]:
    return {
        "type": "bar",
        "data": {
            "labels": [p.label for p in trend],
            "datasets": [
                {
                    "type": "bar",
                    "label": _("SC (%)"),
                    "data": [p.sc_value for p in trend],
                    "backgroundColor": [SOFT if p.provisional else PRIMARY for p in trend],
                    "order": 2,
                },
                {
                    "type": "line",
                    "label": _("95 % interval, low"),
                    "data": [p.sc_ci95[0] if p.sc_ci95 else None for p in trend],
                    "borderColor": MUTED,
                    "borderDash": [4, 4],
                    "pointRadius": 2,
                    "fill": False,
                    "order": 1,
                },
                {
                    "type": "line",
                    "label": _("95 % interval, high"),
                    "data": [p.sc_ci95[1] if p.sc_ci95 else None for p in trend],
                    "borderColor": MUTED,
                    "borderDash": [4, 4],
                    "pointRadius": 2,
                    "fill": False,
                    "order": 1,
                },
            ],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "scales": {"y": {"min": 0, "max": 100}},
        },
    }


def pchart_config(chart: PChart) -> dict[str, Any]:
    labels = [p.label for p in chart.points]
    return {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": _("SC (%)"),
                    "data": [p.p for p in chart.points],
                    "borderColor": PRIMARY,
                    "backgroundColor": [BAD if p.out_of_control else PRIMARY for p in chart.points],
                    "pointRadius": 5,
                    "fill": False,
                },
                {
                    "label": _("Centre line p̄"),
                    "data": [chart.centre for _p in chart.points],
                    "borderColor": GOOD,
                    "pointRadius": 0,
                    "fill": False,
                },
                {
                    "label": _("Upper control limit"),
                    "data": [p.ucl for p in chart.points],
                    "borderColor": BAD,
                    "borderDash": [6, 4],
                    "stepped": "middle",
                    "pointRadius": 0,
                    "fill": False,
                },
                {
                    "label": _("Lower control limit"),
                    "data": [p.lcl for p in chart.points],
                    "borderColor": BAD,
                    "borderDash": [6, 4],
                    "stepped": "middle",
                    "pointRadius": 0,
                    "fill": False,
                },
            ],
        },
        "options": {"responsive": True, "maintainAspectRatio": False, "animation": False},
    }


# --- SVG (PDF) ----------------------------------------------------------------------------------


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # every text inside was escaped while building `body`
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="Liberation Sans, Arial, sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _y_axis(body: list[str], *, left: int, top: int, width: int, height: int, low: float, high: float, step: float):
    value = low
    while value <= high + 1e-9:
        y = top + height - (value - low) / (high - low) * height
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{escape(_num(value, 0))} %</text>'
        )
        value += step


def trend_svg(trend: Sequence[Any], title: str) -> SafeString:
    """SC per quarter as bars with their 95 % interval; significant changes marked ▲/▼ in words too."""
    width, height, left, top, plot_h = 640, 270, 48, 16, 190
    plot_w = width - left - 12
    body: list[str] = []
    _y_axis(body, left=left, top=top, width=plot_w, height=plot_h, low=0, high=100, step=20)
    slot = plot_w / max(len(trend), 1)
    provisional, no_data = escape(" · " + _("prov.")), escape(_("no data"))
    for index, point in enumerate(trend):
        x = left + index * slot + slot * 0.2
        bar_w = slot * 0.6
        centre = x + bar_w / 2
        label_y = top + plot_h + 16
        body.append(f'<text x="{centre:.1f}" y="{label_y}" text-anchor="middle">{escape(point.label)}</text>')
        body.append(
            f'<text x="{centre:.1f}" y="{label_y + 14}" text-anchor="middle" fill="{MUTED}">'
            f"n={point.sc_denominator}{provisional if point.provisional else ''}</text>"
        )
        if point.sc_value is None:
            body.append(
                f'<text x="{centre:.1f}" y="{top + plot_h - 6}" text-anchor="middle" fill="{MUTED}">{no_data}</text>'
            )
            continue
        bar_h = point.sc_value / 100 * plot_h
        fill = SOFT if point.provisional else PRIMARY
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" fill="{fill}"/>'
        )
        if point.sc_ci95:
            low_y = top + plot_h - point.sc_ci95[0] / 100 * plot_h
            high_y = top + plot_h - point.sc_ci95[1] / 100 * plot_h
            body.append(
                f'<line x1="{centre:.1f}" y1="{low_y:.1f}" x2="{centre:.1f}" y2="{high_y:.1f}" stroke="#111" stroke-width="1.2"/>'
                f'<line x1="{centre - 5:.1f}" y1="{low_y:.1f}" x2="{centre + 5:.1f}" y2="{low_y:.1f}" stroke="#111"/>'
                f'<line x1="{centre - 5:.1f}" y1="{high_y:.1f}" x2="{centre + 5:.1f}" y2="{high_y:.1f}" stroke="#111"/>'
            )
        mark = {"up": "▲", "down": "▼"}.get(point.direction, "")
        colour = GOOD if point.direction == "up" else BAD
        body.append(
            f'<text x="{centre:.1f}" y="{max(top + 10, top + plot_h - bar_h - 6):.1f}" text-anchor="middle" '
            f'font-weight="bold" fill="{colour if mark else "#111"}">{escape(mark + " " if mark else "")}'
            f"{escape(_num(point.sc_value))} %</text>"
        )
    return _svg(width, height, title, body)


def pchart_svg(chart: PChart, title: str) -> SafeString:
    """p-chart: each quarter's SC with the centre line p̄ and its limits p̄ ± 3σᵢ; points outside marked."""
    width, height, left, top, plot_h = 640, 260, 48, 16, 190
    plot_w = width - left - 12
    values = [v for p in chart.points for v in (p.p, p.lcl, p.ucl) if v is not None]
    body: list[str] = []
    if not values or chart.centre is None:
        no_data = escape(_("no data"))
        body.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">{no_data}</text>')
        return _svg(width, height, title, body)
    low = max(0.0, (min(values) // 10) * 10 - 10)
    high = min(100.0, (max(values) // 10) * 10 + 10)
    if high - low < 20:
        low = max(0.0, high - 20)
    _y_axis(body, left=left, top=top, width=plot_w, height=plot_h, low=low, high=high, step=10)

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    slot = plot_w / max(len(chart.points), 1)
    centre_y = y_of(chart.centre)
    body.append(
        f'<line x1="{left}" y1="{centre_y:.1f}" x2="{left + plot_w}" y2="{centre_y:.1f}" stroke="{GOOD}" stroke-width="1.5"/>'
        f'<text x="{left + plot_w - 2}" y="{centre_y - 4:.1f}" text-anchor="end" fill="{GOOD}">'
        f"p̄ = {escape(_num(chart.centre))} %</text>"
    )
    previous = None
    for index, point in enumerate(chart.points):
        x0, x1 = left + index * slot, left + (index + 1) * slot
        cx = (x0 + x1) / 2
        body.append(f'<text x="{cx:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(point.label)}</text>')
        if point.p is None:
            previous = None
            continue
        for limit in (point.ucl, point.lcl):
            ly = y_of(limit)
            body.append(
                f'<line x1="{x0 + 4:.1f}" y1="{ly:.1f}" x2="{x1 - 4:.1f}" y2="{ly:.1f}" stroke="{BAD}" stroke-dasharray="5 3"/>'
            )
        py = y_of(point.p)
        if previous is not None:
            body.append(
                f'<line x1="{previous[0]:.1f}" y1="{previous[1]:.1f}" x2="{cx:.1f}" y2="{py:.1f}" stroke="{PRIMARY}" stroke-width="2"/>'
            )
        colour = BAD if point.out_of_control else PRIMARY
        body.append(f'<circle cx="{cx:.1f}" cy="{py:.1f}" r="4.5" fill="{colour}"/>')
        body.append(
            f'<text x="{cx:.1f}" y="{py - 8:.1f}" text-anchor="middle" fill="{colour}">'
            f"{escape(('! ' if point.out_of_control else '') + _num(point.p))} %</text>"
        )
        previous = (cx, py)
    legend = escape(_("Dashed red: control limits p̄ ± 3√(p̄(1−p̄)/n) for each quarter; “!” marks a point outside them."))
    body.append(f'<text x="{left}" y="{height - 8}" fill="{MUTED}">{legend}</text>')
    return _svg(width, height, title, body)


def bars_svg(rows: Sequence[Any], title: str) -> SafeString:
    """Horizontal bars of a distribution, with counts and percentages written out."""
    row_h, left, width = 18, 150, 560
    height = row_h * len(rows) + 8
    bar_max = width - left - 110
    total_max = max((row.count for row in rows), default=0) or 1
    body: list[str] = []
    for index, row in enumerate(rows):
        y = 4 + index * row_h
        label = row.label if len(row.label) <= 26 else row.label[:25] + "…"
        bar = row.count / total_max * bar_max
        body.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{left}" y="{y + 2}" width="{bar:.1f}" height="{row_h - 6}" fill="{PRIMARY}"/>')
        body.append(
            f'<text x="{left + bar + 6:.1f}" y="{y + 12}" fill="#111">{row.count} · {escape(_num(row.percent))} %</text>'
        )
    return _svg(width, height, title, body)
