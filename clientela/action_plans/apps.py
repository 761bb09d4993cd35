"""Corrective and improvement action plans (ISO 9001 10.2)."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "clientela.action_plans"
    label = "action_plans"
    verbose_name = _("Action plans")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic

        from . import selectors, tasks
        from .models import Action, ActionPlan, EffectivenessCheck

        r.register_nav(r.NavEntry("feedback", _("Action plans"), "action_plans:list", "action_plans.view", 40))
        r.register_nav(r.NavEntry("feedback", _("My actions"), "action_plans:my_actions", "action_plans.view", 50))
        r.register_attachable(ActionPlan, view_permission="action_plans.view", change_permission="action_plans.change")
        r.register_attachable(Action, view_permission="action_plans.view", change_permission="actions.work")
        r.register_audited(EffectivenessCheck, "action_plans.view")
        r.register_timeline_source(
            r.TimelineSourceSpec("action_plan", _("Action plans"), "action_plans.view", selectors.plans_timeline)
        )
        r.register_search(r.SearchProvider("action_plans", "action_plans.view", selectors.search_provider))
        r.register_home_widget(
            r.HomeWidget(
                "my_actions", "action_plans.view", "action_plans/_home_widget.html", selectors.home_my_actions, 25
            )
        )
        register_periodic("action_plans.reminders", tasks.send_plan_reminders, every=dt.timedelta(hours=1))
