"""Core signal receivers: sign-ins are recorded in the audit trail."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import audit
from .models import AuditAction


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, obj=user, action=AuditAction.LOGIN)
