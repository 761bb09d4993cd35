"""Background work of the loyalty module; every task is idempotent and safe to run twice."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from . import services
from .models import LoyaltyProgramme, ProgrammeMessage


@task()
def expire_points() -> int:
    """Daily: record the expiry of points past their date (members are locked one by one)."""
    return services.expire_all_due()


@task()
def enrol_and_reward() -> int:
    """Daily: enrol active customers of each programme's segments; reward referrals whose customer
    has become active."""
    enrolled = sum(
        services.programme_auto_enrol(programme=programme)
        for programme in LoyaltyProgramme.objects.filter(status=LoyaltyProgramme.Status.ACTIVE)
    )
    return enrolled + services.reward_pending_referrals()


@task()
def send_programme_message(message_id: int) -> bool:
    """E-mail a logged programme message to its recipient."""
    message = ProgrammeMessage.objects.filter(pk=message_id, channel=ProgrammeMessage.Channel.EMAIL).first()
    if message is None or "@" not in message.recipient:
        return False
    send_mail(
        subject=message.subject,
        message=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[message.recipient],
    )
    return True
