"""The list page every module uses: filters (django-filter), sorting, pagination, CSV/XLSX export
of the whole filtered list, and an HTMX partial so filtering refreshes only the results.

Fast at 100,000 rows (docs/performance.md): sorting on a column that cannot be NULL orders by it
plainly, so an index on it serves both directions; and a list shown without filters takes its
row count from `unfiltered_count()` when the view can answer it without counting (an exact
counter of core.rowcount), instead of counting every row on every page view.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import InvalidPage, Paginator
from django.db import models
from django.http import Http404
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.generic import ListView

from . import exporting
from .permissions import PermissionMixin, require

PAGE_SIZES = (25, 50, 100)


class CountedPaginator(Paginator):
    """A paginator told its row count when it is already known (None: it counts, as usual)."""

    def __init__(self, *args: Any, count: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if count is not None:
            self.count = count  # replaces the cached property that would run COUNT(*)


def _html_attrs(attrs: dict[str, Any]) -> SafeString:
    """As Django's django/forms/widgets/attrs.html (every part escaped by format_html)."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class QuickSelect(forms.Select):
    """Django's <select>, same markup, rendered in Python: the template engine renders each option
    through two templates (and builds a dict per option first), milliseconds for a filter of
    dozens of account managers on every list view."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # Widget.get_context, not ChoiceWidget's: the options are written below, not as dicts.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        wanted = set(widget["value"])
        selected_one = False

        def option(value: Any, label: Any) -> SafeString:
            nonlocal selected_one
            text = "" if value is None else str(value)
            selected = not selected_one and text in wanted
            selected_one |= selected
            return format_html(
                '\n  <option value="{}"{}>{}</option>\n', text, mark_safe(" selected") if selected else "", label
            )

        parts = [format_html('<select name="{}"{}>', widget["name"], _html_attrs(widget["attrs"]))]
        for value, label in self.choices:
            if isinstance(label, list | tuple):  # an optgroup
                parts.append(format_html('\n  <optgroup label="{}">', value))
                parts.extend(option(v, text) for v, text in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(option(value, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every part escaped by format_html


def quick_selects(form: forms.Form) -> None:
    """Render the form's plain <select> fields with QuickSelect."""
    for field in form.fields.values():
        old = field.widget
        if type(old) is forms.Select:
            new = QuickSelect(attrs=old.attrs, choices=old.choices)
            new.is_required, new.is_localized = old.is_required, old.is_localized
            field.widget = new


def may_be_null(model: type[models.Model], path: str) -> bool:
    """Whether the sort expression `path` (a field, perhaps across relations) can be NULL."""
    opts = model._meta
    for part in path.split("__"):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return True
        if getattr(field, "null", True) or (field.is_relation and not field.concrete):
            return True
        if field.is_relation:
            opts = field.related_model._meta
    return False


class RecordListView(PermissionMixin, ListView):
    filterset_class: Any = None
    sort_fields: dict[str, str | tuple[str, ...]] = {}
    default_sort: str = ""
    paginate_by = PAGE_SIZES[0]
    export_columns: Callable[[], list[exporting.Column]] | None = None
    export_permission: str = ""
    export_basename: str = "export"
    export_title: str = ""

    def base_queryset(self) -> models.QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must define base_queryset()")

    def get_paginate_by(self, queryset) -> int:
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            return self.paginate_by
        return size if size in PAGE_SIZES else self.paginate_by

    def current_sort(self) -> str:
        key = self.request.GET.get("sort", "") or self.default_sort
        return key if key.lstrip("-") in self.sort_fields else self.default_sort

    def get_queryset(self) -> models.QuerySet:
        queryset = self.base_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            quick_selects(self.filterset.form)
            queryset = self.filterset.qs
        else:
            self.filterset = None
        sort = self.current_sort()
        if sort:
            expressions = self.sort_fields[sort.lstrip("-")]
            if isinstance(expressions, str):
                expressions = (expressions,)
            descending = sort.startswith("-")
            ordering = []
            for expression in expressions:
                # Empty values last in both directions; a NOT NULL column is ordered plainly so
                # that its index serves the sort both ways.
                nulls = {"nulls_last": True} if may_be_null(queryset.model, expression) else {}
                field = models.F(expression)
                ordering.append(field.desc(**nulls) if descending else field.asc(**nulls))
            queryset = queryset.order_by(*ordering, "-pk" if descending else "pk")
        return queryset

    def filtering(self) -> bool:
        """Whether the request narrows the list with any of the filterset's filters."""
        if self.filterset is None:
            return False
        return any(self.request.GET.get(name, "") != "" for name in self.filterset.filters)

    def unfiltered_count(self) -> int | None:
        """The number of rows of `base_queryset()` if known without counting them (None: count).

        Asked only when no filter applies; a view answers it from an exact counter
        (core.rowcount.row_count) of exactly the rows its base queryset yields."""
        return None

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs) -> Paginator:
        count = None if self.filtering() else self.unfiltered_count()
        return CountedPaginator(
            queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page, count=count, **kwargs
        )

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx") and self.export_columns is not None:
            require(request.user, self.export_permission or self.permission)
            queryset = self.get_queryset()
            return exporting.export_response(
                queryset.iterator(chunk_size=2000),
                self.export_columns(),
                fmt,
                self.export_basename,
                self.export_title or self.export_basename,
            )
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if request.GET.get("page"):
                # A page number past the end after filtering: show the first page instead.
                query = request.GET.copy()
                query.pop("page")
                request.GET = query
                return super().get(request, *args, **kwargs)
            raise

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except InvalidPage as exc:
            raise Http404(_("That page does not exist.")) from exc

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == "results":
            return [f"{name}#results" for name in names]
        return names

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["current_sort"] = self.current_sort()
        context["page_sizes"] = PAGE_SIZES
        context["can_export"] = self.export_columns is not None
        return context
