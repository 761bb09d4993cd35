"""Concurrent writes to one member's points on PostgreSQL (real row locks; SQLite serialises every
writer anyway). Run with DATABASE_URL=postgres://… ."""

import time

import pytest
from django.conf import settings

from clientela.core.errors import DomainError
from clientela.core.tests.threads import run_together
from clientela.loyalty import ledger, services
from clientela.loyalty.models import Membership, PointsEntry, Redemption
from clientela.loyalty.tests.factories import (
    MembershipFactory,
    RewardFactory,
    RuleFactory,
    contract,
    programme_with_tiers,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL row locks"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def slow_balance(monkeypatch):
    """Widen the window between reading the balance and spending it, as a busy server would."""
    real = ledger.balance_of

    def balance_of(*args, **kwargs):
        value = real(*args, **kwargs)
        time.sleep(0.3)
        return value

    monkeypatch.setattr(ledger, "balance_of", balance_of)


def test_two_redemptions_at_once_never_spend_the_same_points(slow_balance):
    programme = programme_with_tiers()
    member = MembershipFactory(programme=programme)
    services.points_adjust(actor=None, membership=member, points=100, reason="Carga inicial")
    # Two different rewards, so only the member's lock stands between the two requests.
    rewards = [RewardFactory(programme=programme, points_cost=80) for _ in range(2)]

    results = run_together(
        2, lambda i: services.redemption_create(actor=None, membership=Membership(pk=member.pk), reward=rewards[i])
    )

    assert sum(isinstance(r, Redemption) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert ledger.balance_of(member) == 20
    assert Redemption.objects.count() == 1


def test_a_correction_and_a_redemption_at_once_cannot_overdraw(slow_balance):
    programme = programme_with_tiers()
    member = MembershipFactory(programme=programme)
    services.points_adjust(actor=None, membership=member, points=100, reason="Carga inicial")
    reward = RewardFactory(programme=programme, points_cost=70)

    def work(i):
        if i == 0:
            return services.redemption_create(actor=None, membership=Membership(pk=member.pk), reward=reward)
        return services.points_adjust(
            actor=None, membership=Membership(pk=member.pk), points=-60, reason="Corrección simultánea"
        )

    results = run_together(2, work)
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert ledger.balance_of(member) in (30, 40)


def test_expiry_runs_at_the_same_time_record_one_expiry():
    import datetime as dt

    programme = programme_with_tiers(points_validity_months=12)
    member = MembershipFactory(programme=programme)
    start = dt.datetime(2024, 1, 10, 10, tzinfo=dt.UTC)
    services.points_adjust(actor=None, membership=member, points=250, reason="Lote antiguo", at=start)
    later = ledger.add_months(start, 13)

    results = run_together(3, lambda i: services.expire_all_due(at=later))

    assert sorted(results) == [0, 0, 1]
    assert PointsEntry.objects.filter(kind="expire").count() == 1
    assert ledger.balance_of(member) == 0


def test_the_same_contract_delivered_twice_at_once_earns_once():
    programme = programme_with_tiers()
    rule = RuleFactory(programme=programme)
    member = MembershipFactory(programme=programme)

    results = run_together(
        2,
        lambda i: services.points_earn(
            actor=None, membership=Membership(pk=member.pk), rule=rule, value=5000, source=contract(11)
        ),
    )

    assert all(isinstance(r, PointsEntry) for r in results) and results[0].pk == results[1].pk
    assert ledger.balance_of(member) == 500
