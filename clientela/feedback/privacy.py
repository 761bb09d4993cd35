"""What the complaints module holds about a person, for data-subject requests: the complaints,
suggestions and compliments they filed (as a contact, or by e-mail through the public form).

Erasure keeps each record (its dates, severity, category and SLA figures count in the indicators)
and removes who filed it: the submitter's name, e-mail, phone and organisation, and the personal
data in the audit payloads. What the complaint was about stays: it is the quality record.
"""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core import audit
from clientela.privacy.providers import PersonalDataProvider, Subject, plain

from .models import Feedback


def _filed_by(subject: Subject):
    emails = [c.email for c in subject.contacts if c.email]
    if subject.person_customer is not None and subject.person_customer.email:
        emails.append(subject.person_customer.email)
    query = Q(contact__in=subject.contacts)
    if subject.person_customer is not None:
        query |= Q(customer=subject.person_customer)
    if emails:
        query |= Q(submitter_email__in=emails)
    return Feedback.objects.filter(query)


def export_feedback(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "record": "feedback",
            **plain(
                item,
                [
                    "number",
                    "kind",
                    "received_at",
                    "channel",
                    "subject",
                    "description",
                    "status",
                    "resolution",
                    "response_to_customer",
                    "submitter_name",
                    "submitter_email",
                    "submitter_phone",
                ],
            ),
        }
        for item in _filed_by(subject).order_by("received_at")
    ]


def anonymise_feedback(subject: Subject, actor: Any) -> int:
    changed = 0
    for item in _filed_by(subject).exclude(
        submitter_name="", submitter_email="", submitter_phone="", submitter_organisation=""
    ):
        Feedback.objects.filter(pk=item.pk).update(
            submitter_name="", submitter_email="", submitter_phone="", submitter_organisation=""
        )
        audit.redact(actor=actor, obj=item, reason=_("Erasure request"))
        changed += 1
    return changed


provider = PersonalDataProvider(
    "feedback", gettext_lazy("Complaints, suggestions and compliments"), export_feedback, anonymise_feedback
)
