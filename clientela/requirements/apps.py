"""Customer requirements and expectations, documented, prioritised and traced."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "clientela.requirements"
    label = "requirements"
    verbose_name = _("Requirements")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic
        from clientela.privacy.providers import register as register_personal_data

        from . import (
            privacy,
            receivers,  # noqa: F401  (a delivery in time and form fulfils the requirements traced to it)
            selectors,
            tasks,
        )
        from .importers import requirement_importer
        from .models import Requirement, RequirementVersion

        r.register_nav(r.NavEntry("requirements", _("Requirements"), "requirements:list", "requirements.view", 10))
        r.register_nav(
            r.NavEntry("requirements", _("Stuck in clarification"), "requirements:stuck", "requirements.view", 20)
        )
        r.register_audited(Requirement, "requirements.view")
        r.register_attachable(
            RequirementVersion,
            view_permission="requirements.view",
            change_permission="requirements.change",
            purposes=("evidence",),
        )
        r.register_timeline_source(
            r.TimelineSourceSpec("requirement", _("Requirements"), "requirements.view", selectors.requirements_timeline)
        )
        r.register_headline_figures("requirements.view", selectors.customer_figures)
        r.register_customer_panel(
            r.CustomerPanel(
                "requirements",
                _("Requirements"),
                "requirements.view",
                "requirements/_customer_panel.html",
                selectors.customer_panel_context,
                order=20,
            )
        )
        r.register_search(r.SearchProvider("requirements", "requirements.view", selectors.search_provider))
        r.register_home_widget(
            r.HomeWidget(
                "requirements", "requirements.change", "requirements/_home_widget.html", selectors.home_widget, 60
            )
        )
        r.register_importer(requirement_importer)
        register_personal_data(privacy.provider)
        register_periodic(
            "requirements.stuck", tasks.notify_stuck_requirements, every=dt.timedelta(days=1), at=dt.time(8, 30)
        )
