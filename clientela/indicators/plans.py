"""The improvement or corrective plan a period closed below target requires (PSC 004 §4.1, "Plan de
Acción"; SPEC §3.7). The closed result (an IndicatorResult) is the plan's source.

The action-plans module connects its plan creation here, in its AppConfig.ready():

    from clientela.indicators import plans

    def draft(*, result, data):
        plan = find_plan_for_source(result) or plan_create(actor=None, data=data, source=result)
        return plans.PlanRef(id=plan.pk, reference=plan.number, url=plan.get_absolute_url())

    plans.connect(draft)

Until a drafter is connected, requesting the plan notifies the quality representatives, who open it
by hand; either way it is requested once per indicator and period.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import registry
from .models import IndicatorResult

PLAN_DUE_DAYS = 30


@dataclass(frozen=True)
class PlanRef:
    id: int | None
    reference: str
    url: str = ""


# drafter(*, result: IndicatorResult, data: dict) -> PlanRef
PlanDrafter = Callable[..., PlanRef]

_drafter: PlanDrafter | None = None


def connect(drafter: PlanDrafter) -> None:
    global _drafter
    _drafter = drafter


def disconnect() -> None:
    global _drafter
    _drafter = None


def is_connected() -> bool:
    return _drafter is not None


def format_value(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    return formats.number_format(float(value), 2, use_l10n=True) + str(registry.UNIT_SUFFIX.get(unit, ""))


def plan_data(result: IndicatorResult, *, owner: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The plan as SPEC §3.4 names its fields, written in the organisation's language."""
    definition = registry.get_definition(result.indicator)
    unit = definition.unit if definition else registry.Unit.PERCENT
    name = definition.name if definition else result.indicator
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(indicator)s %(period)s below target") % {"indicator": name, "period": result.period}
        problem = _(
            "%(indicator)s closed %(period)s at %(value)s against a target of %(target)s "
            "(%(numerator)s of %(denominator)s). PSC 004 requires analysing the causes, reviewing the resources "
            "assigned and taking corrective action."
        ) % {
            "indicator": str(definition.label) if definition else result.indicator,
            "period": result.period,
            "value": format_value(result.value, unit),
            "target": format_value(result.target, unit),
            "numerator": result.numerator if result.numerator is not None else "—",
            "denominator": result.denominator if result.denominator is not None else "—",
        }
    return {
        "kind": "corrective" if definition is not None and definition.process else "improvement",
        "origin": "indicator",
        "title": title,
        "problem": problem,
        "owner": owner,
        "due_date": today + dt.timedelta(days=PLAN_DUE_DAYS),
    }


def draft(result: IndicatorResult, *, owner: Any) -> PlanRef | None:
    """Ask the connected action-plans module for the plan; None when none is connected."""
    if _drafter is None:
        return None
    return _drafter(result=result, data=plan_data(result, owner=owner))
