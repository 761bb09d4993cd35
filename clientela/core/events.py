"""Domain events other modules react to (survey triggers, loyalty points, indicator jobs).

Senders call `event.send(sender=ModelClass, **kwargs)` inside their service's transaction, after the
write; receivers run in the same transaction, so a failure rolls back both. Receivers that send
e-mail or do slow work schedule it with `transaction.on_commit`.

Every event carries `customer` (a customers.Customer, or None) and `actor` (a user, or None for
public or scheduled work), so a receiver never needs to import the sender's models.
"""

from django.dispatch import Signal

# kwargs: feedback (the closed complaint, suggestion or compliment), customer, contact (or None), actor
feedback_closed = Signal()
# kwargs: delivery, customer, contact (the contract's customer contact, or None), conforming (bool), actor
delivery_recorded = Signal()
# kwargs: contract, customer, value (Decimal), currency (str), renewal (bool: renews an earlier contract), actor
contract_activated = Signal()
# kwargs: response (a complete survey response), customer (None if anonymous), contact, actor
survey_response_submitted = Signal()
# kwargs: plan, customer (or None), actor
action_plan_closed = Signal()
