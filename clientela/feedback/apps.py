"""Complaints, suggestions and compliments (ISO 10002)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "clientela.feedback"
    label = "feedback"
    verbose_name = _("Complaints and suggestions")
