"""Customer requirements and expectations, documented, prioritised and traced."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "clientela.requirements"
    label = "requirements"
    verbose_name = _("Requirements")
