"""Accounts: users, their roles (Django groups), language preference and API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "clientela.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from clientela.core.registry import NavEntry, register_audited, register_nav

        from . import schema  # noqa: F401  (registers the OpenAPI description of Bearer tokens)
        from .models import User

        register_audited(User, "users.manage")
        register_nav(NavEntry("admin", _("Users"), "admin:accounts_user_changelist", "users.manage", 10))
