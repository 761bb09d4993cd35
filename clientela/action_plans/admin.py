from django.contrib import admin

from .models import Action, ActionPlan, EffectivenessCheck


class ActionInline(admin.TabularInline):
    model = Action
    fields = ("description", "owner", "due_date", "status", "done_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    """Read-mostly: plans change only through the application, where every step is audited."""

    list_display = ("number", "kind", "origin", "title", "owner", "status", "effectiveness_result")
    list_filter = ("kind", "origin", "status", "effectiveness_result")
    search_fields = ("number", "title", "source_label")
    list_select_related = ("owner",)
    readonly_fields = [f.name for f in ActionPlan._meta.concrete_fields]
    inlines = [ActionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EffectivenessCheck)
class EffectivenessCheckAdmin(admin.ModelAdmin):
    list_display = ("plan", "result", "verified_by", "verified_at")
    list_select_related = ("plan", "verified_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
