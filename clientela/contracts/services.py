"""Every write of the contracts module: contracts and their review, regulations, obligations, deliveries."""

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clientela.core import audit, events, sequences
from clientela.core import services as core
from clientela.core.errors import DomainError
from clientela.core.models import AuditAction

from .models import (
    Contract,
    ContractRegulation,
    ContractReview,
    Deliverable,
    Delivery,
    RecurringObligation,
    Regulation,
)
from .states import CONTRACT_FLOW, DELIVERABLE_FLOW, NEEDS_REASON

REGULATION_FIELDS = ("code", "title", "jurisdiction", "summary", "url")
CONTRACT_FIELDS = (
    "number",
    "customer",
    "contact",
    "title",
    "kind",
    "start_date",
    "end_date",
    "value",
    "currency",
    "owner",
    "renews",
    "terms",
    "notes",
)
# Changing any of these after a contract review means the review no longer covers the contract.
REVIEWED_TERMS = ("customer", "title", "kind", "start_date", "end_date", "value", "currency", "terms", "regulations")
DELIVERABLE_FIELDS = ("description", "due_date", "acceptance_criteria", "responsible", "team")
RECURRING_FIELDS = ("description", "frequency", "first_due_date", "acceptance_criteria", "responsible", "team")
DELIVERY_FIELDS = ("delivered_on", "conforming", "notes", "nonconformity", "severity")
MAX_GENERATED = 240  # twenty years of monthly obligations


