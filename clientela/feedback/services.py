"""Complaints, suggestions and compliments: every write of this module goes through here.

Each ISO 10002 step is a transition of the one state machine (`states.py`); the SLA clock
(`sla.py`) is kept consistent with the business calendar at every step.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.core import audit, events, notifications, sequences
from clientela.core import services as core
from clientela.core.calendar import WorkingCalendar, default_calendar
from clientela.core.errors import DomainError
from clientela.core.models import AuditAction
from clientela.core.permissions import CUSTOMER_SERVICE, QUALITY, SALES_MANAGER
from clientela.customers.models import Contact

from . import sla, states
from .models import Feedback

log = logging.getLogger(__name__)
S = Feedback.Status
K = Feedback.Kind

PREFIXES = {K.COMPLAINT: "QJ", K.SUGGESTION: "SG", K.COMPLIMENT: "FL"}
CREATE_FIELDS = (
    "kind",
    "customer",
    "contact",
    "submitter_name",
    "submitter_email",
    "submitter_phone",
    "submitter_organisation",
    "channel",
    "received_at",
    "subject",
    "description",
    "category",
    "severity",
    "assigned_to",
    "remedy_sought",
)
UPDATE_FIELDS = tuple(f for f in CREATE_FIELDS if f not in ("kind", "assigned_to"))
SLA_FIELDS = (
    "acknowledge_target_hours",
    "resolve_target_hours",
    "acknowledge_due_at",
    "acknowledge_warn_at",
    "resolve_due_at",
    "resolve_warn_at",
)
WORKER_ROLES = (QUALITY, SALES_MANAGER, CUSTOMER_SERVICE)


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def next_number(kind: str, received_at: dt.datetime) -> str:
    """QJ-2026-0001 (complaints), SG-… (suggestions), FL-… (compliments), by year of receipt."""
    year = timezone.localtime(received_at).year
    while True:
        number = f"{PREFIXES[kind]}-{year}-{sequences.next_value(f'{kind}-{year}'):04d}"
        if not Feedback.objects.filter(number=number).exists():
            return number


def workers() -> models.QuerySet:
    """People who may be assigned complaints and suggestions."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=WORKER_ROLES)
        .distinct()
        .order_by("first_name", "last_name")
    )


def _supervisors() -> list[Any]:
    return list(get_user_model().objects.filter(is_active=True, groups__name__in=[QUALITY, SALES_MANAGER]).distinct())


def _service_team() -> list[Any]:
    return list(get_user_model().objects.filter(is_active=True, groups__name=CUSTOMER_SERVICE))


def _title(feedback: Feedback, text: str) -> str:
    return f"{feedback.number}: {text}"


# --- SLA bookkeeping ------------------------------------------------------------------------------

TARGET_LABELS = {"acknowledge": "acknowledgement", "resolve": "resolution"}


def _record_breaches(feedback: Feedback, now: dt.datetime) -> list[str]:
    """Mark newly breached targets on `feedback` (in place) and tell the supervisors, once."""
    found = sla.breaches_due(feedback, now)
    for target in found:
        setattr(feedback, f"{target}_breached_at", getattr(feedback, f"{target}_due_at"))
        recipients = [*_supervisors(), feedback.assigned_to]

        def title(target: str = target) -> str:
            if target == "acknowledge":
                return _title(feedback, _("acknowledgement target breached"))
            return _title(feedback, _("resolution target breached"))

        notifications.notify(
            recipients=recipients,
            kind="feedback_sla_breached",
            title=title,
            body=feedback.subject,
            url=feedback.get_absolute_url(),
            target=feedback,
            dedupe_key=f"feedback-breach-{feedback.pk}-{target}",
        )
    return found


def _reschedule(feedback: Feedback, calendar: WorkingCalendar) -> None:
    sla.schedule(feedback, calendar=calendar)


# --- creating and editing -------------------------------------------------------------------------


