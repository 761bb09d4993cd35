"""CCT and SC indicators, targets, management review, risks and opportunities."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "clientela.indicators"
    label = "indicators"
    verbose_name = _("Indicators")
