"""Points for what happens in other modules: contracts activated and satisfaction surveys answered.

The events carry the customer, so loyalty never imports the sender's models. Receivers run inside
the sender's transaction; a refusal by the programme's rules is logged and never blocks the sender.
"""

from typing import Any

from django.dispatch import receiver

from clientela.core import events

from . import services
from .models import EarningRule


@receiver(events.contract_activated, dispatch_uid="loyalty.contract_activated")
def earn_for_contract(
    sender: Any, *, contract: Any, customer: Any, value: Any, currency: str, renewal: bool, actor: Any, **kwargs: Any
) -> None:
    services.earn_for_event(
        customer=customer,
        event=EarningRule.Event.CONTRACT_RENEWED if renewal else EarningRule.Event.CONTRACT_SIGNED,
        source=contract,
        actor=actor,
        value=value,
        currency=currency,
    )


@receiver(events.survey_response_submitted, dispatch_uid="loyalty.survey_response_submitted")
def earn_for_survey(sender: Any, *, response: Any, customer: Any, contact: Any, actor: Any, **kwargs: Any) -> None:
    services.earn_for_event(customer=customer, event=EarningRule.Event.SURVEY_COMPLETED, source=response, actor=actor)
