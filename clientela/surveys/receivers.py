"""Lifecycle triggers from other modules' events (SPEC §3.5): a delivery recorded, a complaint closed."""

from typing import Any

from django.dispatch import receiver

from clientela.core import events

from . import services
from .models import Survey


@receiver(events.delivery_recorded, dispatch_uid="surveys.after_delivery")
def invite_after_delivery(sender: Any, *, delivery: Any, customer: Any, contact: Any = None, **kwargs: Any) -> None:
    services.trigger_invitations(
        trigger=Survey.Trigger.DELIVERY, customer=customer, contact=contact, key=f"delivery:{delivery.pk}"
    )


@receiver(events.feedback_closed, dispatch_uid="surveys.after_complaint")
def invite_after_complaint(sender: Any, *, feedback: Any, customer: Any, contact: Any = None, **kwargs: Any) -> None:
    # Satisfaction with the resolution is asked after complaints, not after suggestions or compliments.
    if getattr(feedback, "kind", "complaint") != "complaint":
        return
    services.trigger_invitations(
        trigger=Survey.Trigger.COMPLAINT_CLOSED, customer=customer, contact=contact, key=f"feedback:{feedback.pk}"
    )
