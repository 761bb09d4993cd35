"""Pagination and the role permission for the API. Kept apart from core.api because DRF imports
these while loading its own views (settings DEFAULT_* classes)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, filters, permissions
from rest_framework.pagination import PageNumberPagination

from .importing import normalise
from .permissions import has_perm


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

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
        query = normalise(request.query_params.get(self.search_param, ""))
        for term in query.split()[:8]:
            queryset = queryset.filter(**{f"{text_field}__contains": term})
        return queryset
