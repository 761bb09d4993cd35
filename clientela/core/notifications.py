"""In-app notifications and their e-mails (immediately, or in a daily digest if the user prefers)."""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Notification

Text = str | Callable[[], str]


def _render(text: Text) -> str:
    return str(text() if callable(text) else text)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: Text,
    body: Text = "",
    url: str = "",
    target: models.Model | None = None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Create one notification per recipient, in the recipient's language.

    With `dedupe_key`, a recipient never gets the same notice twice (scheduled jobs re-run safely).
    """
    created: list[Notification] = []
    ct = ContentType.objects.get_for_model(target) if target is not None else None
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists():
            continue
        with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
            notification = Notification(
                recipient=user,
                kind=kind,
                title=_render(title)[:255],
                body=_render(body),
                url=url,
                content_type=ct,
                object_id=target.pk if target is not None else None,
                dedupe_key=dedupe_key,
            )
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # a concurrent run created it first
        created.append(notification)
        if not getattr(user, "notification_digest", False) and user.email:
            from .tasks import send_notification_email

            transaction.on_commit(lambda pk=notification.pk: send_notification_email.enqueue(pk))
    return created


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def email_one(notification: Notification) -> bool:
    user = notification.recipient
    if notification.emailed_at or not user.email:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"notifications": [notification], "user": user, "site_url": settings.SITE_URL}
        send_mail(
            subject=f"[Clientela] {notification.title}",
            message=render_to_string("core/email/notification.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def send_digest(user: Any) -> int:
    """One e-mail with every notice not yet e-mailed; returns how many it carried."""
    pending = list(Notification.objects.filter(recipient=user, emailed_at__isnull=True).order_by("created_at"))
    if not pending or not user.email:
        return 0
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"notifications": pending, "user": user, "site_url": settings.SITE_URL}
        send_mail(
            subject=_("[Clientela] Your daily summary: %(count)s notices") % {"count": len(pending)},
            message=render_to_string("core/email/notification.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)
