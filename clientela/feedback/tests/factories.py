"""Factories for complaints, suggestions and compliments: records are made through the service, so
their number and SLA clock are the real ones."""

import factory
from django.utils import timezone

from clientela.feedback import services
from clientela.feedback.models import Feedback


class FeedbackFactory(factory.Factory):
    class Meta:
        model = Feedback

    kind = Feedback.Kind.COMPLAINT
    channel = Feedback.Channel.EMAIL
    subject = factory.Sequence(lambda n: f"Pedido incompleto {n}")
    description = "Faltaban dos cajas del pedido y nadie avisó."
    severity = Feedback.Severity.MEDIUM
    received_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = kwargs.pop("actor", None)
        source = kwargs.pop("source", None)
        return services.feedback_create(actor=actor, data=kwargs, source=source)
