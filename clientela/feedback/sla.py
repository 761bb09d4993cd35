"""The SLA clock of complaints: targets per severity, deadlines in business time, and each
record's SLA status (on time / at risk / breached / paused / met).

Rules (SPEC §3.3):
- Only complaints have an SLA clock; suggestions and compliments are answered without one.
- Targets are business hours of the default business calendar, per severity (configurable;
  defaults acknowledge 2/4/8/16 h and resolve 9/27/45/90 h for critical/high/medium/low). The
  targets applied are copied onto the complaint, so changing the policy never rewrites history.
- Deadlines count from `received_at`. A target is *at risk* once 80 % of its business time has
  been used, and *breached* once its deadline passes before it is met.
- While `waiting_customer` the clock stops; on resuming, deadlines (and warning points) move by
  the paused business time. Time a complaint spends resolved or closed before being reopened is
  treated the same way: the customer, not the team, had the ball.
- A breach is recorded (`*_breached_at` = the deadline) and never cleared, not even by reopening.
- Rejecting a complaint answers it: the clocks stop as if it had been acknowledged and resolved.
"""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.calendar import WorkingCalendar

from .models import Feedback, Severity, SlaTarget
from .states import ANSWERED, CLOCK_RUNNING

S = Feedback.Status
WARN_FRACTION = Decimal("0.8")

# Business hours: (acknowledge, resolve) per severity (SPEC §3.3 defaults).
DEFAULT_TARGETS: dict[str, tuple[Decimal, Decimal]] = {
    Severity.CRITICAL: (Decimal(2), Decimal(9)),
    Severity.HIGH: (Decimal(4), Decimal(27)),
    Severity.MEDIUM: (Decimal(8), Decimal(45)),
    Severity.LOW: (Decimal(16), Decimal(90)),
}


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")


TONES = {
    SlaState.ON_TIME: "good",
    SlaState.AT_RISK: "warning",
    SlaState.BREACHED: "bad",
    SlaState.PAUSED: "info",
    SlaState.MET: "good",
}


def targets() -> dict[str, tuple[Decimal, Decimal]]:
    """The configured targets, with the SPEC defaults for any severity not configured."""
    configured = {t.severity: (t.acknowledge_hours, t.resolve_hours) for t in SlaTarget.objects.all()}
    return {severity: configured.get(severity, default) for severity, default in DEFAULT_TARGETS.items()}


def hours(value: Decimal | float) -> dt.timedelta:
    return dt.timedelta(seconds=round(float(value) * 3600))


def schedule(feedback: Feedback, *, calendar: WorkingCalendar, policy: dict | None = None) -> None:
    """Set the targets and the deadlines still running (not yet met) on `feedback`, in place."""
    if feedback.kind != Feedback.Kind.COMPLAINT:
        for name in (
            "acknowledge_target_hours",
            "resolve_target_hours",
            "acknowledge_due_at",
            "acknowledge_warn_at",
            "resolve_due_at",
            "resolve_warn_at",
        ):
            setattr(feedback, name, None)
        return
    acknowledge, resolve = (policy or targets())[feedback.severity]
    feedback.acknowledge_target_hours, feedback.resolve_target_hours = acknowledge, resolve
    paused = dt.timedelta(seconds=feedback.sla_paused_seconds)
    start = feedback.received_at
    if feedback.acknowledged_at is None:
        feedback.acknowledge_due_at = calendar.add(start, hours(acknowledge))
        feedback.acknowledge_warn_at = calendar.add(start, hours(acknowledge * WARN_FRACTION))
    if feedback.resolved_at is None:
        feedback.resolve_due_at = calendar.add(start, hours(resolve) + paused)
        feedback.resolve_warn_at = calendar.add(start, hours(resolve * WARN_FRACTION) + paused)


