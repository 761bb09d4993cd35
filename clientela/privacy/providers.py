"""Where personal data lives. Each module registers a provider that can export, anonymise and block
what it holds about a person; a data-subject request runs all of them.

A provider's functions receive a `Subject` (the contact and/or person-customer the request is about)
and must keep statistics intact: records stay, only what identifies the person goes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core import audit
from clientela.customers.models import Contact, Customer, Interaction


@dataclass(frozen=True)
class Subject:
    """The person a request is about: a contact, a person-customer, or both."""

    contact: Contact | None
    customer: Customer | None

    @property
    def person_customer(self) -> Customer | None:
        if self.customer is not None and self.customer.kind == Customer.Kind.PERSON:
            return self.customer
        return None

    @property
    def contacts(self) -> list[Contact]:
        if self.contact is not None:
            return [self.contact]
        if self.person_customer is not None:
            return list(self.person_customer.contacts.all())
        return []


@dataclass(frozen=True)
class PersonalDataProvider:
    key: str
    label: str | Promise
    export: Callable[[Subject], list[dict[str, Any]]]
    anonymise: Callable[[Subject, Any], int]


PROVIDERS: dict[str, PersonalDataProvider] = {}


def register(provider: PersonalDataProvider) -> None:
    PROVIDERS[provider.key] = provider


def plain(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        row[name] = value
    return row


CUSTOMER_FIELDS = [
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
    "created_at",
]
CONTACT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "position",
    "survey_consent",
    "survey_consent_at",
    "survey_legal_basis",
    "survey_opt_out_at",
    "marketing_consent",
    "marketing_consent_at",
    "created_at",
]


def _export_customers(subject: Subject) -> list[dict[str, Any]]:
    rows = []
    if subject.person_customer is not None:
        rows.append({"record": "customer", **plain(subject.person_customer, CUSTOMER_FIELDS)})
    for contact in subject.contacts:
        rows.append({"record": "contact", "customer": contact.customer.code, **plain(contact, CONTACT_FIELDS)})
    interactions = Interaction.objects.select_related("customer", "user")
    if subject.person_customer is not None:
        interactions = interactions.filter(customer=subject.person_customer)
    else:
        interactions = interactions.filter(contact__in=subject.contacts)
    for interaction in interactions.order_by("occurred_at"):
        rows.append(
            {
                "record": "interaction",
                "customer": interaction.customer.code,
                **plain(interaction, ["occurred_at", "channel", "direction", "subject", "notes"]),
            }
        )
    return rows


def _anonymise_contact(contact: Contact, actor: Any) -> None:
    Contact.objects.filter(pk=contact.pk).update(
        first_name=_("Anonymised"),
        last_name="",
        email="",
        phone="",
        position="",
        survey_consent=False,
        survey_consent_at=None,
        marketing_consent=False,
        marketing_consent_at=None,
        search_text="",
        anonymised_at=timezone.now(),
        lock_version=models.F("lock_version") + 1,
    )
    # Notes of conversations with the person may name them; the facts (date, channel) stay.
    Interaction.objects.filter(contact=contact).update(notes="")
    audit.redact(actor=actor, obj=contact, reason=_("Erasure request"))


def _anonymise_customers(subject: Subject, actor: Any) -> int:
    changed = 0
    for contact in subject.contacts:
        if contact.anonymised_at is None:
            _anonymise_contact(contact, actor)
            changed += 1
    customer = subject.person_customer
    if customer is not None and customer.anonymised_at is None:
        Customer.objects.filter(pk=customer.pk).update(
            name=_("Anonymised customer %(code)s") % {"code": customer.code},
            tax_id="",
            email="",
            phone="",
            address="",
            notes="",
            search_text=customer.code.lower(),
            anonymised_at=timezone.now(),
            lock_version=models.F("lock_version") + 1,
        )
        Interaction.objects.filter(customer=customer).update(notes="")
        audit.redact(actor=actor, obj=customer, reason=_("Erasure request"))
        changed += 1
    return changed


def register_builtin() -> None:
    register(
        PersonalDataProvider(
            "customers", gettext_lazy("Customers, contacts and interactions"), _export_customers, _anonymise_customers
        )
    )
