"""Privacy rights: data-subject requests, export, anonymisation, blocking, retention and legal holds."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "clientela.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic

        from . import providers, tasks
        from .models import DataSubjectRequest

        r.register_nav(r.NavEntry("admin", _("Data protection"), "privacy:list", "privacy.manage", 20))
        r.register_audited(DataSubjectRequest, "privacy.manage")
        providers.register_builtin()
        register_periodic("privacy.retention", tasks.apply_retention, every=dt.timedelta(days=1), at=dt.time(3, 15))
        register_periodic("privacy.due_requests", tasks.warn_due_requests, every=dt.timedelta(days=1), at=dt.time(8, 0))