def _prepare(feedback: Feedback) -> None:
    if feedback.contact_id and not feedback.customer_id:
        feedback.customer = feedback.contact.customer
    if not feedback.received_at:
        feedback.received_at = timezone.now()
    if feedback.kind != K.COMPLAINT:
        feedback.remedy_sought = feedback.remedy_sought or ""


@transaction.atomic
def feedback_create(*, actor: Any, data: dict[str, Any], source: models.Model | None = None) -> Feedback:
    """Record a complaint, suggestion or compliment. `received_at` may be in the past (a letter
    opened today); the SLA clock counts from it. `source` is the record it comes from (a
    nonconforming delivery, a survey response…), shown with a link on the complaint page."""
    feedback = Feedback(**_pick(data, CREATE_FIELDS))
    _prepare(feedback)
    if source is not None:
        feedback.source_content_type = ContentType.objects.get_for_model(source, for_concrete_model=True)
        feedback.source_object_id = source.pk
    feedback.full_clean(exclude=["number"])
    if feedback.assigned_to_id and not workers().filter(pk=feedback.assigned_to_id).exists():
        raise ValidationError({"assigned_to": [_("%(name)s cannot work complaints.") % {"name": feedback.assigned_to}]})
    feedback.number = next_number(feedback.kind, feedback.received_at)
    _reschedule(feedback, default_calendar())
    feedback = core.save_new(actor=actor, instance=feedback)
    if _record_breaches(feedback, timezone.now()):
        Feedback.objects.filter(pk=feedback.pk).update(
            acknowledge_breached_at=feedback.acknowledge_breached_at, resolve_breached_at=feedback.resolve_breached_at
        )
    if feedback.assigned_to_id:
        _notify_assignee(feedback, actor)
    return feedback


@transaction.atomic
def feedback_update(
    *, actor: Any, feedback: Feedback, data: dict[str, Any], expected_version: int | None = None
) -> Feedback:
    """Correct the facts of a record. The date of receipt can change only before the
    acknowledgement and the severity only before the answer; either change recomputes the SLA."""
    current = core.lock(feedback, expected_version)
    changes = _pick(data, UPDATE_FIELDS)
    if not current.is_open:
        raise DomainError(_("A closed or rejected record can no longer be edited; reopen it first."))
    if "received_at" in changes and changes["received_at"] != current.received_at and current.status != S.RECEIVED:
        raise ValidationError(
            {"received_at": [_("The date of receipt can only be corrected before the acknowledgement.")]}
        )
    if "severity" in changes and changes["severity"] != current.severity and current.status in states.ANSWERED:
        raise ValidationError({"severity": [_("The severity cannot change once the complaint has been answered.")]})
    if changes.get("contact") is not None and "customer" not in changes and not current.customer_id:
        changes["customer"] = changes["contact"].customer
    probe = Feedback(
        **{f.attname: getattr(current, f.attname) for f in Feedback._meta.concrete_fields},
    )
    for name, value in changes.items():
        setattr(probe, name, value)
    if probe.severity != current.severity or probe.received_at != current.received_at:
        _reschedule(probe, default_calendar())
        changes.update({name: getattr(probe, name) for name in SLA_FIELDS})
    return core.update_fields(actor=actor, instance=current, data=changes)


def _notify_assignee(feedback: Feedback, actor: Any) -> None:
    if not feedback.assigned_to_id or feedback.assigned_to_id == getattr(actor, "pk", None):
        return
    notifications.notify(
        recipients=[feedback.assigned_to],
        kind="feedback_assigned",
        title=lambda: _title(feedback, _("assigned to you")),
        body=feedback.subject,
        url=feedback.get_absolute_url(),
        target=feedback,
    )


@transaction.atomic
def feedback_assign(*, actor: Any, feedback: Feedback, assignee: Any, expected_version: int | None = None) -> Feedback:
    """Give a record to someone of customer service, quality or sales (or take it, as `actor`)."""
    current = core.lock(feedback, expected_version)
    if not current.is_open:
        raise DomainError(_("A closed or rejected record cannot be reassigned."))
    if assignee is not None and not workers().filter(pk=assignee.pk).exists():
        raise ValidationError({"assigned_to": [_("%(name)s cannot work complaints.") % {"name": assignee}]})
    if current.assigned_to_id == getattr(assignee, "pk", None):
        return current
    updated = core.update_fields(actor=actor, instance=current, data={"assigned_to": assignee})
    _notify_assignee(updated, actor)
    return updated