def _pick(data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def _date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --- regulations ------------------------------------------------------------------------------


@transaction.atomic
def regulation_create(*, actor: Any, data: dict[str, Any]) -> Regulation:
    return core.save_new(actor=actor, instance=Regulation(**_pick(data, REGULATION_FIELDS)))


@transaction.atomic
def regulation_update(
    *, actor: Any, regulation: Regulation, data: dict[str, Any], expected_version: int | None = None
) -> Regulation:
    return core.update_fields(
        actor=actor, instance=regulation, data=_pick(data, REGULATION_FIELDS), expected_version=expected_version
    )


def regulation_archive(*, actor: Any, regulation: Regulation) -> Regulation:
    return core.archive(actor=actor, instance=regulation)


def regulation_restore(*, actor: Any, regulation: Regulation) -> Regulation:
    return core.restore(actor=actor, instance=regulation)


# --- contracts --------------------------------------------------------------------------------


def next_contract_number(year: int | None = None) -> str:
    year = year or timezone.localdate().year
    while True:
        number = f"CT-{year}-{sequences.next_value(f'contract-{year}'):04d}"
        if not Contract.objects.filter(number=number).exists():
            return number


def _set_regulations(*, actor: Any, contract: Contract, regulations: Iterable[Regulation]) -> bool:
    wanted = {r.pk: r for r in regulations}
    current = set(contract.regulation_links.values_list("regulation_id", flat=True))
    if set(wanted) == current:
        return False
    before = sorted([r.pk, r.code] for r in Regulation.objects.filter(pk__in=current))
    contract.regulation_links.exclude(regulation_id__in=wanted).delete()
    ContractRegulation.objects.bulk_create(
        [ContractRegulation(contract=contract, regulation=r) for pk, r in wanted.items() if pk not in current]
    )
    after = sorted([r.pk, r.code] for r in wanted.values())
    audit.record(actor=actor, obj=contract, action=AuditAction.CHANGED, changes={"regulations": [before, after]})
    return True


@transaction.atomic
def contract_create(*, actor: Any, data: dict[str, Any]) -> Contract:
    """A new contract starts as a draft; its number is given automatically unless one is typed."""
    contract = Contract(**_pick(data, CONTRACT_FIELDS))
    if contract.owner_id is None and getattr(actor, "is_authenticated", False):
        contract.owner = actor
    contract.number = (contract.number or "").strip().upper() or next_contract_number()
    contract.status = Contract.Status.DRAFT
    if contract.customer_id and contract.customer.archived_at is not None:
        raise ValidationError({"customer": _("The customer is archived: restore it before adding contracts.")})
    contract = core.save_new(actor=actor, instance=contract)
    if data.get("regulations"):
        _set_regulations(actor=actor, contract=contract, regulations=data["regulations"])
    return contract


def _supersede_reviews(*, actor: Any, contract: Contract, reason: str) -> int:
    reviews = list(contract.reviews.filter(superseded_at__isnull=True))
    now = timezone.now()
    for review in reviews:
        ContractReview.objects.filter(pk=review.pk).update(superseded_at=now)
        audit.record(
            actor=actor, obj=review, action=AuditAction.CHANGED, changes={"superseded_at": [None, now]}, note=reason
        )
    return len(reviews)


@transaction.atomic
def contract_update(
    *, actor: Any, contract: Contract, data: dict[str, Any], expected_version: int | None = None
) -> Contract:
    """Change a contract's data. Before activation, a change to the reviewed terms voids the review;
    after it, changes are amendments kept in the history."""
    changes = _pick(data, CONTRACT_FIELDS)
    if "number" in changes:
        changes["number"] = (changes["number"] or "").strip().upper() or contract.number
    if contract.status in (Contract.Status.COMPLETED, Contract.Status.TERMINATED, Contract.Status.CANCELLED):
        raise DomainError(_("A closed contract cannot be changed."))
    if "customer" in changes and changes["customer"] != contract.customer:
        if not contract.is_editable_commitment:
            raise ValidationError({"customer": _("The customer of an active contract cannot change.")})
        if contract.requirements.exists() or contract.deliverables.filter(requirements__isnull=False).exists():
            # A requirement belongs to, and is traced to, contracts of its own customer only.
            raise ValidationError(
                {
                    "customer": _(
                        "Requirements of the customer belong to this contract or are traced to it: its customer cannot change."
                    )
                }
            )
    before = audit.snapshot(contract, [f for f in REVIEWED_TERMS if f != "regulations"])
    updated = core.update_fields(actor=actor, instance=contract, data=changes, expected_version=expected_version)
    regulations_changed = False
    if "regulations" in data:
        regulations_changed = _set_regulations(actor=actor, contract=updated, regulations=data["regulations"])
    after = audit.snapshot(updated, before.keys())
    terms_changed = bool(audit.diff(before, after)) or regulations_changed
    if terms_changed and updated.is_editable_commitment:
        _supersede_reviews(
            actor=actor, contract=updated, reason=_("The contract's terms changed after the review; review it again.")
        )
    if {"start_date", "end_date"} & audit.diff(before, after).keys():
        contract_generate_deliverables(actor=actor, contract=updated)
    return updated


def contract_warnings(contract: Contract) -> list[str]:
    """What the user should know about a contract they just saved (never a refusal)."""
    outside = contract.deliverables.exclude(status=Deliverable.Status.CANCELLED).exclude(
        due_date__gte=contract.start_date, due_date__lte=contract.end_date
    )
    count = outside.count()
    if not count:
        return []
    return [
        _("%(count)s deliverables fall due outside the contract's dates (%(start)s – %(end)s): check them.")
        % {"count": count, "start": _date(contract.start_date), "end": _date(contract.end_date)}
    ]


def current_review(contract: Contract) -> ContractReview | None:
    return contract.reviews.filter(superseded_at__isnull=True).select_related("reviewer").first()


@transaction.atomic
def contract_review_record(*, actor: Any, contract: Contract, data: dict[str, Any]) -> ContractReview:
    """Record the contract review (ISO 9001 8.2.3). The newest review is the one that counts.
    `data` holds the four checks and notes; an import may also give `reviewer` and `reviewed_at`."""
    contract = core.lock(contract)
    if not contract.is_editable_commitment:
        raise DomainError(
            _("The contract is %(status)s: it is reviewed before it becomes active.")
            % {"status": contract.get_status_display().lower()}
        )
    _supersede_reviews(actor=actor, contract=contract, reason=_("A newer contract review was recorded."))
    review = ContractReview(
        contract=contract,
        reviewer=data.get("reviewer") or (actor if getattr(actor, "is_authenticated", False) else None),
        reviewed_at=data.get("reviewed_at") or timezone.now(),
        notes=(data.get("notes") or "").strip(),
        **{name: bool(data.get(name)) for name in ContractReview.CHECKS},
    )
    review = core.save_new(actor=actor, instance=review)
    if review.regulations_identified:
        contract.regulation_links.update(
            last_reviewed_on=timezone.localdate(review.reviewed_at),
            reviewed_by=review.reviewer,
        )
    audit.record(
        actor=actor,
        obj=contract,
        action=AuditAction.CHANGED,
        changes={"review": [None, {"id": review.pk, "passed": review.passed}]},
        note=review.notes,
    )
    return review


@transaction.atomic
def contract_regulation_reviewed(
    *, actor: Any, contract: Contract, regulation: Regulation, on: dt.date | None = None, notes: str = ""
) -> ContractRegulation:
    """Someone checked the contract against one regulation today (or on `on`)."""
    link = ContractRegulation.objects.select_for_update().filter(contract=contract, regulation=regulation).first()
    if link is None:
        raise ValidationError({"regulation": _("This regulation is not linked to the contract.")})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"last_reviewed_on": _("A review date cannot be in the future.")})
    before = link.last_reviewed_on
    link.last_reviewed_on = on
    link.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    link.notes = notes[:255]
    link.save(update_fields=["last_reviewed_on", "reviewed_by", "notes"])
    audit.record(
        actor=actor,
        obj=contract,
        action=AuditAction.CHANGED,
        changes={f"regulation {regulation.code}": [before, on]},
        note=notes,
    )
    return link


