"""The action-plan effectiveness rate, table-driven: verifications decide the period, the latest
verification in the period decides the result, an open period counts what is verified so far."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clientela.action_plans import selectors
from clientela.action_plans.models import ActionPlan, EffectivenessCheck
from clientela.core.periods import Period
from clientela.customers.tests.factories import CustomerFactory

from .factories import PlanFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
NOW = dt.datetime(2026, 11, 15, 12, 0, tzinfo=MADRID)
Q3, Q4 = Period.parse("2026-Q3"), Period.parse("2026-Q4")


def at(month, day) -> dt.datetime:
    return dt.datetime(2026, month, day, 10, 0, tzinfo=MADRID)


def verified(plan, *checks):
    for when, result in checks:
        EffectivenessCheck.objects.create(
            plan=plan, method="m", evidence="e", result=result, verified_by=plan.owner, verified_at=when
        )


# (case, verifications, counts in Q4, effective in Q4, counts in Q3)
CASES = [
    ("effective in the quarter", [(at(10, 5), "effective")], True, True, False),
    ("not effective in the quarter", [(at(10, 5), "not_effective")], True, False, False),
    (
        "not effective, then effective, same quarter: the latest decides",
        [(at(10, 5), "not_effective"), (at(11, 2), "effective")],
        True,
        True,
        False,
    ),
    (
        "not effective in Q3, effective in Q4: counts in both",
        [(at(9, 5), "not_effective"), (at(10, 5), "effective")],
        True,
        True,
        True,
    ),
    ("verified after now: not yet", [(at(11, 20), "effective")], False, False, False),
    ("never verified", [], False, False, False),
]


@pytest.mark.parametrize(("case", "checks", "in_q4", "effective", "in_q3"), CASES, ids=[c[0] for c in CASES])
def test_plan_effectiveness_case_by_case(users, case, checks, in_q4, effective, in_q3):
    plan = PlanFactory(owner=users["quality"])
    verified(plan, *checks)
    ratio = selectors.plan_effectiveness_rate(period=Q4, now=NOW)
    assert (ratio.denominator, ratio.numerator) == (int(in_q4), int(effective))
    assert (plan in selectors.plan_effectiveness_records(period=Q4, now=NOW)) is in_q4
    assert selectors.plan_effectiveness_rate(period=Q3, now=NOW).denominator == int(in_q3)


def test_the_rate_over_several_plans_and_its_filters(users):
    health = CustomerFactory(segment="Salud", account_manager=users["account_manager"])
    for checks, customer in [
        ([(at(10, 5), "effective")], health),
        ([(at(10, 6), "not_effective")], None),
        ([(at(10, 7), "effective")], None),
        ([(at(10, 8), "effective")], None),
    ]:
        verified(PlanFactory(owner=users["quality"], customer=customer), *checks)
    ratio = selectors.plan_effectiveness_rate(period=Q4, now=NOW)
    assert (ratio.numerator, ratio.denominator, ratio.value) == (3, 4, 75.0)
    assert selectors.plan_effectiveness_rate(period=Q4, segment="Salud", now=NOW).value == 100.0
    assert selectors.plan_effectiveness_rate(period=Q4, account_manager=users["bob"].pk, now=NOW).denominator == 0
    assert selectors.plan_effectiveness_rate(period=Q4, account_manager=users["bob"].pk, now=NOW).value is None


def test_the_records_behind_the_rate_open_in_the_plan_list(client_as, users):
    plan = PlanFactory(owner=users["quality"], title="Verificado en octubre")
    PlanFactory(owner=users["quality"], title="Sin verificar")
    verified(plan, (at(10, 5), "effective"))
    url = selectors.figure_records_url(period=Q4)
    page = client_as("management").get(url)
    assert "Verificado en octubre" in page.text and "Sin verificar" not in page.text
    assert ActionPlan.objects.count() == 2
