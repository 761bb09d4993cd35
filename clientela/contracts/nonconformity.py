"""A nonconforming delivery becomes a complaint or a corrective action plan in one step (SPEC §3.6).

Both are idempotent: the complaint or plan already opened from the delivery is returned instead of
opening another one.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.action_plans import services as plans
from clientela.action_plans.models import ActionPlan
from clientela.core.errors import DomainError
from clientela.feedback import selectors as feedback_selectors
from clientela.feedback import services as feedback
from clientela.feedback.models import Feedback

from .models import Delivery

PLAN_DAYS = 30


def _require_nonconforming(delivery: Delivery) -> None:
    if delivery.conforming:
        raise DomainError(_("This delivery was conforming: there is nothing to correct."))


def existing_complaint(delivery: Delivery) -> Feedback | None:
    return feedback_selectors.feedback_for_source(delivery).first()


def existing_plan(delivery: Delivery) -> ActionPlan | None:
    return plans.plan_for_source(delivery)


@transaction.atomic
def open_complaint(*, actor: Any, delivery: Delivery) -> tuple[Feedback, bool]:
    """Record the nonconformity as a complaint of the customer's, with the delivery as its source."""
    _require_nonconforming(delivery)
    if (found := existing_complaint(delivery)) is not None:
        return found, False
    deliverable = delivery.deliverable
    contract = deliverable.contract
    data = {
        "kind": Feedback.Kind.COMPLAINT,
        "customer": contract.customer,
        "contact": contract.contact,
        "channel": "other",
        "received_at": timezone.now(),
        "subject": (_("Nonconforming delivery: %(what)s") % {"what": deliverable.description})[:200],
        "description": _("Contract %(number)s, delivered on %(date)s.\n\n%(problem)s")
        % {
            "number": contract.number,
            "date": delivery.delivered_on.strftime("%d/%m/%Y"),
            "problem": delivery.nonconformity,
        },
        "severity": delivery.severity or "medium",
    }
    return feedback.feedback_create(actor=actor, data=data, source=delivery), True


@transaction.atomic
def open_plan(*, actor: Any, delivery: Delivery) -> tuple[ActionPlan, bool]:
    """Open a corrective action plan (origin: contract nonconformity) for the delivery."""
    _require_nonconforming(delivery)
    deliverable = delivery.deliverable
    contract = deliverable.contract
    data = {
        "kind": ActionPlan.Kind.CORRECTIVE,
        "origin": ActionPlan.Origin.CONTRACT,
        "customer": contract.customer,
        "title": (_("Nonconforming delivery: %(what)s") % {"what": deliverable.description})[:200],
        "problem": _("Contract %(number)s, delivered on %(date)s.\n\n%(problem)s")
        % {
            "number": contract.number,
            "date": delivery.delivered_on.strftime("%d/%m/%Y"),
            "problem": delivery.nonconformity,
        },
        "owner": contract.owner or actor,
        "due_date": timezone.localdate() + dt.timedelta(days=PLAN_DAYS),
    }
    return plans.plan_open_for_source(actor=actor, source=delivery, data=data)
