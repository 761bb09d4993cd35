"""Template helpers available in every template: permissions, query strings, formatting."""

import datetime as dt
import decimal
from typing import Any

from django import template
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from clientela.core import changes as kept_on_data
from clientela.core import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], perm: str, obj: Any = None) -> bool:
    """{% can "customers.change" customer as can_edit %}"""
    return permissions.has_perm(context["request"].user, perm, obj)


@register.simple_tag(takes_context=True)
def query(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("core/_sort_header.html", takes_context=True)
def sort_header(context: dict[str, Any], key: str, label: str) -> dict[str, Any]:
    current = context.get("current_sort", "")
    active = current.lstrip("-") == key
    descending = active and current.startswith("-")
    params = context["request"].GET.copy()
    params["sort"] = key if (active and descending) or not active else f"-{key}"
    params.pop("page", None)
    return {
        "label": label,
        "url": "?" + params.urlencode(),
        "active": active,
        "aria_sort": ("descending" if descending else "ascending") if active else "none",
    }


@register.filter
def money(value: Any, currency: str = "") -> str:
    """1234.5, "EUR" → "1 234,50 EUR" in Spanish, "1,234.50 EUR" in English."""
    if value in (None, ""):
        return ""
    number = formats.number_format(decimal.Decimal(value), 2, use_l10n=True, force_grouping=True)
    return f"{number}\xa0{currency}".strip()


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{formats.number_format(value, digits, use_l10n=True)}\xa0%"


@register.filter
def when(value: Any) -> str:
    """A date or date-time in the short local format (dd/mm/aaaa in Spanish)."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@register.filter
def yesno_icon(value: Any) -> str:
    label = _("Yes") if value else _("No")
    return format_html('<span class="yn yn-{}">{}</span>', "yes" if value else "no", label)


@register.filter
def verbose(obj: Any, field: str) -> str:
    """The translated label of a model field: {{ customer|verbose:"tax_id" }}."""
    return str(obj._meta.get_field(field).verbose_name)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def role_label(code: str) -> str:
    return str(dict(permissions.Role.choices).get(code, code))


@register.inclusion_tag("core/_attachments.html", takes_context=True)
def attachments(context: dict[str, Any], target: Any, purpose: str = "evidence") -> dict[str, Any]:
    """{% attachments contract "document" %}: the files of a record, with upload for who may."""
    from clientela.core.views import attachment_panel_context

    return attachment_panel_context(context["request"], target, purpose)


class KeptNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, vary_on: list[Any]) -> None:
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context: template.Context) -> str:
        request = context["request"]
        parts = (
            request.user.pk,
            request.get_full_path(),
            translation.get_language(),
            timezone.get_current_timezone_name(),
            *(expression.resolve(context) for expression in self.vary_on),
        )
        (html,) = kept_on_data.cached_many(
            f"fragment:{self.name}", [(None, parts)], lambda _: self.nodelist.render(context)
        )
        return html


@register.tag
def kept(parser: Any, token: Any) -> KeptNode:
    """{% kept "customer-list" %}…{% endkept %}: the rendered part is kept on the data version
    (`core.changes`) per user, address (path and query), language and time zone, and rendered again
    when a counted table changes. Only for parts that depend on nothing else: no clock ("overdue",
    "in 2 hours"), no CSRF token, nothing of the session."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs a name")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, bits[1].strip("\"'"), [parser.compile_filter(b) for b in bits[2:]])
