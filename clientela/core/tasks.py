"""Core background tasks (run by the task workers; safe to run twice)."""

from django.contrib.auth import get_user_model
from django.tasks import task

from . import notifications
from .models import Notification


@task()
def send_notification_email(notification_id: int) -> bool:
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return False
    return notifications.email_one(notification)


@task()
def send_notification_digests() -> int:
    sent = 0
    for user in get_user_model().objects.filter(is_active=True, notification_digest=True).exclude(email=""):
        sent += notifications.send_digest(user)
    return sent


@task()
def run_import_job(job_id: int, commit: bool) -> str:
    from .importing import run_job

    return run_job(job_id, commit=commit)
