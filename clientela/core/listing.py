"""The list page every module uses: filters (django-filter), sorting, pagination, CSV/XLSX export
of the whole filtered list, and an HTMX partial so filtering refreshes only the results."""

from collections.abc import Callable
from typing import Any

from django.core.paginator import InvalidPage
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.generic import ListView

from . import exporting
from .permissions import PermissionMixin, require

PAGE_SIZES = (25, 50, 100)


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
            queryset = self.filterset.qs
        else:
            self.filterset = None
        sort = self.current_sort()
        if sort:
            expressions = self.sort_fields[sort.lstrip("-")]
            if isinstance(expressions, str):
                expressions = (expressions,)
            descending = sort.startswith("-")
            ordering = [
                models.F(e).desc(nulls_last=True) if descending else models.F(e).asc(nulls_last=True)
                for e in expressions
            ]
            queryset = queryset.order_by(*ordering, "-pk" if descending else "pk")
        return queryset

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
