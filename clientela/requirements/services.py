"""Requirement services: every write to this module goes through here (views, API, importer,
scheduled task and demo alike)."""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contracts.models import Deliverable
from clientela.core import attachments, audit, notifications, sequences
from clientela.core import services as core
from clientela.core.errors import DomainError
from clientela.core.importing import normalise
from clientela.customers.models import Contact, Customer

from .models import NOTE_MAX, SUBSTANCE_FIELDS, Requirement, RequirementVersion, Status
from .selectors import concerned_people
from .states import REQUIREMENT_FLOW
from .traceability import deliverable_facts, trace_row

logger = logging.getLogger(__name__)

# What a person edits. The contract is not substance (SUBSTANCE_FIELDS): it changes in place at any status.
CONTENT_FIELDS = (
    "title",
    "description",
    "kind",
    "source",
    "source_reference",
    "priority",
    "acceptance_criteria",
    "contract",
)
CONFIRMATION_FIELDS = ("confirmed_by", "confirmed_on", "confirmation_method", "confirmation_note")
# What a version row copies from its requirement.
VERSION_FIELDS = (
    *(name for name in CONTENT_FIELDS if name != "contract"),
    "status",
    *CONFIRMATION_FIELDS,
    "validated_at",
    "validated_by",
    "approved_at",
    "approved_by",
)
NO_CONFIRMATION = {"confirmed_by": None, "confirmed_on": None, "confirmation_method": "", "confirmation_note": ""}


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def _clean_texts(data: dict[str, Any]) -> dict[str, Any]:
    """Surrounding spaces go and line ends become "\n", so an exported text imports back equal."""
    for name in ("title", "source_reference", "description", "acceptance_criteria", "confirmation_note"):
        if isinstance(data.get(name), str):
            data[name] = data[name].replace("\r\n", "\n").replace("\r", "\n").strip()
    return data


def _search_text(number: str, title: str, source_reference: str) -> str:
    return normalise(" ".join([number, title, source_reference]))


def next_number(year: int | None = None) -> str:
    year = year or timezone.localdate().year
    while True:
        number = f"RQ-{year}-{sequences.next_value(f'requirement-{year}'):04d}"
        if not Requirement.objects.filter(number=number).exists():
            return number


def _sync_version(requirement: Requirement, *, actor: Any = None, change_reason: str | None = None) -> None:
    """Keep the current version's row in step with the requirement (earlier rows never change)."""
    values = {name: getattr(requirement, name) for name in VERSION_FIELDS}
    if change_reason is not None:
        values["change_reason"] = change_reason
    row = RequirementVersion.objects.filter(requirement=requirement, version=requirement.version).first()
    if row is None:
        RequirementVersion.objects.create(
            requirement=requirement,
            version=requirement.version,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **values,
        )
    else:
        RequirementVersion.objects.filter(pk=row.pk).update(**values)


def _name(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return _("The system")
    return user.get_full_name() or user.get_username()


def _contact_of(customer: Customer, contact: Contact | None) -> None:
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"confirmed_by": _("The contact belongs to another customer.")})


@transaction.atomic
def requirement_create(*, actor: Any, customer: Customer, data: dict[str, Any]) -> Requirement:
    """Capture a requirement of `customer` (status draft, version 1)."""
    if customer.archived_at is not None:
        raise ValidationError({"customer": _("The customer is archived: restore it before adding requirements.")})
    requirement = Requirement(customer=customer, **_clean_texts(_pick(data, CONTENT_FIELDS)))
    requirement.number = next_number()
    requirement.created_by = actor if getattr(actor, "is_authenticated", False) else None
    requirement.search_text = _search_text(requirement.number, requirement.title, requirement.source_reference)
    requirement = core.save_new(actor=actor, instance=requirement)
    _sync_version(requirement, actor=actor)
    return requirement


