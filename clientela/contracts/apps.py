"""Contracts, contract review, regulations, deliverables and deliveries (SPEC §3.6)."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "clientela.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from clientela.core import jobs
        from clientela.core import registry as r

        from . import selectors, tasks
        from .importers import contract_importer, deliverable_importer, delivery_importer
        from .models import Contract, ContractReview, Deliverable, Delivery, RecurringObligation, Regulation

        r.register_nav(r.NavEntry("contracts", _("Contracts"), "contracts:list", "contracts.view", 10))
        r.register_nav(r.NavEntry("contracts", _("Deliverables"), "contracts:deliverables", "contracts.view", 20))
        r.register_nav(r.NavEntry("contracts", _("Due dates calendar"), "contracts:calendar", "contracts.view", 30))
        r.register_nav(r.NavEntry("contracts", _("Deliveries"), "contracts:deliveries", "contracts.view", 40))
        r.register_nav(r.NavEntry("contracts", _("Contract compliance"), "contracts:compliance", "contracts.view", 50))
        r.register_nav(r.NavEntry("contracts", _("Regulations"), "contracts:regulations", "contracts.view", 60))

        r.register_attachable(
            Contract, view_permission="contracts.view", change_permission="contracts.change", purposes=("document",)
        )
        r.register_attachable(
            Delivery, view_permission="contracts.view", change_permission="deliveries.add", purposes=("evidence",)
        )
        for model in (Deliverable, ContractReview, RecurringObligation, Regulation):
            r.register_audited(model, "contracts.view")

        r.register_timeline_source(
            r.TimelineSourceSpec("contract", _("Contracts"), "contracts.view", selectors.contracts_timeline)
        )
        r.register_timeline_source(
            r.TimelineSourceSpec("delivery", _("Deliveries"), "contracts.view", selectors.deliveries_timeline)
        )
        r.register_headline_figures("contracts.view", selectors.customer_figures)
        r.register_customer_panel(
            r.CustomerPanel(
                "contracts",
                _("Contracts"),
                "contracts.view",
                "contracts/_customer_panel.html",
                selectors.customer_panel,
                40,
            )
        )
        r.register_search(r.SearchProvider("contracts", "contracts.view", selectors.search_provider_contracts))
        r.register_home_widget(
            r.HomeWidget(
                "contracts_due_soon", "contracts.view", "contracts/_home_widget.html", selectors.home_due_soon, 40
            )
        )
        r.register_importer(contract_importer)
        r.register_importer(deliverable_importer)
        r.register_importer(delivery_importer)
        jobs.register_periodic(
            "contracts.alerts", tasks.send_contract_alerts, every=dt.timedelta(days=1), at=dt.time(7, 0)
        )
