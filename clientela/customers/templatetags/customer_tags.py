"""Template helpers of the customers pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from clientela.customers.models import Customer

register = template.Library()

STATUS_TONES = {"active": " good", "prospect": " info", "former": " bad"}
STATUS_LABELS = dict(Customer.Status.choices)  # lazy translations, read in the request's language


@register.filter
def status_badge(customer: Customer) -> SafeString:
    """The customer's status as a badge: {{ customer|status_badge }} (a filter, not an include,
    because the list renders one per row)."""
    status = customer.status
    return format_html(
        '<span class="badge{}">{}</span>', STATUS_TONES.get(status, ""), STATUS_LABELS.get(status, status)
    )
