"""Scheduled work of the requirements module (idempotent: safe to run again)."""

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import notifications

from .selectors import clarification_limit_days, stuck_requirements


@task()
def notify_stuck_requirements() -> int:
    """Tell each account manager about their requirements stuck in clarification: once when the limit
    is passed, and again each time another full limit goes by without an agreement."""
    limit = clarification_limit_days()
    now = timezone.now()
    sent = 0
    for requirement in stuck_requirements().select_related("customer", "customer__account_manager"):
        manager = requirement.customer.account_manager
        if manager is None:
            continue
        days = (now - requirement.status_changed_at).days
        rounds = max(days // limit, 1)
        sent += len(
            notifications.notify(
                recipients=[manager],
                kind="requirements.stuck",
                title=lambda r=requirement, d=days: (
                    _("Requirement %(number)s has been in clarification for %(days)s days")
                    % {"number": r.number, "days": d}
                ),
                body=lambda r=requirement, n=limit: (
                    _(
                        "“%(title)s” (%(customer)s) is still being clarified, beyond the %(limit)s days allowed. "
                        "Agree it with the customer, record their confirmation and validate it, or withdraw it."
                    )
                    % {"title": r.title, "customer": r.customer.name, "limit": n}
                ),
                url=requirement.get_absolute_url(),
                target=requirement,
                dedupe_key=f"requirement-stuck:{requirement.pk}:{requirement.version}:"
                f"{requirement.status_changed_at:%Y%m%d%H%M%S}:{rounds}",
            )
        )
    return sent
