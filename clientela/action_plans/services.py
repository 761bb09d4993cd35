"""Action plans and their actions: every write of this module goes through here."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, events, notifications, sequences
from clientela.core import services as core
from clientela.core.attachments import attachments_for
from clientela.core.errors import DomainError
from clientela.core.models import AuditAction
from clientela.core.permissions import QUALITY, customer_of, has_perm

from . import states
from .models import Action, ActionPlan, EffectivenessCheck

P = ActionPlan.Status
A = Action.Status

PLAN_FIELDS = (
    "kind",
    "origin",
    "customer",
    "title",
    "problem",
    "containment",
    "correction",
    "consequences",
    "root_cause_method",
    "five_whys",
    "ishikawa",
    "root_cause",
    "similar_cases_checked",
    "similar_cases",
    "risk_update_needed",
    "owner",
    "due_date",
    "effectiveness_criterion",
    "verification_due",
)
ACTION_FIELDS = ("description", "owner", "due_date", "evidence")
# Days to verify effectiveness after the actions are done, when the plan does not say.
DEFAULT_VERIFICATION_DAYS = 30


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def next_plan_number(year: int) -> str:
    while True:
        number = f"PA-{year}-{sequences.next_value(f'action-plan-{year}'):04d}"
        if not ActionPlan.objects.filter(number=number).exists():
            return number


def _search_text(plan: ActionPlan) -> str:
    from clientela.core.importing import normalise

    return normalise(" ".join([plan.number, plan.title, plan.source_label]))


def _not_finished(plan: ActionPlan) -> None:
    if plan.is_finished:
        raise DomainError(_("This plan is closed or cancelled: it can no longer change."))


def _check_due_date(value: dt.date | None, since: dt.datetime, field: str = "due_date") -> None:
    if value is not None and value < timezone.localtime(since).date():
        raise ValidationError({field: [_("The due date cannot be before the plan was opened.")]})


def _notify_owner(*, plan: ActionPlan, actor: Any) -> None:
    if plan.owner_id and plan.owner_id != getattr(actor, "pk", None):
        notifications.notify(
            recipients=[plan.owner],
            kind="action_plan_assigned",
            title=lambda: _("You are the owner of action plan %(number)s") % {"number": plan.number},
            body=plan.title,
            url=plan.get_absolute_url(),
            target=plan,
        )


# --- plans ----------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor: Any, data: dict[str, Any], source: models.Model | None = None) -> ActionPlan:
    """Open a plan. `source` is the record it comes from (a complaint, a nonconforming delivery, an
    indicator result…), linked generically and named in `source_label`."""
    plan = ActionPlan(**_pick(data, PLAN_FIELDS))
    if "follow_up_of" in data:
        plan.follow_up_of = data["follow_up_of"]
    if source is not None:
        plan.source_content_type = ContentType.objects.get_for_model(source, for_concrete_model=True)
        plan.source_object_id = source.pk
        plan.source_label = str(source)[:255]
        if plan.customer_id is None:
            plan.customer = customer_of(source)
    _check_due_date(plan.due_date, timezone.now())
    _check_due_date(plan.verification_due, timezone.now(), "verification_due")
    plan.number = next_plan_number(timezone.localdate().year)
    plan.search_text = _search_text(plan)
    plan = core.save_new(actor=actor, instance=plan)
    _notify_owner(plan=plan, actor=actor)
    return plan


def plans_for_source(source: models.Model) -> models.QuerySet[ActionPlan]:
    """Every plan opened for `source`, newest first."""
    ct = ContentType.objects.get_for_model(source, for_concrete_model=True)
    return ActionPlan.objects.filter(source_content_type=ct, source_object_id=source.pk).order_by("-created_at", "-id")


def plan_for_source(source: models.Model, *, active_only: bool = False) -> ActionPlan | None:
    """The plan already opened for `source` (not cancelled; with `active_only`, not closed either)."""
    excluded = [P.CANCELLED, P.CLOSED] if active_only else [P.CANCELLED]
    return plans_for_source(source).exclude(status__in=excluded).first()


@transaction.atomic
def plan_open_for_source(*, actor: Any, source: models.Model, data: dict[str, Any]) -> tuple[ActionPlan, bool]:
    """Idempotent: the plan already opened for `source` (any status but cancelled), or a new one.
    Returns (plan, created). For jobs that must draft one plan per source (e.g. per period)."""
    existing = plan_for_source(source)
    if existing is not None:
        return existing, False
    return plan_create(actor=actor, data=data, source=source), True


@transaction.atomic
def plan_update(
    *, actor: Any, plan: ActionPlan, data: dict[str, Any], expected_version: int | None = None
) -> ActionPlan:
    _not_finished(plan)
    changes = _pick(data, PLAN_FIELDS)
    if "due_date" in changes and changes["due_date"] != plan.due_date:
        _check_due_date(changes["due_date"], plan.created_at)
    if "verification_due" in changes and changes["verification_due"] != plan.verification_due:
        _check_due_date(changes["verification_due"], plan.created_at, "verification_due")
    if "title" in changes:
        changes["search_text"] = _search_text(
            ActionPlan(number=plan.number, title=changes["title"], source_label=plan.source_label)
        )
    updated = core.update_fields(actor=actor, instance=plan, data=changes, expected_version=expected_version)
    if "owner" in changes and updated.owner_id != plan.owner_id:
        _notify_owner(plan=updated, actor=actor)
    return updated


def _save_transition(*, actor: Any, plan: ActionPlan, before: dict[str, Any], old: str, note: str) -> ActionPlan:
    plan.full_clean()
    plan.lock_version += 1
    plan.save()
    changes = audit.diff(before, audit.snapshot(plan, before.keys()))
    changes["status"] = [old, plan.status]
    audit.record(actor=actor, obj=plan, action=AuditAction.TRANSITION, changes=changes, note=note)
    return plan


@transaction.atomic
def plan_transition(
    *, actor: Any, plan: ActionPlan, to: str, note: str = "", expected_version: int | None = None
) -> ActionPlan:
    """Start, send to verification or cancel a plan (closing goes through `plan_verify`)."""
    current = core.lock(plan, expected_version)
    states.PLAN.check(current.status, to)
    if (current.status, to) in states.BY_VERIFICATION:
        raise DomainError(_("A plan is closed or reopened only by verifying its effectiveness."))
    before = audit.snapshot(current)
    old = current.status
    note = (note or "").strip()
    if to == P.IN_PROGRESS:
        errors = {}
        if current.kind == ActionPlan.Kind.CORRECTIVE and not current.root_cause.strip():
            errors["root_cause"] = [_("Record the root cause before starting the actions of a corrective plan.")]
        if not current.actions.exclude(status=A.CANCELLED).exists():
            errors["actions"] = [_("Add at least one action before starting the plan.")]
        if errors:
            raise ValidationError(errors)
    elif to == P.PENDING_VERIFICATION:
        actions = list(current.actions.values_list("status", flat=True))
        errors = {}
        if A.PENDING in actions:
            errors["actions"] = [_("Every action must be done or cancelled before the effectiveness is verified.")]
        elif A.DONE not in actions:
            errors["actions"] = [_("At least one action must be done before the effectiveness is verified.")]
        if not current.effectiveness_criterion.strip():
            errors["effectiveness_criterion"] = [_("Say how the effectiveness will be judged.")]
        if errors:
            raise ValidationError(errors)
        if current.verification_due is None:
            current.verification_due = timezone.localdate() + dt.timedelta(days=DEFAULT_VERIFICATION_DAYS)
    elif to == P.CANCELLED:
        if not note:
            raise ValidationError({"note": [_("Say why the plan is cancelled.")]})
        current.cancel_reason = note
    current.status = to
    plan = _save_transition(actor=actor, plan=current, before=before, old=old, note=note)
    if to == P.CANCELLED:
        # Its pending actions will not be done: they are cancelled with it, each one audited.
        for action in plan.actions.select_for_update().filter(status=A.PENDING):
            action.status = A.CANCELLED
            action.lock_version += 1
            action.save(update_fields=["status", "lock_version", "updated_at"])
            audit.record_transition(
                actor=actor, obj=action, old=A.PENDING, new=A.CANCELLED, note=_("The plan was cancelled.")
            )
    return plan


@transaction.atomic
def plan_verify(
    *, actor: Any, plan: ActionPlan, data: dict[str, Any], expected_version: int | None = None
) -> ActionPlan:
    """Record an effectiveness verification. Effective: the plan closes. Not effective: the plan
    goes back to in progress, or, with `follow_up`, closes as not effective and a follow-up plan
    opens with the same origin."""
    if not has_perm(actor, "action_plans.verify", plan):
        raise PermissionDenied(_("Only a quality representative can verify the effectiveness of a plan."))
    current = core.lock(plan, expected_version)
    if current.status != P.PENDING_VERIFICATION:
        raise DomainError(_("Only a plan pending verification can be verified."))
    result = data.get("result")
    check = EffectivenessCheck(
        plan=current,
        method=(data.get("method") or "").strip(),
        evidence=(data.get("evidence") or "").strip(),
        result=result or "",
        verified_by=actor,
        verified_at=timezone.now(),
    )
    check.full_clean()
    check.save()
    audit.record_created(actor=actor, obj=check)
    before = audit.snapshot(current)
    old = current.status
    current.effectiveness_result = check.result
    current.verified_by = actor
    current.verified_at = check.verified_at
    follow_up = None
    if result == ActionPlan.Result.EFFECTIVE or data.get("follow_up"):
        current.status = P.CLOSED
        current.closed_at = check.verified_at
    else:
        current.status = P.IN_PROGRESS
    current = _save_transition(actor=actor, plan=current, before=before, old=old, note=check.evidence[:500])
    if result == ActionPlan.Result.NOT_EFFECTIVE and data.get("follow_up"):
        follow_up = plan_create(
            actor=actor,
            data={
                "kind": current.kind,
                "origin": current.origin,
                "customer": current.customer,
                "title": _("Follow-up of %(number)s: %(title)s") % {"number": current.number, "title": current.title}
                if len(current.title) < 150
                else current.title,
                "problem": _("The plan %(number)s was not effective.\n\n%(evidence)s")
                % {"number": current.number, "evidence": check.evidence},
                "owner": current.owner,
                "follow_up_of": current,
            },
            source=current.source,
        )
    if current.status == P.CLOSED:
        events.action_plan_closed.send(sender=ActionPlan, plan=current, customer=current.customer, actor=actor)
    current._follow_up = follow_up  # type: ignore[attr-defined]  (for the caller's message and redirect)
    return current


# --- actions --------------------------------------------------------------------------------------


@transaction.atomic
def action_create(*, actor: Any, plan: ActionPlan, data: dict[str, Any]) -> Action:
    _not_finished(plan)
    if plan.status == P.PENDING_VERIFICATION:
        raise DomainError(_("The plan is waiting for its verification: reopen it before adding actions."))
    action = Action(plan=plan, **_pick(data, ACTION_FIELDS))
    _check_due_date(action.due_date, plan.created_at)
    action = core.save_new(actor=actor, instance=action)
    if action.owner_id != getattr(actor, "pk", None):
        notifications.notify(
            recipients=[action.owner],
            kind="action_assigned",
            title=lambda: _("New action for you in plan %(number)s") % {"number": plan.number},
            body=action.description[:500],
            url=action.get_absolute_url(),
            target=action,
        )
    return action


@transaction.atomic
def action_update(*, actor: Any, action: Action, data: dict[str, Any], expected_version: int | None = None) -> Action:
    _not_finished(action.plan)
    changes = _pick(data, ACTION_FIELDS)
    if "due_date" in changes and changes["due_date"] != action.due_date:
        _check_due_date(changes["due_date"], action.plan.created_at)
    return core.update_fields(actor=actor, instance=action, data=changes, expected_version=expected_version)


@transaction.atomic
def action_transition(
    *,
    actor: Any,
    action: Action,
    to: str,
    note: str = "",
    evidence: str | None = None,
    expected_version: int | None = None,
) -> Action:
    """Mark an action done (with evidence), cancel it (with a reason) or reopen it."""
    current = core.lock(action, expected_version)
    plan = current.plan
    _not_finished(plan)
    states.ACTION.check(current.status, to)
    if plan.status == P.PENDING_VERIFICATION:
        raise DomainError(_("The plan is waiting for its verification: its actions cannot change now."))
    before = audit.snapshot(current)
    note = (note or "").strip()
    if evidence is not None:
        current.evidence = evidence.strip()
    if to == A.DONE:
        if not current.evidence and not attachments_for(current, "evidence").exists():
            raise ValidationError({"evidence": [_("Describe the evidence, or attach a file, before marking it done.")]})
        current.done_at = timezone.now()
    elif to == A.CANCELLED:
        if not note:
            raise ValidationError({"note": [_("Say why the action is cancelled.")]})
    else:
        current.done_at = None
    current.status = to
    current.full_clean()
    current.lock_version += 1
    current.save()
    changes = audit.diff(before, audit.snapshot(current, before.keys()))
    audit.record(actor=actor, obj=current, action=AuditAction.TRANSITION, changes=changes, note=note)
    return current


# --- reminders (scheduled) ------------------------------------------------------------------------


def notify_overdue_actions(*, today: dt.date | None = None) -> int:
    """Tell each owner about their overdue actions, once per action and due date."""
    today = today or timezone.localdate()
    sent = 0
    overdue = Action.objects.filter(
        status=A.PENDING, due_date__lt=today, plan__status__in=[P.OPEN, P.IN_PROGRESS], archived_at__isnull=True
    ).select_related("plan", "owner")
    for action in overdue:
        sent += len(
            notifications.notify(
                recipients=[action.owner],
                kind="action_overdue",
                title=lambda a=action: (
                    _("Overdue action in plan %(number)s (due %(date)s)")
                    % {"number": a.plan.number, "date": a.due_date.strftime("%d/%m/%Y")}
                ),
                body=action.description[:500],
                url=action.get_absolute_url(),
                target=action,
                dedupe_key=f"action-overdue-{action.pk}-{action.due_date.isoformat()}",
            )
        )
    return sent


def notify_verifications_due(*, today: dt.date | None = None) -> int:
    """Tell the quality representatives about plans whose effectiveness is due to be verified."""
    today = today or timezone.localdate()
    quality = list(get_user_model().objects.filter(is_active=True, groups__name=QUALITY))
    sent = 0
    for plan in ActionPlan.objects.filter(status=P.PENDING_VERIFICATION, verification_due__lte=today):
        sent += len(
            notifications.notify(
                recipients=quality,
                kind="action_plan_verification_due",
                title=lambda p=plan: _("Verify the effectiveness of plan %(number)s") % {"number": p.number},
                body=plan.title,
                url=plan.get_absolute_url(),
                target=plan,
                dedupe_key=f"plan-verify-{plan.pk}-{plan.verification_due.isoformat()}",
            )
        )
    return sent
