"""Scheduled work of the complaints module (idempotent: safe to run again at any time)."""

from django.tasks import task
from django.utils import timezone

from . import services


@task()
def check_sla_clocks() -> dict[str, int]:
    """Warn assignees at 80 % of a target; record breaches for good and tell the supervisors."""
    now = timezone.now()
    counts = {"warned": 0, "breached": 0}
    for feedback in services.sla_candidates(now).select_related(None).only("pk"):
        outcome = services.feedback_check_sla(feedback=feedback, now=now)
        if outcome:
            counts[outcome] += 1
    return counts
