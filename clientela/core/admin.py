from django.contrib import admin

from .models import Attachment, AuditEntry, ImportJob, Notification, ScheduledJob, SiteSetting


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor_name", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteSetting)
class SiteSettingAdmin(admin.ModelAdmin):
    list_display = ("key",)


admin.site.register(Attachment)
admin.site.register(Notification)
admin.site.register(ImportJob)
admin.site.register(ScheduledJob)
