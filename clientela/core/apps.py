"""Core: audit trail, permissions, registries, attachments, notifications, import/export, jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "clientela.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import changes, jobs, signals  # noqa: F401  (register periodic jobs and signal receivers)
        from .registry import NavEntry, register_nav

        changes.connect_signals()
        register_nav(NavEntry("admin", _("Audit trail"), "core:audit_log", "audit.view", 30))
