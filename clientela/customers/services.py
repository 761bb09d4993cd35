"""Customer, contact and interaction services: every write to this module goes through here."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clientela.core import sequences
from clientela.core import services as core

from .models import Contact, Customer, Interaction, StatusChange

CUSTOMER_FIELDS = (
    "code",
    "name",
    "kind",
    "tax_id",
    "email",
    "phone",
    "address",
    "country",
    "segment",
    "status",
    "account_manager",
    "notes",
)
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "position",
    "is_primary",
    "survey_consent",
    "survey_consent_at",
    "survey_legal_basis",
    "marketing_consent",
    "marketing_consent_at",
)
INTERACTION_FIELDS = ("contact", "channel", "direction", "occurred_at", "subject", "notes", "user")


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def next_customer_code() -> str:
    return f"CLI-{sequences.next_value('customer'):06d}"


@transaction.atomic
def customer_create(*, actor: Any, data: dict[str, Any]) -> Customer:
    customer = Customer(**_pick(data, CUSTOMER_FIELDS))
    given = (customer.code or "").strip().upper()
    if customer.status == Customer.Status.ACTIVE:
        customer.activated_at = timezone.now()
    while True:
        customer.code = given or next_customer_code()
        try:
            customer = core.save_new(actor=actor, instance=customer)
        except ValidationError as exc:
            # A generated code an imported customer already has: validation (which checks the
            # code's uniqueness anyway) says so, and the next number is tried.
            if given or "code" not in getattr(exc, "error_dict", {}):
                raise
            continue
        break
    StatusChange.objects.create(customer=customer, status=customer.status, at=customer.created_at)
    return customer


@transaction.atomic
def customer_update(
    *, actor: Any, customer: Customer, data: dict[str, Any], expected_version: int | None = None
) -> Customer:
    changes = _pick(data, CUSTOMER_FIELDS)
    if "code" in changes:
        changes["code"] = (changes["code"] or "").strip().upper() or customer.code
    if changes.get("status") == Customer.Status.ACTIVE and customer.status != Customer.Status.ACTIVE:
        changes["activated_at"] = timezone.now()
    customer = core.update_fields(actor=actor, instance=customer, data=changes, expected_version=expected_version)
    last = (
        StatusChange.objects.filter(customer=customer).order_by("-at", "-id").values_list("status", flat=True).first()
    )
    if last != customer.status:
        StatusChange.objects.create(customer=customer, status=customer.status, at=timezone.now())
    return customer


def customer_archive(*, actor: Any, customer: Customer, expected_version: int | None = None) -> Customer:
    return core.archive(actor=actor, instance=customer, expected_version=expected_version)


def customer_restore(*, actor: Any, customer: Customer) -> Customer:
    return core.restore(actor=actor, instance=customer)


def _consent_dates(data: dict[str, Any], current: Contact | None) -> dict[str, Any]:
    """Consent given → dated now unless a date was given; withdrawn → the date is cleared."""
    now = timezone.now()
    for flag, date_field in (("survey_consent", "survey_consent_at"), ("marketing_consent", "marketing_consent_at")):
        if flag not in data:
            continue
        was = bool(current and getattr(current, flag))
        if data[flag] and not data.get(date_field):
            data[date_field] = getattr(current, date_field) if was else now
        elif not data[flag]:
            data[date_field] = None
    return data


def _single_primary(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, data: dict[str, Any]) -> Contact:
    data = _consent_dates(_pick(data, CONTACT_FIELDS), None)
    contact = Contact(customer=customer, **data)
    if not customer.contacts.filter(archived_at__isnull=True).exists():
        contact.is_primary = True
    contact = core.save_new(actor=actor, instance=contact)
    _single_primary(contact)
    return contact


@transaction.atomic
def contact_update(
    *, actor: Any, contact: Contact, data: dict[str, Any], expected_version: int | None = None
) -> Contact:
    data = _consent_dates(_pick(data, CONTACT_FIELDS), contact)
    contact = core.update_fields(actor=actor, instance=contact, data=data, expected_version=expected_version)
    _single_primary(contact)
    return contact


def contact_archive(*, actor: Any, contact: Contact) -> Contact:
    return core.archive(actor=actor, instance=contact)


@transaction.atomic
def contact_opt_out(*, actor: Any, contact: Contact, note: str = "") -> Contact:
    """The contact asked not to receive surveys: honoured by every invitation path."""
    if contact.survey_opt_out_at is not None:
        return contact
    return core.update_fields(
        actor=actor,
        instance=contact,
        data={"survey_opt_out_at": timezone.now(), "survey_consent": False, "survey_consent_at": None},
        note=note,
    )


@transaction.atomic
def interaction_log(*, actor: Any, customer: Customer, data: dict[str, Any]) -> Interaction:
    data = _pick(data, INTERACTION_FIELDS)
    data.setdefault("user", actor if getattr(actor, "is_authenticated", False) else None)
    if not data.get("occurred_at"):
        data["occurred_at"] = timezone.now()
    interaction = Interaction(customer=customer, **data)
    return core.save_new(actor=actor, instance=interaction)


@transaction.atomic
def interaction_update(
    *, actor: Any, interaction: Interaction, data: dict[str, Any], expected_version: int | None = None
) -> Interaction:
    return core.update_fields(
        actor=actor, instance=interaction, data=_pick(data, INTERACTION_FIELDS), expected_version=expected_version
    )


def interaction_archive(*, actor: Any, interaction: Interaction) -> Interaction:
    return core.archive(actor=actor, instance=interaction)