# --- the ISO 10002 steps --------------------------------------------------------------------------


def _required(values: dict[str, Any], names: Iterable[str], message: str) -> None:
    errors = {name: [message] for name in names if not str(values.get(name) or "").strip()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def feedback_transition(
    *,
    actor: Any,
    feedback: Feedback,
    to: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Feedback:
    """Move a record to its next step. Some steps need facts in `data`:

    - acknowledged → in_analysis (initial assessment): `severity`, `impact`,
      `immediate_action_needed`, `immediate_action` (when needed);
    - → waiting_customer: `note` (what the customer must send);
    - → resolved: `resolution`, `response_to_customer` and, for a complaint, `root_cause`;
    - → closed: the customer's answer recorded first (`feedback_record_answer`);
    - → rejected: `rejection_reason` (or `note`);
    - resolved/closed → in_analysis (reopening): `note` (why).
    """
    data = dict(data or {})
    note = (note or "").strip()
    current = core.lock(feedback, expected_version)
    states.check(current, to)
    calendar = default_calendar()
    now = timezone.now()
    before = audit.snapshot(current)
    old = current.status
    # A deadline that passed before this step is a breach, whatever the step does next.
    _record_breaches(current, now)

    if to == S.ACKNOWLEDGED:
        current.acknowledged_at = now
        if current.assigned_to_id is None and workers().filter(pk=getattr(actor, "pk", None)).exists():
            current.assigned_to = actor
    elif to == S.IN_ANALYSIS and old == S.ACKNOWLEDGED:
        _assess(current, data, actor, now, calendar)
    elif to == S.IN_ANALYSIS and old == S.WAITING_CUSTOMER:
        paused = calendar.between(current.sla_paused_at, now) if current.sla_paused_at else dt.timedelta(0)
        current.sla_paused_seconds += int(paused.total_seconds())
        current.sla_paused_at = None
        _reschedule(current, calendar)
    elif to == S.IN_ANALYSIS:  # reopening
        _required({"note": note}, ["note"], _("Say why it is reopened."))
        _reopen(current, now, calendar)
    elif to == S.WAITING_CUSTOMER:
        _required({"note": note}, ["note"], _("Say what the customer has been asked for."))
        current.sla_paused_at = now
    elif to == S.RESOLVED:
        _resolve(current, data, now, calendar)
    elif to == S.CLOSED:
        _close(current, data, now)
    elif to == S.REJECTED:
        reason = (data.get("rejection_reason") or note or "").strip()
        _required({"rejection_reason": reason}, ["rejection_reason"], _("Give the reason for the rejection."))
        current.rejection_reason = reason
        if data.get("response_to_customer"):
            current.response_to_customer = data["response_to_customer"].strip()
        current.acknowledged_at = current.acknowledged_at or now
        current.resolved_at = now
        current.responded_at = now
        current.resolution_seconds = _answer_seconds(current, now, calendar)
        if current.kind == K.SUGGESTION:
            current.evaluation = Feedback.Evaluation.DECLINED
    current.status = to
    _record_breaches(current, now)
    current.full_clean()
    current.lock_version += 1
    current.save()
    changes = audit.diff(before, audit.snapshot(current, before.keys()))
    audit.record(actor=actor, obj=current, action=AuditAction.TRANSITION, changes=changes, note=note)
    if to == S.CLOSED:
        events.feedback_closed.send(
            sender=Feedback, feedback=current, customer=current.customer, contact=current.contact, actor=actor
        )
    return current


def _assess(current: Feedback, data: dict[str, Any], actor: Any, now: dt.datetime, calendar: WorkingCalendar) -> None:
    """The initial assessment: severity, impact and whether immediate action is needed."""
    severity = data.get("severity") or current.severity
    if severity not in Feedback.Severity.values:
        raise ValidationError({"severity": [_("Choose a severity.")]})
    needed = bool(data.get("immediate_action_needed"))
    errors = {}
    if current.kind == K.COMPLAINT and not str(data.get("impact") or "").strip():
        errors["impact"] = [_("Describe the impact before the analysis starts.")]
    if needed and not str(data.get("immediate_action") or "").strip():
        errors["immediate_action"] = [_("Describe the immediate action taken.")]
    if errors:
        raise ValidationError(errors)
    current.impact = (data.get("impact") or "").strip()
    current.immediate_action_needed = needed
    current.immediate_action = (data.get("immediate_action") or "").strip() if needed else ""
    current.assessed_at = now
    current.assessed_by = actor if getattr(actor, "is_authenticated", False) else None
    if severity != current.severity:
        current.severity = severity
        _reschedule(current, calendar)


def _answer_seconds(current: Feedback, now: dt.datetime, calendar: WorkingCalendar) -> int:
    elapsed = calendar.between(current.received_at, now).total_seconds() - current.sla_paused_seconds
    return max(int(elapsed), 0)


def _resolve(current: Feedback, data: dict[str, Any], now: dt.datetime, calendar: WorkingCalendar) -> None:
    needed = ["resolution", "response_to_customer"]
    if current.kind == K.COMPLAINT:
        needed.insert(0, "root_cause")
    values = {name: data.get(name, getattr(current, name)) for name in needed}
    _required(values, needed, _("This is needed to resolve it."))
    for name in needed:
        setattr(current, name, str(values[name]).strip())
    current.resolved_at = now
    current.responded_at = now
    current.resolution_seconds = _answer_seconds(current, now, calendar)
    if current.kind == K.SUGGESTION:
        current.evaluation = Feedback.Evaluation.ACCEPTED


def _close(current: Feedback, data: dict[str, Any], now: dt.datetime) -> None:
    if current.kind != K.COMPLIMENT:
        if not current.responded_at or not current.response_to_customer.strip():
            raise DomainError(_("The decision must be communicated to the customer before closing."))
        if current.customer_accepted is None:
            raise DomainError(_("Record whether the customer accepted the answer before closing."))
    elif data.get("response_to_customer"):
        current.response_to_customer = data["response_to_customer"].strip()
        current.responded_at = now
    current.closed_at = now


def _reopen(current: Feedback, now: dt.datetime, calendar: WorkingCalendar) -> None:
    """Back to the analysis. The time it spent answered does not count against the resolution
    target (the deadline moves by it); a breach already recorded stays."""
    if current.resolved_at is not None and current.resolve_due_at is not None:
        waited = calendar.between(current.resolved_at, now)
        current.sla_paused_seconds += int(waited.total_seconds())
    current.resolved_at = None
    current.responded_at = None
    current.closed_at = None
    current.customer_accepted = None
    current.customer_decision_at = None
    current.customer_decision_note = ""
    current.evaluation = ""
    current.resolution_seconds = None
    current.reopen_count += 1
    _reschedule(current, calendar)


@transaction.atomic
def feedback_record_answer(
    *, actor: Any, feedback: Feedback, accepted: bool, note: str = "", expected_version: int | None = None
) -> Feedback:
    """Record whether the customer accepted the answer (ISO 10002: closing the complaint)."""
    current = core.lock(feedback, expected_version)
    if current.status != S.RESOLVED:
        raise DomainError(_("The customer's answer is recorded once the complaint has been resolved."))
    if accepted not in (True, False):
        raise ValidationError({"customer_accepted": [_("Say whether the customer accepted the answer.")]})
    note = (note or "").strip()
    if not accepted and not note:
        raise ValidationError({"customer_decision_note": [_("Record what the customer objects to.")]})
    return core.update_fields(
        actor=actor,
        instance=current,
        data={"customer_accepted": accepted, "customer_decision_at": timezone.now(), "customer_decision_note": note},
    )


# --- SLA escalation (scheduled) -------------------------------------------------------------------


def sla_candidates(now: dt.datetime) -> models.QuerySet[Feedback]:
    """Complaints whose clock may need a warning or a breach recorded now."""
    acknowledgement = models.Q(status=S.RECEIVED, acknowledge_warn_at__lte=now, acknowledge_breached_at__isnull=True)
    resolution = models.Q(status__in=states.CLOCK_RUNNING, resolve_warn_at__lte=now, resolve_breached_at__isnull=True)
    return Feedback.objects.filter(acknowledgement | resolution, archived_at__isnull=True).select_related("assigned_to")


@transaction.atomic
def feedback_check_sla(*, feedback: Feedback, now: dt.datetime | None = None) -> str:
    """Warn the assignee at 80 % of the running target; on a breach, record it for good and tell the
    supervisors. Safe to run any number of times. Returns "breached", "warned" or ""."""
    now = now or timezone.now()
    current = Feedback.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=feedback.pk)
    before = audit.snapshot(current, ["acknowledge_breached_at", "resolve_breached_at"])
    if _record_breaches(current, now):
        current.save(update_fields=["acknowledge_breached_at", "resolve_breached_at", "updated_at"])
        audit.record_changed(actor=None, obj=current, before=before, note=_("SLA target breached"))
        return "breached"
    target = sla.running_target(current)
    if target is None:
        return ""
    due = getattr(current, f"{target}_due_at")
    if not getattr(current, f"{target}_warn_at") <= now < due:
        return ""
    recipients = [current.assigned_to] if current.assigned_to_id else _service_team()

    def title() -> str:
        when = timezone.localtime(due).strftime("%d/%m/%Y %H:%M")
        if target == "acknowledge":
            return _title(current, _("acknowledge it before %(when)s") % {"when": when})
        return _title(current, _("resolve it before %(when)s") % {"when": when})

    created = notifications.notify(
        recipients=recipients,
        kind="feedback_sla_at_risk",
        title=title,
        body=current.subject,
        url=current.get_absolute_url(),
        target=current,
        dedupe_key=f"feedback-warn-{current.pk}-{target}-{due.isoformat()}",
    )
    return "warned" if created else ""


# --- public intake --------------------------------------------------------------------------------


def _match_contact(email: str) -> Contact | None:
    """The one active contact with this e-mail, if exactly one exists."""
    matches = list(
        Contact.objects.filter(
            email__iexact=email.strip(), archived_at__isnull=True, customer__archived_at__isnull=True
        ).select_related("customer")[:2]
    )
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def feedback_submit_public(*, data: dict[str, Any], language: str) -> Feedback:
    """A complaint, suggestion or compliment filed by a customer on the public form: linked to their
    contact when the e-mail is known, announced to customer service, confirmed to them by e-mail."""
    email = (data.get("submitter_email") or "").strip().lower()
    values = {
        "kind": data.get("kind"),
        "channel": Feedback.Channel.WEB,
        "received_at": timezone.now(),
        "subject": data.get("subject"),
        "description": data.get("description"),
        "remedy_sought": data.get("remedy_sought") or "",
        "submitter_name": data.get("submitter_name") or "",
        "submitter_email": email,
        "submitter_phone": data.get("submitter_phone") or "",
        "submitter_organisation": data.get("submitter_organisation") or "",
    }
    contact = _match_contact(email) if email else None
    if contact is not None:
        values["contact"] = contact
        values["customer"] = contact.customer
    feedback = feedback_create(actor=None, data=values)
    notifications.notify(
        recipients=_service_team(),
        kind="feedback_received",
        title=lambda: _title(
            feedback, _("new %(kind)s from the web form") % {"kind": feedback.get_kind_display().lower()}
        ),
        body=feedback.subject,
        url=feedback.get_absolute_url(),
        target=feedback,
    )
    transaction.on_commit(lambda: send_receipt(feedback.pk, language))
    return feedback


def send_receipt(feedback_id: int, language: str) -> None:
    """E-mail the reference number to whoever filed it on the public form."""
    feedback = Feedback.objects.select_related("contact").filter(pk=feedback_id).first()
    if feedback is None or not feedback.person_email:
        return
    with translation.override(language):
        context = {"feedback": feedback, "site_url": settings.SITE_URL}
        subject = render_to_string("feedback/email/receipt_subject.txt", context).strip()
        body = render_to_string("feedback/email/receipt.txt", context)
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[feedback.person_email])
    except OSError:
        log.exception("the receipt of %s could not be e-mailed", feedback.number)


