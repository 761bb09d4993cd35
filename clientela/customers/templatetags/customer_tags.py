"""Template helpers of the customers pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

STATUS_TONES = {"active": " good", "prospect": " info", "former": " bad"}


@register.filter
def status_badge(customer) -> SafeString:
    """The customer's status as a badge: {{ customer|status_badge }} (a filter, not an include,
    because the list renders one per row)."""
    return format_html(
        '<span class="badge{}">{}</span>', STATUS_TONES.get(customer.status, ""), customer.get_status_display()
    )
