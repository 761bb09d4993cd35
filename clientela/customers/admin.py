from django.contrib import admin

from .models import Contact, Customer, Interaction


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tax_id", "country", "status", "account_manager")
    list_filter = ("status", "kind", "country")
    search_fields = ("code", "name", "tax_id", "email")
    list_select_related = ("account_manager",)
    readonly_fields = ("lock_version", "search_text", "activated_at", "archived_at")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("first_name", "last_name", "email", "customer", "survey_consent")
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "customer", "channel", "direction", "subject", "user")
    list_filter = ("channel", "direction")
    list_select_related = ("customer", "user")
    raw_id_fields = ("customer", "contact")