# --- action plans from complaints and suggestions -------------------------------------------------

PLAN_DAYS = 30


@transaction.atomic
def feedback_open_plan(*, actor: Any, feedback: Feedback) -> tuple[Any, bool]:
    """ "Open corrective plan" in one step from a complaint (an improvement plan from an accepted
    suggestion). Returns (plan, created): an active plan already opened for it is reused."""
    from clientela.action_plans import services as plans
    from clientela.action_plans.models import ActionPlan

    existing = plans.plan_for_source(feedback, active_only=True)
    if existing is not None:
        return existing, False
    if feedback.kind == K.COMPLIMENT:
        raise DomainError(_("A compliment does not start an action plan."))
    if feedback.kind == K.SUGGESTION and feedback.evaluation != Feedback.Evaluation.ACCEPTED:
        raise DomainError(_("Only an accepted suggestion starts an improvement plan."))
    problem = feedback.description
    if feedback.root_cause:
        problem += "\n\n" + _("Root cause found in the complaint: %(cause)s") % {"cause": feedback.root_cause}
    plan = plans.plan_create(
        actor=actor,
        data={
            "kind": ActionPlan.Kind.CORRECTIVE if feedback.kind == K.COMPLAINT else ActionPlan.Kind.IMPROVEMENT,
            "origin": ActionPlan.Origin.FEEDBACK,
            "customer": feedback.customer,
            "title": f"{feedback.number} · {feedback.subject}"[:200],
            "problem": problem,
            "containment": feedback.immediate_action,
            "owner": actor if getattr(actor, "is_authenticated", False) else None,
            "due_date": timezone.localdate() + dt.timedelta(days=PLAN_DAYS),
        },
        source=feedback,
    )
    audit.record(
        actor=actor,
        obj=feedback,
        action=AuditAction.CHANGED,
        changes={"action_plan": [None, plan.number]},
        note=_("Action plan opened"),
    )
    return plan, True


