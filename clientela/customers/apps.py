"""Customers: registry, contacts, interactions and the customer 360° view (SPEC §3.1)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "clientela.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.rowcount import register_row_count
        from clientela.core.textsearch import register_text_search

        from . import selectors
        from .importers import contact_importer, customer_importer
        from .models import Contact, Customer, Interaction

        r.register_nav(r.NavEntry("customers", _("Customers"), "customers:list", "customers.view", 10))
        r.register_nav(r.NavEntry("customers", _("Contacts"), "customers:contacts", "contacts.view", 20))
        r.register_nav(r.NavEntry("customers", _("Interactions"), "customers:interactions", "interactions.view", 30))
        r.register_audited(Customer, "customers.view")
        r.register_attachable(
            Customer, view_permission="customers.view", change_permission="customers.change", purposes=("evidence",)
        )
        r.register_audited(Contact, "contacts.view")
        r.register_audited(Interaction, "interactions.view")
        r.register_timeline_source(
            r.TimelineSourceSpec("interaction", _("Interactions"), "interactions.view", selectors.interactions_timeline)
        )
        r.register_headline_figures("interactions.view", selectors.customer_figures)
        r.register_search(r.SearchProvider("customers", "customers.view", selectors.search_provider_customers))
        r.register_search(r.SearchProvider("contacts", "contacts.view", selectors.search_provider_contacts))
        r.register_home_widget(
            r.HomeWidget(
                "my_customers", "customers.view", "customers/_home_widget.html", selectors.home_my_customers, 50
            )
        )
        r.register_importer(customer_importer)
        r.register_importer(contact_importer)
        # Indexes built by migration 0002: search without scanning, list counts without counting.
        register_text_search(Customer, "search_text")
        register_text_search(Contact, "search_text")
        register_row_count(Customer)
        register_row_count(Contact)
        register_row_count(Interaction)
