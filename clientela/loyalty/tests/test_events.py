"""Points for events of other modules, received as signals with a real customer and stand-ins."""

import decimal

import pytest

from clientela.core import events
from clientela.loyalty import ledger, services
from clientela.loyalty.models import EarningRule, Membership, PointsEntry
from clientela.loyalty.tests.factories import (
    MembershipFactory,
    RuleFactory,
    contract,
    programme_with_tiers,
    survey_response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    programme = programme_with_tiers()
    RuleFactory(
        programme=programme,
        event=EarningRule.Event.CONTRACT_SIGNED,
        currency="EUR",
        points_per_unit=decimal.Decimal("0.1"),
    )
    RuleFactory(
        programme=programme,
        event=EarningRule.Event.CONTRACT_RENEWED,
        currency="EUR",
        fixed_points=200,
        points_per_unit=decimal.Decimal("0.05"),
    )
    RuleFactory(
        programme=programme, event=EarningRule.Event.SURVEY_COMPLETED, currency="", fixed_points=50, points_per_unit=0
    )
    return MembershipFactory(programme=programme)


def activate(member, *, pk=1, value="10000", currency="EUR", renewal=False, actor=None):
    events.contract_activated.send(
        sender=object,
        contract=contract(pk, f"CT-2026-{pk:04d}"),
        customer=member.customer,
        value=decimal.Decimal(value),
        currency=currency,
        renewal=renewal,
        actor=actor,
    )


def test_a_signed_contract_earns_by_its_value(member, users):
    activate(member, value="10000", actor=users["sales_manager"])
    entry = PointsEntry.objects.get()
    assert entry.points == 1000 and entry.rule.event == "contract_signed" and entry.actor == users["sales_manager"]
    assert "CT-2026-0001" in entry.reason


def test_a_renewal_earns_under_the_renewal_rule(member):
    activate(member, value="10000", renewal=True)
    assert PointsEntry.objects.get().points == 700


def test_the_same_contract_activated_twice_earns_once(member):
    activate(member, pk=5)
    activate(member, pk=5)
    assert PointsEntry.objects.count() == 1 and ledger.balance_of(member) == 1000


def test_a_contract_in_another_currency_earns_nothing(member):
    activate(member, currency="MXN")
    assert not PointsEntry.objects.exists()


def test_an_absurd_value_earns_nothing_and_does_not_block_the_contract(member, caplog):
    activate(member, value="99999999999")
    assert not PointsEntry.objects.exists()
    assert "earned nothing" in caplog.text


def test_customers_who_are_not_members_earn_nothing(member):
    from clientela.customers.tests.factories import CustomerFactory

    events.contract_activated.send(
        sender=object,
        contract=contract(),
        customer=CustomerFactory(),
        value=decimal.Decimal("5000"),
        currency="EUR",
        renewal=False,
        actor=None,
    )
    assert not PointsEntry.objects.exists()


def test_suspended_members_earn_nothing(member, users):
    services.membership_transition(actor=users["sales_manager"], membership=member, to=Membership.Status.SUSPENDED)
    activate(member)
    assert not PointsEntry.objects.exists()


def test_a_completed_survey_earns_fixed_points_once(member):
    for _ in range(2):
        events.survey_response_submitted.send(
            sender=object, response=survey_response(3), customer=member.customer, contact=None, actor=None
        )
    entry = PointsEntry.objects.get()
    assert entry.points == 50 and entry.source_type.model == "response"


def test_an_anonymous_survey_earns_nothing(member):
    events.survey_response_submitted.send(
        sender=object, response=survey_response(), customer=None, contact=None, actor=None
    )
    assert not PointsEntry.objects.exists()


def test_a_referral_earns_when_the_new_customer_becomes_active(member, users):
    from clientela.customers import services as customer_services
    from clientela.customers.tests.factories import CustomerFactory

    RuleFactory(
        programme=member.programme, event=EarningRule.Event.REFERRAL, currency="", fixed_points=300, points_per_unit=0
    )
    newcomer = CustomerFactory(status="prospect")
    referral = services.referral_record(actor=users["sales_manager"], membership=member, referred_customer=newcomer)
    assert referral.status == "pending" and ledger.balance_of(member) == 0
    customer_services.customer_update(actor=users["sales_manager"], customer=newcomer, data={"status": "active"})
    assert services.reward_pending_referrals() == 1
    assert services.reward_pending_referrals() == 0
    referral.refresh_from_db()
    assert referral.status == "rewarded" and ledger.balance_of(member) == 300


def test_a_customer_cannot_be_referred_twice_or_by_themselves(member, users):
    from django.core.exceptions import ValidationError

    from clientela.customers.tests.factories import CustomerFactory

    with pytest.raises(ValidationError):
        services.referral_record(actor=None, membership=member, referred_customer=member.customer)
    newcomer = CustomerFactory(status="prospect")
    services.referral_record(actor=None, membership=member, referred_customer=newcomer)
    other = MembershipFactory(programme=member.programme)
    with pytest.raises(ValidationError):
        services.referral_record(actor=None, membership=other, referred_customer=newcomer)