@transaction.atomic
def requirement_update(
    *, actor: Any, requirement: Requirement, data: dict[str, Any], expected_version: int | None = None
) -> Requirement:
    """Edit a requirement in place. Only drafts and requirements being clarified change their content;
    a validated or approved one changes through a new version (ISO 9001 8.2.4)."""
    current = core.lock(requirement, expected_version)
    changes = _clean_texts(_pick(data, CONTENT_FIELDS))
    changed_substance = [n for n in SUBSTANCE_FIELDS if n in changes and changes[n] != getattr(current, n)]
    if current.is_closed:
        raise DomainError(
            _("This requirement is %(status)s: it can no longer be changed.")
            % {"status": current.get_status_display().lower()}
        )
    if current.is_frozen and changed_substance:
        raise DomainError(
            _(
                "This requirement is %(status)s: its content cannot be changed in place. "
                "Create a new version instead; it will need validating again."
            )
            % {"status": current.get_status_display().lower()}
        )
    if changed_substance and current.is_confirmed:
        # The customer confirmed other words: the confirmation no longer applies.
        changes.update(NO_CONFIRMATION)
    if not changes:
        return current
    changes["search_text"] = _search_text(
        current.number, changes.get("title", current.title), changes.get("source_reference", current.source_reference)
    )
    updated = core.update_fields(actor=actor, instance=current, data=changes)
    _sync_version(updated)
    return updated


@transaction.atomic
def requirement_confirm(
    *,
    actor: Any,
    requirement: Requirement,
    contact: Contact | None,
    confirmed_on: dt.date | None,
    method: str,
    note: str = "",
    evidence: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Requirement:
    """Record who at the customer confirmed the current version, when and how (with an optional file)."""
    current = core.lock(requirement, expected_version)
    if current.status not in (Status.DRAFT, Status.CLARIFYING):
        raise DomainError(
            _(
                "The customer's confirmation is recorded while the requirement is being clarified, not when it is %(status)s."
            )
            % {"status": current.get_status_display().lower()}
        )
    errors: dict[str, str] = {}
    if contact is None:
        errors["confirmed_by"] = _("Say who at the customer confirmed it.")
    if confirmed_on is None:
        errors["confirmed_on"] = _("Say when the customer confirmed it.")
    elif confirmed_on > timezone.localdate():
        errors["confirmed_on"] = _("A confirmation is recorded after it happens: the date cannot be in the future.")
    if method not in Requirement.ConfirmationMethod.values:
        errors["confirmation_method"] = _("Say how the customer confirmed it.")
    if errors:
        raise ValidationError(errors)
    _contact_of(current.customer, contact)
    if evidence is not None:
        attachments.validate_upload(evidence, "evidence")
    updated = core.update_fields(
        actor=actor,
        instance=current,
        data={
            "confirmed_by": contact,
            "confirmed_on": confirmed_on,
            "confirmation_method": method,
            "confirmation_note": _clean_texts({"confirmation_note": note or ""})["confirmation_note"],
        },
        note=_("Customer's confirmation of version %(version)s") % {"version": current.version},
    )
    _sync_version(updated)
    if evidence is not None:
        row = RequirementVersion.objects.get(requirement=updated, version=updated.version)
        attachments.attach(
            actor=actor,
            target=row,
            upload=evidence,
            purpose="evidence",
            description=_("Customer's confirmation"),
        )
    return updated


def _move(
    *, actor: Any, current: Requirement, target: str, note: str, extra: dict[str, Any] | None = None
) -> Requirement:
    REQUIREMENT_FLOW.check(current.status, target)
    old = current.status
    current.status = target
    current.status_changed_at = timezone.now()
    for name, value in (extra or {}).items():
        setattr(current, name, value)
    current.lock_version += 1
    current.full_clean()
    current.save()
    audit.record_transition(actor=actor, obj=current, old=old, new=target, note=note)
    _sync_version(current)
    return current


@transaction.atomic
def requirement_transition(
    *, actor: Any, requirement: Requirement, target: str, note: str = "", expected_version: int | None = None
) -> Requirement:
    """Move a requirement through its life. Validation needs acceptance criteria and the customer's
    confirmation; going back to clarification after validation is a new version."""
    current = core.lock(requirement, expected_version)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("The note is too long; the limit is %(limit)s characters.") % {"limit": NOTE_MAX}}
        )
    REQUIREMENT_FLOW.check(current.status, target)
    extra: dict[str, Any] = {}
    stamp = timezone.now()
    if target == Status.CLARIFYING and current.status != Status.DRAFT:
        raise DomainError(
            _(
                "A %(status)s requirement goes back to clarification only as a new version: "
                "use “New version” and say what changes."
            )
            % {"status": current.get_status_display().lower()}
        )
    if target == Status.VALIDATED:
        missing = []
        if not current.acceptance_criteria.strip():
            missing.append(_("add the acceptance criteria"))
        if not current.is_confirmed:
            missing.append(_("record the customer's confirmation (who, when and how)"))
        if missing:
            raise DomainError(
                _("It cannot be validated yet: %(missing)s.") % {"missing": _(" and ").join(str(m) for m in missing)}
            )
        extra = {"validated_at": stamp, "validated_by": actor}
    elif target == Status.APPROVED:
        extra = {"approved_at": stamp, "approved_by": actor}
    elif target in (Status.REJECTED, Status.WITHDRAWN) and not note:
        raise ValidationError({"note": _("Say why: the reason stays in the requirement's history.")})
    return _move(actor=actor, current=current, target=target, note=note, extra=extra)