@transaction.atomic
def contract_regulation_add(*, actor: Any, contract: Contract, regulation: Regulation) -> Contract:
    current = list(Regulation.objects.filter(contract_links__contract=contract))
    if regulation in current:
        return contract
    return contract_update(actor=actor, contract=contract, data={"regulations": [*current, regulation]})


@transaction.atomic
def contract_regulation_remove(*, actor: Any, contract: Contract, regulation: Regulation) -> Contract:
    current = [r for r in Regulation.objects.filter(contract_links__contract=contract) if r.pk != regulation.pk]
    return contract_update(actor=actor, contract=contract, data={"regulations": current})


@transaction.atomic
def contract_transition(
    *, actor: Any, contract: Contract, to: str, note: str = "", expected_version: int | None = None
) -> Contract:
    """Move a contract through its workflow, enforcing the review gate and the closing rules."""
    contract = core.lock(contract, expected_version)
    old = contract.status
    CONTRACT_FLOW.check(old, to)
    note = (note or "").strip()
    if to in NEEDS_REASON and not note:
        raise ValidationError({"note": _("Say why the contract is terminated or cancelled.")})
    if to == Contract.Status.ACTIVE:
        review = current_review(contract)
        if review is None:
            raise DomainError(_("The contract cannot become active without a contract review (ISO 9001 8.2.3)."))
        if not review.passed:
            raise DomainError(
                _(
                    "The last contract review did not confirm every check (requirements, differences, capacity, "
                    "regulations): resolve them and review the contract again before activating it."
                )
            )
        contract.activated_at = timezone.now()
    if to == Contract.Status.COMPLETED:
        pending = contract.deliverables.filter(status=Deliverable.Status.PENDING).count()
        if pending:
            raise DomainError(
                _(
                    "%(count)s deliverables are still pending: record their deliveries or cancel them before "
                    "completing the contract."
                )
                % {"count": pending}
            )
    if to in (Contract.Status.COMPLETED, Contract.Status.TERMINATED, Contract.Status.CANCELLED):
        contract.closed_at = timezone.now()
        contract.close_reason = note
    contract.status = to
    contract.lock_version += 1
    contract.save()
    audit.record_transition(actor=actor, obj=contract, old=old, new=to, note=note)
    if to == Contract.Status.ACTIVE:
        events.contract_activated.send(
            sender=Contract,
            contract=contract,
            customer=contract.customer,
            value=contract.value,
            currency=contract.currency,
            renewal=contract.renews_id is not None,
            actor=actor,
        )
    return contract


def contract_archive(*, actor: Any, contract: Contract, expected_version: int | None = None) -> Contract:
    """Contracts are never deleted: archived, with their deliverables and deliveries kept."""
    return core.archive(actor=actor, instance=contract, expected_version=expected_version)


def contract_restore(*, actor: Any, contract: Contract) -> Contract:
    return core.restore(actor=actor, instance=contract)


# --- deliverables -----------------------------------------------------------------------------


