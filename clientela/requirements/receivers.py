"""Reactions of the requirements module to other modules' events: a delivery in time and form may
fulfil the approved requirements traced to its deliverable."""

from typing import Any

from django.dispatch import receiver

from clientela.core import events

from . import services


@receiver(events.delivery_recorded, dispatch_uid="requirements.fulfil_when_delivered")
def fulfil_when_delivered(sender: Any, *, delivery: Any, conforming: bool = False, **kwargs: Any) -> None:
    # Only a delivery of a contract deliverable can fulfil a requirement; stand-ins carry none.
    deliverable = getattr(delivery, "deliverable", None)
    if conforming and deliverable is not None:
        services.requirements_fulfil_delivered(deliverable=deliverable)
