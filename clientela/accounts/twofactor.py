"""Optional two-step sign-in with an authenticator app (TOTP, RFC 6238).

When TWO_FACTOR_REQUIRED is on, users holding one of TWO_FACTOR_ROLES (default: administrators and
top management) must set it up before using the application.
"""

import base64
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from clientela.core import audit
from clientela.core.models import AuditAction
from clientela.core.permissions import roles_of

from .models import User

ISSUER = "Clientela"
MAX_ATTEMPTS = 5


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_qr(user: User, secret: str) -> str:
    """The otpauth:// URI as an SVG data URI for an <img> (allowed by the CSP)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#1b2430", light="#ffffff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def required_for(user: Any) -> bool:
    if not settings.TWO_FACTOR_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return bool(roles_of(user) & set(settings.TWO_FACTOR_ROLES))


def attempts_left(user_id: int) -> int:
    return MAX_ATTEMPTS - int(cache.get(f"2fa-fail:{user_id}", 0))


def verify(user: User, code: str, secret: str | None = None) -> bool:
    """Check a 6-digit code (±30 s); a code works once; too many failures lock for 15 minutes."""
    secret = secret or user.totp_secret
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not secret or len(code) != 6 or attempts_left(user.pk) <= 0:
        return False
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        moment = timezone.now().timestamp() + offset * totp.interval
        if totp.at(moment) == code:
            step = int(moment // totp.interval)
            if not cache.add(f"2fa-used:{user.pk}:{step}", True, 120):
                return False  # replayed
            cache.delete(f"2fa-fail:{user.pk}")
            return True
    cache.set(f"2fa-fail:{user.pk}", int(cache.get(f"2fa-fail:{user.pk}", 0)) + 1, 15 * 60)
    return False


@transaction.atomic
def enable(*, user: User, secret: str, code: str) -> bool:
    if not verify(user, code, secret):
        return False
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_enabled_at=timezone.now())
    user.refresh_from_db()
    audit.record(actor=user, obj=user, action=AuditAction.CHANGED, changes={"two_factor": [False, True]})
    return True


@transaction.atomic
def disable(*, user: User, code: str) -> bool:
    if not verify(user, code):
        return False
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_enabled_at=None)
    user.refresh_from_db()
    audit.record(actor=user, obj=user, action=AuditAction.CHANGED, changes={"two_factor": [True, False]})
    return True
