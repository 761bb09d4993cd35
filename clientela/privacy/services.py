"""Data-subject request services: register, verify identity, export, anonymise, block, close."""

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, sequences
from clientela.core import services as core
from clientela.core.errors import DomainError
from clientela.core.models import AuditAction
from clientela.core.statemachine import StateMachine
from clientela.customers.models import Contact, Customer

from .models import DataSubjectRequest, LegalHold
from .providers import PROVIDERS, Subject

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status

MACHINE = StateMachine(
    choices=Status,
    moves={
        Status.RECEIVED: [Status.IN_PROGRESS, Status.REJECTED],
        Status.IN_PROGRESS: [Status.COMPLETED, Status.REJECTED],
    },
)

# Legal deadlines per country profile: (amount, unit) per right; unit "months", "days" (calendar) or
# "working_days". ES: RGPD art. 12.3; MX: LFPDPPP art. 32; AR: Ley 25.326 arts. 14 and 16;
# CO: Ley 1581 arts. 14 and 15. Override with settings.PRIVACY_DEADLINES.
DEADLINES: dict[str, dict[str, tuple[int, str]]] = {
    "ES": dict.fromkeys(Kind.values, (1, "months")),
    "MX": dict.fromkeys(Kind.values, (20, "working_days")),
    "AR": {
        Kind.ACCESS: (10, "days"),
        Kind.PORTABILITY: (10, "days"),
        Kind.RECTIFICATION: (5, "working_days"),
        Kind.ERASURE: (5, "working_days"),
        Kind.RESTRICTION: (5, "working_days"),
        Kind.OBJECTION: (5, "working_days"),
    },
    "CO": dict.fromkeys(Kind.values, (15, "working_days")) | {Kind.ACCESS: (10, "working_days")},
}


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _add_working_days(day: dt.date, count: int, country: str) -> dt.date:
    closed = holidays.country_holidays(country, years=range(day.year, day.year + 2))
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            count -= 1
    return day


def due_date_for(*, country: str, kind: str, received: dt.date) -> dt.date:
    table = {**DEADLINES, **getattr(settings, "PRIVACY_DEADLINES", {})}
    amount, unit = table.get(country, table["ES"]).get(kind, (1, "months"))
    if unit == "months":
        return _add_months(received, amount)
    if unit == "working_days":
        return _add_working_days(received, amount, country)
    return received + dt.timedelta(days=amount)


def subject_of(request: DataSubjectRequest) -> Subject:
    customer = request.customer or (request.contact.customer if request.contact else None)
    return Subject(contact=request.contact, customer=customer)


@transaction.atomic
def request_create(*, actor: Any, data: dict[str, Any]) -> DataSubjectRequest:
    received = data.get("received_at") or timezone.now()
    request = DataSubjectRequest(
        kind=data["kind"],
        country=data.get("country") or "ES",
        customer=data.get("customer"),
        contact=data.get("contact"),
        requester_name=data.get("requester_name", "").strip(),
        requester_email=(data.get("requester_email") or "").strip().lower(),
        received_at=received,
        details=data.get("details", ""),
        handled_by=actor,
    )
    if request.contact is not None and request.customer is None:
        request.customer = request.contact.customer
    if not request.requester_name:
        request.requester_name = str(request.contact or request.customer or request.requester_email)
    request.due_date = due_date_for(
        country=str(request.country), kind=request.kind, received=timezone.localtime(received).date()
    )
    request.number = f"DSR-{timezone.localtime(received):%Y}-{sequences.next_value(f'dsr-{received:%Y}'):04d}"
    if request.customer is None and request.contact is None and not request.requester_email:
        raise ValidationError(_("Say who the request is about: a customer, a contact or at least an e-mail."))
    return core.save_new(actor=actor, instance=request)


@transaction.atomic
def request_verify_identity(*, actor: Any, request: DataSubjectRequest, method: str) -> DataSubjectRequest:
    if not method.strip():
        raise ValidationError({"identity_method": _("Say how the identity was checked.")})
    return core.update_fields(
        actor=actor,
        instance=request,
        data={"identity_verified_at": timezone.now(), "identity_method": method.strip(), "identity_verified_by": actor},
    )


@transaction.atomic
def request_transition(*, actor: Any, request: DataSubjectRequest, to: str, resolution: str = "") -> DataSubjectRequest:
    current = core.lock(request)
    MACHINE.check(current.status, to)
    if to == Status.COMPLETED:
        if current.identity_verified_at is None:
            raise DomainError(_("Verify the person's identity before closing the request."))
        if not (resolution or current.resolution).strip():
            raise ValidationError({"resolution": _("Write what was done and what the person was told.")})
    if to == Status.REJECTED and not (resolution or current.resolution).strip():
        raise ValidationError({"resolution": _("Give the reason for rejecting the request.")})
    old = current.status
    current.status = to
    if resolution:
        current.resolution = resolution
    if to in (Status.COMPLETED, Status.REJECTED):
        current.completed_at = timezone.now()
    current.lock_version += 1
    current.save()
    audit.record_transition(actor=actor, obj=current, old=old, new=to, note=resolution)
    return current


