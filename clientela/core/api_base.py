"""Pagination and the role permission for the API. Kept apart from core.api because DRF imports
these while loading its own views (settings DEFAULT_* classes)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, filters, permissions
from rest_framework.pagination import PageNumberPagination

from .listing import CountedPaginator
from .permissions import has_perm
from .textsearch import text_search

# Query parameters that page or order a list without narrowing it.
NOT_FILTERS = frozenset({"page", "page_size", "ordering", "format"})


class Pagination(PageNumberPagination):
    """`?page=&page_size=` (max 500). A list requested without filters takes its count from the
    view's `unfiltered_count()` when it has one (an exact counter: core.rowcount), instead of
    counting every row."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    known_count: int | None = None

    def paginate_queryset(self, queryset, request, view=None):
        counter = getattr(view, "unfiltered_count", None)
        unfiltered = not (set(request.query_params) - NOT_FILTERS)
        self.known_count = counter() if counter is not None and unfiltered else None
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):  # DRF builds its paginator through this
        return CountedPaginator(queryset, page_size, count=self.known_count)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError as exc:
            raise exceptions.ValidationError({"page_size": [_("Enter a whole number between 1 and 500.")]}) from exc
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({"page_size": [_("Enter a whole number between 1 and 500.")]})
        return size


class RolePermission(permissions.BasePermission):
    """Checks `view.required_permission()` against core.permissions, with and without the object."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        perm = view.required_permission() if hasattr(view, "required_permission") else getattr(view, "permission", None)
        if perm is None:
            return False
        return has_perm(request.user, perm)

    def has_object_permission(self, request, view, obj) -> bool:
        perm = view.required_permission() if hasattr(view, "required_permission") else getattr(view, "permission", None)
        return perm is not None and has_perm(request.user, perm, obj)


class SearchFilter(filters.SearchFilter):
    """`?search=`: accent- and case-insensitive over the view's `search_text_field` when it has one."""

    def filter_queryset(self, request, queryset, view):
        text_field = getattr(view, "search_text_field", None)
        if text_field is None:
            return super().filter_queryset(request, queryset, view)
        return text_search(queryset, text_field, request.query_params.get(self.search_param, ""))
