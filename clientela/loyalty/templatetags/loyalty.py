"""Points as people read them: grouped digits and an explicit sign for movements."""

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def points(value: Any) -> str:
    """1250 → "1.250" in Spanish, "1,250" in English."""
    if value in (None, ""):
        return "—"
    return number_format(int(value), 0, use_l10n=True, force_grouping=True)


@register.filter
def signed_points(value: Any) -> str:
    """A ledger movement: +1.250 / −300."""
    from clientela.loyalty.selectors import signed_points as fmt

    return fmt(int(value or 0))


TONES = {
    "active": "good",
    "draft": "info",
    "closed": "neutral",
    "suspended": "warning",
    "ended": "neutral",
    "requested": "info",
    "delivered": "good",
    "cancelled": "bad",
    "pending": "warning",
    "rewarded": "good",
    "earn": "good",
    "redeem": "info",
    "expire": "warning",
    "adjust": "neutral",
}


@register.filter
def tone(status: str) -> str:
    """The badge colour of a status or ledger kind (always shown with its text)."""
    return TONES.get(status, "neutral")
