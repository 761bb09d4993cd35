"""Scheduled work of the action-plans module (idempotent: safe to run again at any time)."""

from django.tasks import task

from . import services


@task()
def send_plan_reminders() -> dict[str, int]:
    """Overdue actions to their owners; plans due for their effectiveness check to quality."""
    return {
        "overdue_actions": services.notify_overdue_actions(),
        "verifications_due": services.notify_verifications_due(),
    }
