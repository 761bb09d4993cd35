"""Retention figures: churn and retention from customers' recorded status changes, repeat rate from
contract earnings, and the breakdown by tier."""

import datetime as dt
import decimal

import pytest
import time_machine

from clientela.core.periods import Period, Ratio
from clientela.customers import services as customer_services
from clientela.customers.tests.factories import CustomerFactory
from clientela.loyalty import selectors, services
from clientela.loyalty.models import EarningRule
from clientela.loyalty.tests.factories import MembershipFactory, RuleFactory, contract, programme_with_tiers

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=1))


def at(y, m, d):
    return dt.datetime(y, m, d, 12, tzinfo=TZ)


@pytest.fixture
def customers(users):
    actor = users["sales_manager"]
    with time_machine.travel(at(2025, 12, 1), tick=False):
        made = [
            customer_services.customer_create(actor=actor, data={"name": name, "status": "active"})
            for name in ("Uno", "Dos", "Tres", "Cuatro")
        ]
        prospect = customer_services.customer_create(actor=actor, data={"name": "Prospecto", "status": "prospect"})
    with time_machine.travel(at(2026, 2, 15), tick=False):
        customer_services.customer_update(actor=actor, customer=made[0], data={"status": "former"})
    with time_machine.travel(at(2026, 3, 1), tick=False):
        customer_services.customer_update(actor=actor, customer=prospect, data={"status": "active"})
    with time_machine.travel(at(2026, 5, 2), tick=False):
        customer_services.customer_update(actor=actor, customer=made[1], data={"status": "inactive"})
    with time_machine.travel(at(2026, 5, 20), tick=False):
        customer_services.customer_update(actor=actor, customer=made[1], data={"status": "active"})
    return made + [prospect]


@time_machine.travel(at(2026, 9, 1), tick=False)
def test_churn_counts_the_active_at_the_start_who_left_during_the_period(customers):
    assert selectors.retention_churn(period=Period.parse("2026-Q1")) == Ratio(1, 4)
    # Q2 starts with Dos, Tres, Cuatro and the former prospect; Dos left in May (and came back).
    assert selectors.retention_churn(period=Period.parse("2026-Q2")) == Ratio(1, 4)
    assert selectors.retention_churn(period=Period.parse("2025-Q4")) == Ratio(0, 0)


@time_machine.travel(at(2026, 9, 1), tick=False)
def test_retention_counts_who_is_still_active_at_the_end(customers):
    assert selectors.retention_renewal(period=Period.parse("2026-Q1")) == Ratio(3, 4)
    assert selectors.retention_renewal(period=Period.parse("2026-Q2")) == Ratio(4, 4)


@time_machine.travel(at(2026, 5, 10), tick=False)
def test_an_open_period_counts_up_to_today(customers):
    ratio = selectors.retention_renewal(period=Period.parse("2026-Q2"))
    assert ratio == Ratio(3, 4)


def test_customers_without_recorded_changes_keep_their_status_since_creation():
    CustomerFactory(status="active", created_at=at(2024, 1, 1))
    CustomerFactory(status="former", created_at=at(2024, 1, 1))
    assert selectors.retention_churn(period=Period.parse("2025-Q1")) == Ratio(0, 1)


@time_machine.travel(at(2026, 9, 1), tick=False)
def test_the_repeat_rate_counts_members_with_two_contracts_in_twelve_months():
    programme = programme_with_tiers()
    rule = RuleFactory(
        programme=programme, event=EarningRule.Event.CONTRACT_SIGNED, points_per_unit=decimal.Decimal("1")
    )
    renew = RuleFactory(
        programme=programme, event=EarningRule.Event.CONTRACT_RENEWED, points_per_unit=decimal.Decimal("1")
    )
    twice, once, survey_only = (MembershipFactory(programme=programme) for _ in range(3))
    services.points_earn(actor=None, membership=twice, rule=rule, value=100, source=contract(1), at=at(2025, 11, 1))
    services.points_earn(actor=None, membership=twice, rule=renew, value=100, source=contract(2), at=at(2026, 8, 1))
    services.points_earn(actor=None, membership=once, rule=rule, value=100, source=contract(3), at=at(2026, 8, 1))
    services.points_earn(actor=None, membership=once, rule=rule, value=100, source=contract(4), at=at(2025, 6, 1))
    services.points_adjust(actor=None, membership=survey_only, points=10, reason="Encuesta", at=at(2026, 8, 1))
    assert selectors.retention_repeat(period=Period.parse("2026-Q3")) == Ratio(1, 2)
    assert selectors.retention_repeat(period=Period.parse("2026-Q3"), programme=programme) == Ratio(1, 2)


@time_machine.travel(at(2026, 9, 1), tick=False)
def test_figures_by_tier_use_the_tier_at_the_start(customers):
    programme = programme_with_tiers()
    gold = MembershipFactory(programme=programme, customer=customers[0], enrolled_at=at(2025, 12, 2))
    services.points_adjust(actor=None, membership=gold, points=5000, reason="Carga inicial", at=at(2025, 12, 3))
    MembershipFactory(programme=programme, customer=customers[2], enrolled_at=at(2025, 12, 2))
    listed = selectors.retention_by_tier(period=Period.parse("2026-Q1"), programme=programme)
    rows = {row.label: row for row in listed}
    assert rows["Oro"].churn == Ratio(1, 1)
    assert rows["Bronce"].churn == Ratio(0, 1)
    assert rows["Plata"].customers == 0
    everyone, outside = listed[-2], listed[-1]
    assert everyone.churn == Ratio(1, 2) and everyone.repeat == Ratio(0, 0)
    assert outside.churn == Ratio(0, 2)  # Dos and Cuatro; the prospect was not active yet


def test_the_contract_renewal_rate_shows_when_the_contracts_module_provides_it(client_as):
    from django.urls import reverse

    provider = selectors._contract_renewal_rate
    selectors.register_contract_renewal_rate(None)
    try:
        page = client_as("management").get(reverse("loyalty:retention"))
        assert "Renovación de contratos" not in page.text
        selectors.register_contract_renewal_rate(lambda *, period: Ratio(9, 12))
        page = client_as("management").get(reverse("loyalty:retention"))
        assert "Renovación de contratos" in page.text and "75,0" in page.text and "9 de 12" in page.text
    finally:
        selectors.register_contract_renewal_rate(provider)