@transaction.atomic
def requirement_new_version(
    *,
    actor: Any,
    requirement: Requirement,
    data: dict[str, Any],
    reason: str,
    expected_version: int | None = None,
) -> Requirement:
    """Change a validated or approved requirement: the settled version is kept as it was, the new one
    goes back to clarification (the customer confirms it again) and the people concerned are told."""
    current = core.lock(requirement, expected_version)
    if not current.is_frozen:
        if current.is_closed:
            raise DomainError(
                _("This requirement is %(status)s: it can no longer be changed.")
                % {"status": current.get_status_display().lower()}
            )
        raise DomainError(
            _("Only a validated or approved requirement gets a new version; while it is being clarified, edit it.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"change_reason": _("Say why the requirement changes.")})
    if len(reason) > NOTE_MAX:
        raise ValidationError(
            {"change_reason": _("The reason is too long; the limit is %(limit)s characters.") % {"limit": NOTE_MAX}}
        )
    changes = _clean_texts(_pick(data, CONTENT_FIELDS))
    if not any(n in changes and changes[n] != getattr(current, n) for n in SUBSTANCE_FIELDS):
        raise ValidationError(
            _(
                "Nothing in the title, description, acceptance criteria, priority or kind changes: no new version is needed."
            )
        )
    now = timezone.now()
    previous = current.version
    approver = current.approved_by
    RequirementVersion.objects.filter(requirement=current, version=previous).update(superseded_at=now)
    REQUIREMENT_FLOW.check(current.status, Status.CLARIFYING)
    reset = {
        **changes,
        **NO_CONFIRMATION,
        "version": previous + 1,
        "validated_at": None,
        "validated_by": None,
        "approved_at": None,
        "approved_by": None,
    }
    before = audit.snapshot(current, reset.keys())
    old_status = current.status
    for name, value in reset.items():
        setattr(current, name, value)
    current.status = Status.CLARIFYING
    current.status_changed_at = now
    current.search_text = _search_text(current.number, current.title, current.source_reference)
    current.lock_version += 1
    current.full_clean()
    current.save()
    audit.record_changed(
        actor=actor,
        obj=current,
        before=before,
        note=_("Version %(version)s: %(reason)s") % {"version": current.version, "reason": reason},
    )
    audit.record_transition(
        actor=actor,
        obj=current,
        old=old_status,
        new=Status.CLARIFYING,
        note=_("New version %(version)s") % {"version": current.version},
    )
    _sync_version(current, actor=actor, change_reason=reason)
    updated = current
    recipients = [u for u in concerned_people(updated, approver=approver) if u != actor]
    notifications.notify(
        recipients=recipients,
        kind="requirements.new_version",
        title=lambda: (
            _("Requirement %(number)s changed: version %(version)s needs validating again")
            % {"number": updated.number, "version": updated.version}
        ),
        body=lambda: (
            _("%(who)s created version %(version)s of “%(title)s” (%(customer)s). Reason: %(reason)s")
            % {
                "who": _name(actor),
                "version": updated.version,
                "title": updated.title,
                "customer": updated.customer.name,
                "reason": reason,
            }
        ),
        url=updated.get_absolute_url(),
        target=updated,
        dedupe_key=f"requirement-version:{updated.pk}:{updated.version}",
    )
    return updated


@transaction.atomic
def requirement_trace(
    *,
    actor: Any,
    requirement: Requirement,
    deliverables: Iterable[Deliverable],
    expected_version: int | None = None,
) -> Requirement:
    """Say which contract deliverables satisfy a requirement (SPEC §3.2 traceability): deliverables
    of its own customer's contracts, never a cancelled one newly; a rejected or withdrawn requirement
    is owed nothing, so it takes no new deliverables. The history records what was added and removed."""
    current = core.lock(requirement, expected_version)
    chosen = list(
        Deliverable.objects.filter(pk__in={d.pk for d in deliverables})
        .select_related("contract")
        .order_by("due_date", "pk")
    )
    current.clean_deliverables(chosen)
    already = set(current.deliverables.values_list("pk", flat=True))
    added = [d for d in chosen if d.pk not in already]
    if added and current.status in (Status.REJECTED, Status.WITHDRAWN):
        raise DomainError(
            _("This requirement is %(status)s: nothing is owed for it, so it is not traced to deliverables.")
            % {"status": current.get_status_display().lower()}
        )
    cancelled = [d for d in added if d.status == Deliverable.Status.CANCELLED]
    if cancelled:
        raise ValidationError(
            {
                "deliverables": _("A cancelled deliverable satisfies nothing: %(deliverables)s.")
                % {"deliverables": ", ".join(f"{d.contract.number} · {d.description}" for d in cancelled)}
            }
        )
    return core.update_fields(
        actor=actor, instance=current, data={"deliverables": chosen}, note=_("Traceability to deliverables")
    )


@transaction.atomic
def deliverable_trace(
    *, actor: Any, deliverable: Deliverable, requirements: Iterable[Requirement]
) -> list[Requirement]:
    """Say which requirements a deliverable satisfies, from the deliverable's side: each requirement
    gained or lost is traced through `requirement_trace`, so its own history records the change.
    Returns the requirements traced to the deliverable now."""
    wanted = {r.pk: r for r in requirements}
    customer_id = deliverable.contract.customer_id
    foreign = [r for r in wanted.values() if r.customer_id != customer_id]
    if foreign:
        raise ValidationError(
            {
                "requirements": _(
                    "A deliverable satisfies only requirements of its own customer; "
                    "these belong to another customer: %(requirements)s."
                )
                % {"requirements": ", ".join(r.number for r in foreign)}
            }
        )
    current = set(deliverable.requirements.values_list("pk", flat=True))
    changing = Requirement.objects.filter(pk__in=current ^ wanted.keys()).order_by("pk")
    for requirement in changing:
        traced = set(requirement.deliverables.values_list("pk", flat=True)) ^ {deliverable.pk}
        requirement_trace(actor=actor, requirement=requirement, deliverables=Deliverable.objects.filter(pk__in=traced))
    return list(deliverable.requirements.order_by("number"))


@transaction.atomic
def requirements_fulfil_delivered(*, deliverable: Deliverable) -> list[Requirement]:
    """Mark fulfilled the approved requirements traced to `deliverable` whose every traced deliverable
    (cancelled ones aside) has been delivered in time and form, and tell the people concerned.
    Idempotent: only approved requirements move, so running it again changes nothing. A requirement
    the flow refuses stays as it is; it never undoes the delivery that triggered it."""
    candidates = list(
        Requirement.objects.filter(deliverables=deliverable, status=Status.APPROVED, archived_at__isnull=True)
        .select_related("customer__account_manager", "contract__owner")
        .order_by("pk")
    )
    traced = deliverable_facts([r.pk for r in candidates])
    fulfilled = []
    for requirement in candidates:
        if not trace_row(requirement, traced.get(requirement.pk, ())).in_time_and_form:
            continue
        try:
            with transaction.atomic():
                done = requirement_transition(
                    actor=None,
                    requirement=requirement,
                    target=Status.FULFILLED,
                    note=_("Every deliverable traced to it was delivered in time and form."),
                )
        except (DomainError, ValidationError):
            logger.warning("Requirement %s could not be marked fulfilled after a delivery", requirement.number)
            continue
        fulfilled.append(done)
        notifications.notify(
            recipients=concerned_people(requirement),
            kind="requirements.fulfilled",
            title=lambda r=requirement: (
                _("Requirement %(number)s fulfilled: every deliverable traced to it was delivered in time and form")
                % {"number": r.number}
            ),
            url=requirement.get_absolute_url(),
            target=requirement,
            dedupe_key=f"requirement-fulfilled:{requirement.pk}",
        )
    return fulfilled


@transaction.atomic
def requirement_archive(*, actor: Any, requirement: Requirement, expected_version: int | None = None) -> Requirement:
    """Archive a requirement that never became a commitment; a live one is withdrawn first."""
    if requirement.status not in (Status.DRAFT, Status.REJECTED, Status.WITHDRAWN):
        raise DomainError(
            _("A %(status)s requirement is part of the record and cannot be archived: withdraw it first.")
            % {"status": requirement.get_status_display().lower()}
        )
    return core.archive(actor=actor, instance=requirement, expected_version=expected_version)


def requirement_restore(*, actor: Any, requirement: Requirement) -> Requirement:
    return core.restore(actor=actor, instance=requirement)
