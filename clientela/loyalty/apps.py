"""Loyalty programmes, points ledger and retention."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "clientela.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")
