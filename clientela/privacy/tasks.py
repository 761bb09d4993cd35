"""Scheduled privacy work: retention and disposal (respecting legal holds), request deadlines."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import notifications
from clientela.core.permissions import has_perm
from clientela.customers.models import Contact, Customer, Interaction

from .models import DataSubjectRequest
from .providers import PROVIDERS, Subject


def retention_years() -> int:
    # Spanish Código de Comercio art. 30: business records are kept six years.
    return int(getattr(settings, "RETENTION_YEARS", 6))


def _held_customer_ids(today: dt.date) -> set[int]:
    from .models import LegalHold

    return set(
        LegalHold.objects.filter(lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values_list("customer_id", flat=True)
    )


def disposal_candidates(today: dt.date | None = None) -> tuple[list[Customer], list[Contact]]:
    """Former customers with no activity for the retention period, and blocked data whose blocking
    has expired; never anything under a legal hold."""
    today = today or timezone.localdate()
    cutoff = timezone.now() - dt.timedelta(days=365 * retention_years())
    held = _held_customer_ids(today)
    stale = (
        Customer.objects.filter(status=Customer.Status.FORMER, anonymised_at__isnull=True, updated_at__lt=cutoff)
        .annotate(last_contact=Max("interactions__occurred_at"))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=cutoff))
        .exclude(pk__in=held)
    )
    expired_customers = Customer.objects.filter(blocked_until__lt=today, anonymised_at__isnull=True).exclude(
        pk__in=held
    )
    expired_contacts = Contact.objects.filter(blocked_until__lt=today, anonymised_at__isnull=True).exclude(
        customer_id__in=held
    )
    return list(stale) + list(expired_customers), list(expired_contacts)


@task()
def apply_retention() -> int:
    """Anonymise what is past its retention period; safe to run again (already anonymised = skipped)."""
    customers, contacts = disposal_candidates()
    changed = 0
    with transaction.atomic():
        for customer in customers:
            subject = Subject(contact=None, customer=customer)
            if customer.kind == Customer.Kind.PERSON:
                changed += sum(provider.anonymise(subject, None) for provider in PROVIDERS.values())
            else:
                for contact in customer.contacts.filter(anonymised_at__isnull=True):
                    changed += sum(
                        provider.anonymise(Subject(contact=contact, customer=customer), None)
                        for provider in PROVIDERS.values()
                    )
                Customer.objects.filter(pk=customer.pk).update(blocked_until=None)
        for contact in contacts:
            changed += sum(
                provider.anonymise(Subject(contact=contact, customer=contact.customer), None)
                for provider in PROVIDERS.values()
            )
        notes_cutoff = timezone.now() - dt.timedelta(days=365 * retention_years())
        changed += (
            Interaction.objects.filter(occurred_at__lt=notes_cutoff)
            .exclude(notes="")
            .exclude(customer_id__in=_held_customer_ids(timezone.localdate()))
            .update(notes="")
        )
    return changed


@task()
def warn_due_requests() -> int:
    """Tell who handles data protection about requests due within five days or overdue (once a day)."""
    today = timezone.localdate()
    handlers = [u for u in get_user_model().objects.filter(is_active=True) if has_perm(u, "privacy.manage")]
    due = DataSubjectRequest.objects.filter(
        status__in=[DataSubjectRequest.Status.RECEIVED, DataSubjectRequest.Status.IN_PROGRESS],
        due_date__lte=today + dt.timedelta(days=5),
    )
    sent = 0
    for request in due:
        overdue = request.due_date < today
        sent += len(
            notifications.notify(
                recipients=handlers,
                kind="privacy.due",
                title=(
                    lambda r=request, o=overdue: (
                        (
                            _("Data protection request %(n)s is overdue")
                            if o
                            else _("Data protection request %(n)s is due on %(d)s")
                        )
                        % {"n": r.number, "d": r.due_date.strftime("%d/%m/%Y")}
                    )
                ),
                url=reverse("privacy:detail", args=[request.pk]),
                target=request,
                dedupe_key=f"privacy-due:{request.pk}:{today.isoformat()}",
            )
        )
    return sent