def feedback_viewed_person(*, actor: Any, feedback: Feedback) -> None:
    """Record that `actor` looked at the complainant's personal data (SPEC §3.10)."""
    audit.record(
        actor=actor, obj=feedback, action=AuditAction.VIEWED, note=_("Contact details of the person who filed it")
    )


# --- settings -------------------------------------------------------------------------------------


@transaction.atomic
def targets_update(*, actor: Any, forms: Iterable[Any]) -> None:
    """Save the SLA targets edited in `forms` (model forms of SlaTarget); each change is audited.
    They apply to complaints received from now on: recorded complaints keep their targets."""
    from .models import SlaTarget

    for form in forms:
        if not form.has_changed():
            continue
        before = audit.snapshot(SlaTarget.objects.get(pk=form.instance.pk))
        form.instance.full_clean()
        form.instance.save()
        audit.record_changed(actor=actor, obj=form.instance, before=before)


@transaction.atomic
def categories_update(*, actor: Any, forms: Iterable[Any]) -> None:
    """Add and rename complaint categories (a category in use is retired, never deleted)."""
    from .models import Category

    for form in forms:
        if not form.has_changed():
            continue
        category = form.instance
        category.full_clean()
        if category.pk:
            before = audit.snapshot(Category.objects.get(pk=category.pk))
            category.save()
            audit.record_changed(actor=actor, obj=category, before=before)
        else:
            category.save()
            audit.record_created(actor=actor, obj=category)
