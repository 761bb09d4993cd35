from django.contrib import admin

from .models import Category, Feedback, SlaTarget


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-mostly: the steps and the SLA clock change only through the application."""

    list_display = ("number", "kind", "received_at", "customer", "subject", "severity", "status", "assigned_to")
    list_filter = ("kind", "status", "severity", "channel")
    search_fields = ("number", "subject", "submitter_name", "submitter_email")
    list_select_related = ("customer", "assigned_to")
    raw_id_fields = ("customer", "contact", "assigned_to", "assessed_by")
    readonly_fields = [f.name for f in Feedback._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ("severity", "acknowledge_hours", "resolve_hours")
