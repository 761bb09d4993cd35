"""Render audit entries for people: field labels, choice labels, names instead of ids."""

import datetime as dt
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clientela.core.models import AuditEntry

register = template.Library()


def _display(field: Any, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dict) and "repr" in value:
        return str(value["repr"])
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if isinstance(value, list):
        return ", ".join(str(v[1]) if isinstance(v, list) and len(v) == 2 else str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.get_internal_type() == "DateTimeField" and isinstance(value, str):
        try:
            return formats.date_format(timezone.localtime(dt.datetime.fromisoformat(value)), "SHORT_DATETIME_FORMAT")
        except ValueError:
            return value
    if field is not None and field.get_internal_type() == "DateField" and isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


@register.filter
def change_rows(entry: AuditEntry) -> list[dict[str, str]]:
    model = entry.content_type.model_class()
    rows = []
    for name, pair in (entry.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        field = None
        label = name.replace("_", " ")
        if model is not None:
            try:
                field = model._meta.get_field(name)
                label = str(getattr(field, "verbose_name", label))
            except FieldDoesNotExist:
                pass
        rows.append({"label": label[:1].upper() + label[1:], "old": _display(field, old), "new": _display(field, new)})
    return rows
