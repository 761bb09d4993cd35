"""Formatting for indicator figures, frozen (JSON) dates and trend charts in templates."""

import datetime as dt
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString

from clientela.indicators import charts
from clientela.indicators.registry import UNIT_SUFFIX

register = template.Library()


@register.filter
def figure(value: Any, unit: str = "") -> str:
    """96.5, "percent" → "96,50 %" in Spanish; None → "—"."""
    if value is None or value == "":
        return "—"
    return formats.number_format(float(value), 2, use_l10n=True) + str(UNIT_SUFFIX.get(unit, ""))


@register.filter
def interval(ci95: Any, unit: str = "percent") -> str:
    """[80.1, 92.3] → "80,10 % – 92,30 %"."""
    if not ci95:
        return "—"
    low, high = ci95
    return f"{figure(low, unit)} – {figure(high, unit)}"


@register.filter
def isodate(value: Any) -> str:
    """A date or date-time kept as ISO text in a frozen review, in the short local format."""
    if not value:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        parsed: Any = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(parsed, dt.datetime):
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return formats.date_format(parsed, "SHORT_DATETIME_FORMAT")
    return formats.date_format(parsed, "SHORT_DATE_FORMAT")


@register.simple_tag
def trend_chart(item: dict[str, Any]) -> SafeString:
    """The SVG trend of a frozen or live indicator item (pack JSON)."""
    title = item.get("short_label") or item.get("label", "")
    return charts.trend_svg(item.get("trend", []), title=title, unit=item.get("unit", ""))