def _check_open_for_obligations(contract: Contract) -> None:
    if contract.status not in (Contract.Status.DRAFT, Contract.Status.IN_REVIEW, Contract.Status.ACTIVE):
        raise DomainError(
            _("The contract is %(status)s: obligations cannot be added or changed.")
            % {"status": contract.get_status_display().lower()}
        )


def deliverable_warnings(deliverable: Deliverable) -> list[str]:
    """Warnings, not refusals: the user saves and is told (SPEC §3.6, issue "bad input")."""
    contract = deliverable.contract
    if deliverable.status != Deliverable.Status.CANCELLED and deliverable.outside_contract_dates:
        return [
            _("The due date %(due)s is outside the contract's dates (%(start)s – %(end)s).")
            % {"due": _date(deliverable.due_date), "start": _date(contract.start_date), "end": _date(contract.end_date)}
        ]
    return []


@transaction.atomic
def deliverable_create(*, actor: Any, contract: Contract, data: dict[str, Any]) -> Deliverable:
    _check_open_for_obligations(contract)
    deliverable = Deliverable(contract=contract, **_pick(data, DELIVERABLE_FIELDS))
    return core.save_new(actor=actor, instance=deliverable)


@transaction.atomic
def deliverable_update(
    *, actor: Any, deliverable: Deliverable, data: dict[str, Any], expected_version: int | None = None
) -> Deliverable:
    changes = _pick(data, DELIVERABLE_FIELDS)
    current = core.lock(deliverable, expected_version)
    if all(getattr(current, name) == value for name, value in changes.items()):
        return current
    _check_open_for_obligations(current.contract)
    new_due = changes.get("due_date")
    if new_due is not None and new_due != current.due_date:
        if current.deliveries.exists():
            raise ValidationError(
                {"due_date": _("The deliverable already has deliveries: its due date can no longer change.")}
            )
        if current.due_date < timezone.localdate() and current.status == Deliverable.Status.PENDING:
            raise ValidationError(
                {
                    "due_date": _(
                        "The due date has passed: record the delivery (late) or cancel the deliverable with a reason; "
                        "moving the date would hide the delay."
                    )
                }
            )
    return core.update_fields(actor=actor, instance=current, data=changes, expected_version=expected_version)


def _move_deliverable(*, actor: Any, deliverable: Deliverable, to: str, note: str = "") -> Deliverable:
    old = deliverable.status
    if old == to:
        return deliverable
    DELIVERABLE_FLOW.check(old, to)
    deliverable.status = to
    if to == Deliverable.Status.CANCELLED:
        deliverable.cancel_reason = note
    elif old == Deliverable.Status.CANCELLED:
        deliverable.cancel_reason = ""
    deliverable.lock_version += 1
    deliverable.save()
    audit.record_transition(actor=actor, obj=deliverable, old=old, new=to, note=note)
    return deliverable


@transaction.atomic
def deliverable_transition(
    *, actor: Any, deliverable: Deliverable, to: str, note: str = "", expected_version: int | None = None
) -> Deliverable:
    """Cancel a deliverable (with a reason) or reinstate it; `delivered` comes only from a delivery."""
    current = core.lock(deliverable, expected_version)
    DELIVERABLE_FLOW.check(current.status, to)
    if to == Deliverable.Status.DELIVERED or current.status == Deliverable.Status.DELIVERED:
        raise DomainError(_("A deliverable becomes delivered when a conforming delivery is recorded, and only then."))
    _check_open_for_obligations(current.contract)
    note = (note or "").strip()
    if to == Deliverable.Status.CANCELLED and not note:
        raise ValidationError({"note": _("Say why the deliverable is cancelled.")})
    return _move_deliverable(actor=actor, deliverable=current, to=to, note=note)


# --- recurring obligations --------------------------------------------------------------------


def _add_months(start: dt.date, months: int, day: int) -> dt.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def recurrence_dates(obligation: RecurringObligation, until: dt.date) -> list[dt.date]:
    """The due dates of a recurring obligation up to `until`, keeping the first date's day of the month."""
    dates: list[dt.date] = []
    step = obligation.step_months
    first = obligation.first_due_date
    while True:
        due = _add_months(first, step * len(dates), first.day)
        if due > until:
            return dates
        if len(dates) >= MAX_GENERATED:
            raise ValidationError(
                {"frequency": _("That would create more than %(max)s deliverables.") % {"max": MAX_GENERATED}}
            )
        dates.append(due)


