"""Concurrent writers on PostgreSQL: numbers, scheduled jobs, intake and edits lose nothing and
duplicate nothing. Threads are released together by a barrier, each on its own connection (SQLite
serialises every writer anyway). Run with DATABASE_URL=postgres://… ."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clientela.core import jobs, sequences
from clientela.core.models import AuditEntry
from clientela.core.tests.threads import run_together
from clientela.customers.models import Customer
from clientela.customers.services import customer_update
from clientela.customers.tests.factories import CustomerFactory
from clientela.feedback.models import Feedback
from clientela.feedback.tests.factories import FeedbackFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL concurrency"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_numbers_drawn_at_once_are_all_different_and_leave_no_gap():
    numbers = run_together(8, lambda i: [sequences.next_value("QJ-2026") for _ in range(25)])
    drawn = [n for batch in numbers for n in batch]
    assert sorted(drawn) == list(range(1, 201))


def test_complaints_received_at_once_each_get_their_own_number(users):
    customer = CustomerFactory()
    made = run_together(6, lambda i: FeedbackFactory(customer=customer, subject=f"Intake {i}", actor=users["admin"]))
    assert all(isinstance(feedback, Feedback) for feedback in made), made
    numbers = list(Feedback.objects.values_list("number", flat=True))
    assert len(numbers) == 6 and len(set(numbers)) == 6
    assert Counter(Feedback.objects.values_list("subject", flat=True)) == Counter(f"Intake {i}" for i in range(6))


def test_two_schedulers_at_once_enqueue_a_due_job_once(monkeypatch):
    calls = []
    lock = threading.Lock()

    class Task:
        def enqueue(self):
            with lock:
                calls.append(1)

        call = enqueue

    monkeypatch.setattr(jobs, "PERIODIC", {"t": jobs.PeriodicJob("t", Task(), dt.timedelta(minutes=5))})
    now = timezone.now()
    ran = run_together(4, lambda i: jobs.run_due_jobs(now))
    assert sorted(map(tuple, ran)) == [(), (), (), ("t",)]
    assert len(calls) == 1


def test_two_people_saving_the_same_version_at_once_lose_nothing(users):
    customer = CustomerFactory(name="Talleres Ibáñez")
    version = customer.lock_version

    def save(i):
        return customer_update(
            actor=users["sales_manager"],
            customer=Customer.objects.get(pk=customer.pk),
            data={"name": f"Talleres Ibáñez {i}"},
            expected_version=version,
        )

    outcomes = run_together(2, save)
    kinds = sorted(type(o).__name__ for o in outcomes)
    assert kinds == ["ConflictError", "Customer"], outcomes
    winner = next(o for o in outcomes if isinstance(o, Customer))
    customer.refresh_from_db()
    assert customer.name == winner.name and customer.lock_version == version + 1
    updates = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk), action="changed"
    )
    assert updates.count() == 1
