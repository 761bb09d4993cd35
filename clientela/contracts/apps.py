"""Contracts, contract review, regulations, deliverables and deliveries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "clientela.contracts"
    label = "contracts"
    verbose_name = _("Contracts")
