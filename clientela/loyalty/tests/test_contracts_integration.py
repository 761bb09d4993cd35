"""Activating a real contract earns the member points; the retention page shows renewals."""

import datetime as dt
import decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.contracts import services as contracts
from clientela.core.periods import Period
from clientela.loyalty import ledger, selectors
from clientela.loyalty.models import EarningRule
from clientela.loyalty.tests.factories import MembershipFactory, RuleFactory, programme_with_tiers

pytestmark = pytest.mark.django_db


def test_an_activated_contract_earns_points_once(users):
    programme = programme_with_tiers()
    RuleFactory(
        programme=programme,
        event=EarningRule.Event.CONTRACT_SIGNED,
        currency="EUR",
        points_per_unit=decimal.Decimal("0.1"),
    )
    member = MembershipFactory(programme=programme)
    today = timezone.localdate()
    contract = contracts.contract_create(
        actor=users["sales_manager"],
        data={
            "customer": member.customer,
            "title": "Mantenimiento anual",
            "start_date": today,
            "end_date": today + dt.timedelta(days=365),
            "value": decimal.Decimal("12000"),
            "currency": "EUR",
        },
    )
    contracts.contract_transition(actor=users["sales_manager"], contract=contract, to="in_review")
    contracts.contract_review_record(
        actor=users["sales_manager"],
        contract=contract,
        data={
            "requirements_defined": True,
            "differences_resolved": True,
            "capacity_confirmed": True,
            "regulations_identified": True,
            "notes": "",
        },
    )
    contracts.contract_transition(actor=users["sales_manager"], contract=contract, to="active")
    assert ledger.balance_of(member) == 1200


def test_the_contract_renewal_rate_comes_from_contracts():
    assert selectors.contract_renewal_rate(period=Period.parse("2026-Q1")) is not None


def test_the_profile_links_to_my_training_record(client_as):
    assert reverse("training:me") in client_as("customer_service").get(reverse("accounts:profile")).text
