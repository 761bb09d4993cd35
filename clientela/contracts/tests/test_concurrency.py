"""Two people recording a delivery for the same deliverable at the same instant (PostgreSQL row locks)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from clientela.contracts import services
from clientela.contracts.models import Delivery
from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory
from clientela.core.errors import DomainError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(users, deliverable, data, expected_version=None) -> list[str]:
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def record(role: str) -> None:
        try:
            start.wait()
            services.delivery_record(
                actor=users[role], deliverable=deliverable, data=dict(data), expected_version=expected_version
            )
            outcomes.append("recorded")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(role,)) for role in ("operations", "sales_manager")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.fixture
def deliverable():
    today = timezone.localdate()
    contract = ContractFactory(start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=30))
    return DeliverableFactory(contract=contract, due_date=today)


def test_two_conforming_deliveries_at_once_record_one(users, deliverable):
    outcomes = race(users, deliverable, {"delivered_on": timezone.localdate()})
    assert outcomes == ["DomainError", "recorded"]
    assert Delivery.objects.count() == 1


def test_the_same_form_submitted_twice_at_once_records_one(users, deliverable):
    data = {"delivered_on": timezone.localdate(), "conforming": False, "nonconformity": "Incompleto", "severity": "low"}
    outcomes = race(users, deliverable, data, expected_version=deliverable.lock_version)
    assert outcomes == ["ConflictError", "recorded"]
    assert Delivery.objects.count() == 1
