"""Complaints, suggestions and compliments (ISO 10002)."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "clientela.feedback"
    label = "feedback"
    verbose_name = _("Complaints and suggestions")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic
        from clientela.core.models import BusinessCalendar
        from clientela.privacy.providers import register as register_personal_data

        from . import privacy

        register_personal_data(privacy.provider)

        from . import selectors, tasks
        from .models import Category, Feedback, SlaTarget

        r.register_nav(r.NavEntry("feedback", _("Complaints and suggestions"), "feedback:list", "feedback.view", 10))
        r.register_nav(r.NavEntry("feedback", _("Board"), "feedback:board", "feedback.view", 20))
        r.register_nav(r.NavEntry("feedback", _("Public form"), "feedback:public", "feedback.add", 80))
        r.register_nav(r.NavEntry("admin", _("Calendar and SLA"), "feedback:settings", "settings.manage", 50))
        r.register_attachable(Feedback, view_permission="feedback.view", change_permission="feedback.work")
        r.register_audited(BusinessCalendar, "settings.manage")
        r.register_audited(SlaTarget, "settings.manage")
        r.register_audited(Category, "settings.manage")
        r.register_timeline_source(
            r.TimelineSourceSpec(
                "feedback", _("Complaints and suggestions"), "feedback.view", selectors.feedback_timeline
            )
        )
        r.register_headline_figures("feedback.view", selectors.customer_figures)
        r.register_customer_panel(
            r.CustomerPanel(
                "feedback",
                _("Complaints and suggestions"),
                "feedback.view",
                "feedback/_customer_panel.html",
                selectors.customer_panel,
                30,
            )
        )
        r.register_search(r.SearchProvider("feedback", "feedback.view", selectors.search_provider))
        r.register_home_widget(
            r.HomeWidget("my_feedback", "feedback.view", "feedback/_home_widget.html", selectors.home_my_feedback, 20)
        )
        register_periodic("feedback.sla_escalation", tasks.check_sla_clocks, every=dt.timedelta(minutes=5))
