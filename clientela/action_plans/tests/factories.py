"""Factories for action plans and actions, made through the services (numbers, audit)."""

import datetime as dt

import factory
from django.utils import timezone

from clientela.action_plans import services
from clientela.action_plans.models import Action, ActionPlan


class PlanFactory(factory.Factory):
    class Meta:
        model = ActionPlan

    kind = ActionPlan.Kind.CORRECTIVE
    origin = ActionPlan.Origin.OTHER
    title = factory.Sequence(lambda n: f"Retrasos en las entregas {n}")
    problem = "Tres entregas fuera de plazo en el trimestre."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = kwargs.pop("actor", None)
        source = kwargs.pop("source", None)
        return services.plan_create(actor=actor, data=kwargs, source=source)


class ActionFactory(factory.Factory):
    class Meta:
        model = Action

    description = factory.Sequence(lambda n: f"Revisar el procedimiento de expedición {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = kwargs.pop("actor", None)
        plan = kwargs.pop("plan")
        return services.action_create(actor=actor, plan=plan, data=kwargs)
