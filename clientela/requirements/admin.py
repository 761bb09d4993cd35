from django.contrib import admin

from .models import Requirement, RequirementVersion


class VersionInline(admin.TabularInline):
    model = RequirementVersion
    extra = 0
    can_delete = False
    fields = ("version", "title", "status", "created_at", "superseded_at")
    readonly_fields = fields


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "customer", "priority", "status", "version")
    list_filter = ("status", "priority", "kind")
    search_fields = ("number", "title")
    list_select_related = ("customer",)
    raw_id_fields = ("customer", "confirmed_by")
    readonly_fields = ("number", "status", "version", "lock_version", "search_text", "archived_at")
    inlines = [VersionInline]