@transaction.atomic
def recurring_obligation_generate(*, actor: Any, obligation: RecurringObligation) -> list[Deliverable]:
    """Create the dated deliverables that do not exist yet, within the contract's dates. Idempotent."""
    contract = core.lock(obligation.contract)
    if obligation.archived_at is not None or contract.status not in (
        Contract.Status.DRAFT,
        Contract.Status.IN_REVIEW,
        Contract.Status.ACTIVE,
    ):
        return []
    existing = set(obligation.deliverables.values_list("due_date", flat=True))
    created = []
    for due in recurrence_dates(obligation, contract.end_date):
        if due < contract.start_date or due in existing:
            continue
        deliverable = Deliverable(
            contract=contract,
            recurring=obligation,
            description=f"{obligation.description} · {due:%Y-%m}",
            due_date=due,
            acceptance_criteria=obligation.acceptance_criteria,
            responsible=obligation.responsible,
            team=obligation.team,
        )
        created.append(core.save_new(actor=actor, instance=deliverable))
    return created


@transaction.atomic
def recurring_obligation_create(*, actor: Any, contract: Contract, data: dict[str, Any]) -> RecurringObligation:
    _check_open_for_obligations(contract)
    obligation = RecurringObligation(contract=contract, **_pick(data, RECURRING_FIELDS))
    obligation.full_clean()
    if not contract.start_date <= obligation.first_due_date <= contract.end_date:
        raise ValidationError(
            {
                "first_due_date": _("The first due date must fall within the contract's dates (%(start)s – %(end)s).")
                % {"start": _date(contract.start_date), "end": _date(contract.end_date)}
            }
        )
    recurrence_dates(obligation, contract.end_date)  # refuses absurd schedules before anything is written
    obligation = core.save_new(actor=actor, instance=obligation)
    recurring_obligation_generate(actor=actor, obligation=obligation)
    return obligation


@transaction.atomic
def recurring_obligation_stop(*, actor: Any, obligation: RecurringObligation) -> RecurringObligation:
    """No more deliverables are generated; the ones already dated stay (cancel them one by one)."""
    return core.archive(actor=actor, instance=obligation, note=_("Stopped: no more deliverables are generated."))


def contract_generate_deliverables(*, actor: Any, contract: Contract) -> int:
    created = 0
    for obligation in contract.recurring_obligations.filter(archived_at__isnull=True):
        created += len(recurring_obligation_generate(actor=actor, obligation=obligation))
    return created


# --- deliveries -------------------------------------------------------------------------------


def _sync_status(*, actor: Any, deliverable: Deliverable) -> Deliverable:
    if deliverable.status == Deliverable.Status.CANCELLED:
        return deliverable
    fulfilled = deliverable.deliveries.filter(conforming=True, archived_at__isnull=True).exists()
    target = Deliverable.Status.DELIVERED if fulfilled else Deliverable.Status.PENDING
    return _move_deliverable(actor=actor, deliverable=deliverable, to=target)


@transaction.atomic
def delivery_record(
    *, actor: Any, deliverable: Deliverable, data: dict[str, Any], expected_version: int | None = None
) -> Delivery:
    """Record a delivery. The deliverable is locked, so two people recording at once neither lose
    nor duplicate a delivery: the second is told what the first recorded (`expected_version` is the
    deliverable's edit version as the user saw it)."""
    current = core.lock(deliverable, expected_version)
    contract = current.contract
    if not contract.is_open_for_deliveries:
        raise DomainError(
            _("The contract is %(status)s: deliveries are recorded once the contract is active.")
            % {"status": contract.get_status_display().lower()}
        )
    if current.status == Deliverable.Status.CANCELLED:
        raise DomainError(_("The deliverable is cancelled: reinstate it before recording a delivery."))
    if current.status == Deliverable.Status.DELIVERED:
        done = current.deliveries.filter(conforming=True).order_by("delivered_on").first()
        raise DomainError(
            _("This deliverable was already delivered in conformity on %(date)s; no further delivery is needed.")
            % {"date": _date(done.delivered_on) if done else "—"}
        )
    delivery = Delivery(
        deliverable=current,
        recorded_by=data.get("recorded_by") or (actor if getattr(actor, "is_authenticated", False) else None),
        **_pick(data, DELIVERY_FIELDS),
    )
    delivery = core.save_new(actor=actor, instance=delivery)
    if delivery.conforming:
        _move_deliverable(actor=actor, deliverable=current, to=Deliverable.Status.DELIVERED)
    else:
        # The deliverable's version moves with every delivery, so a stale second submission is caught.
        Deliverable.objects.filter(pk=current.pk).update(lock_version=current.lock_version + 1)
    events.delivery_recorded.send(
        sender=Delivery,
        delivery=delivery,
        customer=contract.customer,
        contact=contract.contact,
        conforming=delivery.conforming,
        actor=actor,
    )
    return delivery


