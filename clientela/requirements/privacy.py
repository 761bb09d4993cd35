"""What the requirements module holds about a person, for data-subject requests: the confirmations a
contact gave. Erasure keeps the fact (which version was confirmed, when and how) and blanks the notes,
which may name the person; the contact itself is anonymised by the customers provider."""

from typing import Any

from django.utils.translation import gettext_lazy

from clientela.privacy.providers import PersonalDataProvider, Subject, plain

from .models import Requirement, RequirementVersion


def export_confirmations(subject: Subject) -> list[dict[str, Any]]:
    rows = []
    versions = (
        RequirementVersion.objects.filter(confirmed_by__in=subject.contacts)
        .select_related("requirement", "requirement__customer")
        .order_by("confirmed_on", "pk")
    )
    for row in versions:
        rows.append(
            {
                "record": "requirement_confirmation",
                "customer": row.requirement.customer.code,
                "requirement": row.requirement.number,
                **plain(row, ["version", "title", "confirmed_on", "confirmation_method", "confirmation_note"]),
            }
        )
    return rows


def anonymise_confirmations(subject: Subject, actor: Any) -> int:
    contacts = subject.contacts
    changed = (
        Requirement.objects.filter(confirmed_by__in=contacts).exclude(confirmation_note="").update(confirmation_note="")
    )
    changed += (
        RequirementVersion.objects.filter(confirmed_by__in=contacts)
        .exclude(confirmation_note="")
        .update(confirmation_note="")
    )
    return changed


provider = PersonalDataProvider(
    "requirements",
    gettext_lazy("Requirements confirmed by the person"),
    export_confirmations,
    anonymise_confirmations,
)
