from django.contrib import admin

from .models import DataSubjectRequest, LegalHold


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "status", "requester_name", "received_at", "due_date")
    list_filter = ("status", "kind", "country")
    raw_id_fields = ("customer", "contact")


admin.site.register(LegalHold)