@transaction.atomic
def delivery_update(
    *, actor: Any, delivery: Delivery, data: dict[str, Any], expected_version: int | None = None
) -> Delivery:
    """Correct a recorded delivery (the history keeps what it said before); the deliverable's
    status follows."""
    deliverable = core.lock(delivery.deliverable)
    changes = _pick(data, DELIVERY_FIELDS)
    updated = core.update_fields(actor=actor, instance=delivery, data=changes, expected_version=expected_version)
    _sync_status(actor=actor, deliverable=deliverable)
    return updated


# --- alerts -----------------------------------------------------------------------------------

DUE_SOON_DAYS = 7
ENDING_SOON_DAYS = 60


def send_alerts(*, today: dt.date | None = None) -> dict[str, int]:
    """Notify deliverables due within 7 days, overdue ones and contracts ending within 60 days.
    Safe to run any number of times: each notice has a dedupe key per record and date."""
    from clientela.core.notifications import notify

    today = today or timezone.localdate()
    sent = {"due_soon": 0, "overdue": 0, "ending": 0}
    pending = (
        Deliverable.objects.filter(
            status=Deliverable.Status.PENDING,
            archived_at__isnull=True,
            contract__status=Contract.Status.ACTIVE,
            contract__archived_at__isnull=True,
            due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("contract", "contract__customer", "contract__owner", "responsible")
        .order_by("due_date", "pk")
    )
    for deliverable in pending:
        contract = deliverable.contract
        url = reverse("contracts:deliverable_detail", args=[deliverable.pk])
        values = {
            "what": deliverable.description,
            "number": contract.number,
            "customer": contract.customer.name,
            "due": _date(deliverable.due_date),
        }
        if deliverable.due_date < today:
            created = notify(
                recipients=[deliverable.responsible, contract.owner],
                kind="contracts.deliverable_overdue",
                title=lambda v=values: _("Overdue since %(due)s: %(what)s (%(number)s, %(customer)s)") % v,
                url=url,
                target=deliverable,
                dedupe_key=f"contracts:overdue:{deliverable.pk}:{deliverable.due_date.isoformat()}",
            )
            sent["overdue"] += len(created)
        else:
            created = notify(
                recipients=[deliverable.responsible or contract.owner],
                kind="contracts.deliverable_due_soon",
                title=lambda v=values: _("Due on %(due)s: %(what)s (%(number)s, %(customer)s)") % v,
                url=url,
                target=deliverable,
                dedupe_key=f"contracts:due:{deliverable.pk}:{deliverable.due_date.isoformat()}",
            )
            sent["due_soon"] += len(created)
    ending = Contract.objects.filter(
        status=Contract.Status.ACTIVE,
        archived_at__isnull=True,
        end_date__gte=today,
        end_date__lte=today + dt.timedelta(days=ENDING_SOON_DAYS),
    ).select_related("owner", "customer", "customer__account_manager")
    for contract in ending:
        values = {"number": contract.number, "customer": contract.customer.name, "end": _date(contract.end_date)}
        created = notify(
            recipients=[contract.owner, contract.customer.account_manager],
            kind="contracts.contract_ending",
            title=lambda v=values: _("Contract %(number)s with %(customer)s ends on %(end)s: plan the renewal") % v,
            url=contract.get_absolute_url(),
            target=contract,
            dedupe_key=f"contracts:ending:{contract.pk}:{contract.end_date.isoformat()}",
        )
        sent["ending"] += len(created)
    return sent
