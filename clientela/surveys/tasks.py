"""Background work of the surveys module (run by the task workers; every task is safe to run twice)."""

from django.tasks import task

from . import services


@task()
def send_invitation_email(invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id)


@task()
def send_reminders() -> int:
    return services.invitations_remind_due()


@task()
def expire_invitations() -> int:
    return services.invitations_expire()


@task()
def invite_new_customers() -> int:
    return services.invite_after_activation()


@task()
def invite_before_contract_end() -> int:
    return services.invite_before_contract_end()


@task()
def invite_quarterly() -> int:
    return services.invite_quarterly()