def breaches_due(feedback: Feedback, now: dt.datetime) -> list[str]:
    """The targets ("acknowledge", "resolve") that are breached now but not yet recorded as such."""
    found = []
    for target, met_at in (("acknowledge", feedback.acknowledged_at), ("resolve", feedback.resolved_at)):
        due = getattr(feedback, f"{target}_due_at")
        if due is None or getattr(feedback, f"{target}_breached_at") is not None:
            continue
        paused_in_time = feedback.sla_paused_at is not None and feedback.sla_paused_at <= due
        if target == "resolve" and feedback.status == S.WAITING_CUSTOMER and paused_in_time:
            continue  # the clock stopped in time; the deadline will move when it starts again
        if (met_at is None and now > due) or (met_at is not None and met_at > due):
            found.append(target)
    return found


def running_target(feedback: Feedback) -> str | None:
    """The target the clock is running towards now, if any."""
    if feedback.resolve_due_at is None or feedback.status not in CLOCK_RUNNING:
        return None
    return "acknowledge" if feedback.status == S.RECEIVED else "resolve"


def state(feedback: Feedback, now: dt.datetime | None = None) -> SlaState | None:
    """The SLA status of one record (None: it has no SLA clock)."""
    if feedback.resolve_due_at is None:
        return None
    now = now or timezone.now()
    breached = feedback.acknowledge_breached_at is not None or feedback.resolve_breached_at is not None
    if feedback.status in ANSWERED:
        return SlaState.BREACHED if breached else SlaState.MET
    if breached:
        return SlaState.BREACHED
    if feedback.status == S.WAITING_CUSTOMER:
        return SlaState.PAUSED
    target = running_target(feedback)
    due, warn = getattr(feedback, f"{target}_due_at"), getattr(feedback, f"{target}_warn_at")
    if now >= due:
        return SlaState.BREACHED
    if now >= warn:
        return SlaState.AT_RISK
    return SlaState.ON_TIME


def next_due(feedback: Feedback) -> dt.datetime | None:
    target = running_target(feedback)
    return getattr(feedback, f"{target}_due_at") if target else None


# --- the same rules as database filters -----------------------------------------------------------


def _breached(now: dt.datetime) -> Q:
    return (
        Q(acknowledge_breached_at__isnull=False)
        | Q(resolve_breached_at__isnull=False)
        | Q(status=S.RECEIVED, acknowledge_due_at__lte=now)
        | Q(status__in=[S.ACKNOWLEDGED, S.IN_ANALYSIS], resolve_due_at__lte=now)
    )


def state_filter(value: str, now: dt.datetime | None = None) -> Q:
    """A filter selecting the complaints whose SLA status is `value` at `now`."""
    now = now or timezone.now()
    has_clock = Q(resolve_due_at__isnull=False)
    breached = _breached(now)
    if value == SlaState.BREACHED:
        return has_clock & breached
    if value == SlaState.MET:
        return has_clock & Q(status__in=ANSWERED) & ~breached
    if value == SlaState.PAUSED:
        return has_clock & Q(status=S.WAITING_CUSTOMER) & ~breached
    running = has_clock & Q(status__in=CLOCK_RUNNING) & ~breached
    at_risk = Q(status=S.RECEIVED, acknowledge_warn_at__lte=now) | Q(
        status__in=[S.ACKNOWLEDGED, S.IN_ANALYSIS], resolve_warn_at__lte=now
    )
    if value == SlaState.AT_RISK:
        return running & at_risk
    if value == SlaState.ON_TIME:
        return running & ~at_risk
    raise ValueError(value)


def with_next_due(queryset: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """Annotate `next_due_at`: the deadline the clock is running towards (sorting by urgency)."""
    return queryset.annotate(
        next_due_at=Case(
            When(status=S.RECEIVED, then=F("acknowledge_due_at")),
            When(status__in=[S.ACKNOWLEDGED, S.IN_ANALYSIS], then=F("resolve_due_at")),
            default=Value(None),
            output_field=DateTimeField(),
        )
    )
