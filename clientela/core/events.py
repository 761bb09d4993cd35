"""Domain events other modules react to (survey triggers, loyalty points, indicator jobs).

Senders call `event.send(sender=ModelClass, **kwargs)` inside their service's transaction, after the
write; receivers run in the same transaction, so a failure rolls back both. Receivers that send
e-mail or do slow work schedule it with `transaction.on_commit`.
"""

from django.dispatch import Signal

# kwargs: feedback (the closed complaint, suggestion or compliment), actor
feedback_closed = Signal()
# kwargs: delivery, actor
delivery_recorded = Signal()
# kwargs: contract, actor, renewal (bool: the contract renews an earlier one)
contract_activated = Signal()
# kwargs: response (a complete survey response), actor (None for a public submission)
survey_response_submitted = Signal()
# kwargs: plan, actor
action_plan_closed = Signal()