def _fresh(request: DataSubjectRequest) -> DataSubjectRequest:
    """The request with its subject as stored now (not as it was when the caller loaded it)."""
    return DataSubjectRequest.objects.select_related("customer", "contact", "contact__customer").get(pk=request.pk)


def _require_verified(request: DataSubjectRequest) -> None:
    if request.identity_verified_at is None:
        raise DomainError(
            _("Verify the person's identity first: personal data is only given to, or erased for, the right person.")
        )


def export_subject(*, actor: Any, request: DataSubjectRequest) -> bytes:
    """A ZIP with data.json (everything, grouped by module) and one CSV per kind of record."""
    request = _fresh(request)
    _require_verified(request)
    subject = subject_of(request)
    data = {key: provider.export(subject) for key, provider in PROVIDERS.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(
                {"request": request.number, "exported_at": timezone.now().isoformat(), "data": data},
                ensure_ascii=False,
                indent=2,
            ),
        )
        by_record: dict[str, list[dict[str, Any]]] = {}
        for rows in data.values():
            for row in rows:
                by_record.setdefault(f"{row.get('record', 'record')}", []).append(row)
        for record, rows in by_record.items():
            text = io.StringIO()
            columns = sorted({key for row in rows for key in row})
            writer = csv.DictWriter(text, fieldnames=columns, delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(f"{record}.csv", "\ufeff" + text.getvalue())
    for target in filter(None, [subject.contact, subject.person_customer]):
        audit.record(actor=actor, obj=target, action=AuditAction.EXPORTED, note=request.number)
    return buffer.getvalue()


def active_hold(customer: Customer | None) -> LegalHold | None:
    if customer is None:
        return None
    today = timezone.localdate()
    return customer.legal_holds.filter(lifted_at__isnull=True).exclude(until__lt=today).order_by("-created_at").first()


@transaction.atomic
def anonymise_subject(*, actor: Any, request: DataSubjectRequest) -> int:
    """Erase what identifies the person in every module; records and statistics stay."""
    request = _fresh(request)
    _require_verified(request)
    subject = subject_of(request)
    hold = active_hold(subject.customer)
    if hold is not None:
        raise DomainError(
            _("A legal hold keeps this customer's data until it is lifted: %(reason)s") % {"reason": hold.reason}
        )
    changed = sum(provider.anonymise(subject, actor) for provider in PROVIDERS.values())
    audit.record(
        actor=actor, obj=request, action=AuditAction.ANONYMISED, note=_("%(n)s records anonymised") % {"n": changed}
    )
    return changed


@transaction.atomic
def block_subject(*, actor: Any, request: DataSubjectRequest, until: dt.date) -> None:
    """Spanish 'bloqueo' (LOPDGDD art. 32): kept for legal claims, hidden from normal roles until `until`."""
    request = _fresh(request)
    _require_verified(request)
    if until <= timezone.localdate():
        raise ValidationError({"until": _("The blocking must last until a future date.")})
    subject = subject_of(request)
    for contact in subject.contacts:
        Contact.objects.filter(pk=contact.pk).update(blocked_until=until)
        audit.record(
            actor=actor,
            obj=contact,
            action=AuditAction.CHANGED,
            changes={"blocked_until": [None, until.isoformat()]},
            note=request.number,
        )
    if subject.person_customer is not None:
        Customer.objects.filter(pk=subject.person_customer.pk).update(blocked_until=until)
        audit.record(
            actor=actor,
            obj=subject.person_customer,
            action=AuditAction.CHANGED,
            changes={"blocked_until": [None, until.isoformat()]},
            note=request.number,
        )


@transaction.atomic
def hold_place(*, actor: Any, customer: Customer, reason: str, until: dt.date | None = None) -> LegalHold:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the legal hold.")})
    hold = LegalHold.objects.create(customer=customer, reason=reason.strip(), until=until, created_by=actor)
    audit.record(actor=actor, obj=customer, action=AuditAction.CHANGED, changes={"legal_hold": [None, reason.strip()]})
    return hold


@transaction.atomic
def hold_lift(*, actor: Any, hold: LegalHold) -> None:
    if hold.lifted_at is None:
        LegalHold.objects.filter(pk=hold.pk).update(lifted_at=timezone.now())
        audit.record(
            actor=actor, obj=hold.customer, action=AuditAction.CHANGED, changes={"legal_hold": [hold.reason, None]}
        )
