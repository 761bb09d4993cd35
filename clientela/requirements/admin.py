"""Read-only admin views of requirements: every change goes through the pages or the API, which
version, audit and notify it."""

from django.contrib import admin

from .models import Requirement, RequirementVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = RequirementVersion
    extra = 0
    fields = ("version", "title", "status", "created_at", "superseded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "customer", "priority", "status", "version")
    list_filter = ("status", "priority", "kind")
    search_fields = ("number", "title")
    list_select_related = ("customer",)
    inlines = [VersionInline]
