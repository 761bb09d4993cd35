"""Corrective and improvement action plans (ISO 9001 10.2)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "clientela.action_plans"
    label = "action_plans"
    verbose_name = _("Action plans")
