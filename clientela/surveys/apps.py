"""Satisfaction surveys at lifecycle points (SPEC §3.5)."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "clientela.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic
        from clientela.privacy.providers import register as register_personal_data

        from . import privacy

        register_personal_data(privacy.provider)

        from . import (
            receivers,  # noqa: F401  (connects the lifecycle triggers)
            selectors,
            tasks,
        )
        from .importers import response_importer
        from .models import FollowUp, Survey, SurveyInvitation, SurveyResponse

        r.register_nav(r.NavEntry("surveys", _("Surveys"), "surveys:list", "surveys.view", 10))
        r.register_nav(r.NavEntry("surveys", _("Responses"), "surveys:responses", "surveys.view", 20))
        r.register_nav(r.NavEntry("surveys", _("Invitations"), "surveys:invitations", "surveys.view", 30))
        r.register_nav(r.NavEntry("surveys", _("Follow-ups"), "surveys:followups", "surveys.view", 40))
        r.register_nav(r.NavEntry("surveys", _("Satisfaction report"), "surveys:report", "surveys.report", 50))
        r.register_audited(Survey, "surveys.view")
        r.register_audited(SurveyInvitation, "surveys.view")
        r.register_audited(SurveyResponse, "surveys.view")
        r.register_audited(FollowUp, "surveys.view")
        r.register_timeline_source(
            r.TimelineSourceSpec("survey", _("Survey responses"), "surveys.view", selectors.responses_timeline)
        )
        r.register_timeline_source(
            r.TimelineSourceSpec("followup", _("Satisfaction follow-ups"), "surveys.view", selectors.followups_timeline)
        )
        r.register_headline_figures("surveys.view", selectors.customer_figures)
        r.register_customer_panel(
            r.CustomerPanel(
                "surveys",
                _("Satisfaction"),
                "surveys.view",
                "surveys/_customer_panel.html",
                selectors.customer_panel,
                60,
            )
        )
        r.register_home_widget(
            r.HomeWidget(
                "survey_followups", "surveys.followup", "surveys/_home_widget.html", selectors.home_followups, 40
            )
        )
        r.register_importer(response_importer)
        register_periodic("surveys.reminders", tasks.send_reminders, every=dt.timedelta(hours=1))
        register_periodic("surveys.expire", tasks.expire_invitations, every=dt.timedelta(days=1), at=dt.time(2, 15))
        register_periodic(
            "surveys.after_activation", tasks.invite_new_customers, every=dt.timedelta(days=1), at=dt.time(9, 0)
        )
        register_periodic("surveys.quarterly", tasks.invite_quarterly, every=dt.timedelta(days=1), at=dt.time(9, 30))
        register_periodic(
            "surveys.contract_end", tasks.invite_before_contract_end, every=dt.timedelta(days=1), at=dt.time(9, 45)
        )
