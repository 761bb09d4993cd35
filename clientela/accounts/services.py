"""Account services: profile, language, API tokens."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.core import audit
from clientela.core.models import AuditAction

from .models import ApiToken, User

PROFILE_FIELDS = ("first_name", "last_name", "email", "phone", "job_title", "language", "notification_digest")


@transaction.atomic
def user_update_profile(*, user: User, data: dict[str, Any]) -> User:
    before = audit.snapshot(user, PROFILE_FIELDS)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(user, name, data[name])
    user.full_clean(exclude=["password", "username"])
    user.save()
    audit.record_changed(actor=user, obj=user, before=before)
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


@transaction.atomic
def token_issue(*, user: User, name: str = "") -> str:
    token, raw = ApiToken.issue(user=user, name=name)
    audit.record(
        actor=user,
        obj=user,
        action=AuditAction.CHANGED,
        changes={"api_token": [None, token.prefix]},
        note="API token issued",
    )
    return raw


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=user,
            obj=token.user,
            action=AuditAction.CHANGED,
            changes={"api_token": [token.prefix, None]},
            note="API token revoked",
        )
