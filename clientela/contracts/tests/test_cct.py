"""CCT — % de contratos cumplidos en tiempo y forma — exactly as SPEC §4, checked by hand-worked cases
and against a plain-Python reading of the definition on generated data."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.contracts import selectors
from clientela.contracts.models import Contract, Deliverable
from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory, DeliveryFactory
from clientela.core.periods import Period
from clientela.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

Q2 = Period.parse("2026-Q2")  # 1 April – 30 June 2026
CLOSED = dt.date(2026, 8, 15)  # "today" after the period ended
D = dt.date


@dataclass
class Item:
    """A deliverable: its due date, status and deliveries as (delivered_on, conforming)."""

    due: dt.date
    deliveries: list[tuple[dt.date, bool]] = field(default_factory=list)
    status: str = "auto"  # auto: delivered if any conforming delivery, else pending


@dataclass
class Deal:
    items: list[Item]
    status: str = Contract.Status.ACTIVE


def build(deals: list[Deal]) -> list[Contract]:
    contracts = []
    for deal in deals:
        contract = ContractFactory(status=deal.status, start_date=D(2026, 1, 1), end_date=D(2026, 12, 31))
        for item in deal.items:
            status = item.status
            if status == "auto":
                status = "delivered" if any(ok for _on, ok in item.deliveries) else "pending"
            deliverable = DeliverableFactory(contract=contract, due_date=item.due, status=status)
            for delivered_on, conforming in item.deliveries:
                DeliveryFactory(deliverable=deliverable, delivered_on=delivered_on, conforming=conforming)
        contracts.append(contract)
    return contracts


DUE = D(2026, 5, 15)
CASES = {
    "delivered on the due date counts as on time": ([Deal([Item(DUE, [(DUE, True)])])], (1, 1)),
    "delivered a day early": ([Deal([Item(DUE, [(D(2026, 5, 14), True)])])], (1, 1)),
    "delivered before the period began, due in it": ([Deal([Item(D(2026, 4, 2), [(D(2026, 3, 30), True)])])], (1, 1)),
    "a day late fails": ([Deal([Item(DUE, [(D(2026, 5, 16), True)])])], (0, 1)),
    "late, delivered after the period ended": ([Deal([Item(D(2026, 6, 30), [(D(2026, 7, 2), True)])])], (0, 1)),
    "on time but nonconforming fails": ([Deal([Item(DUE, [(D(2026, 5, 10), False)])])], (0, 1)),
    "nonconforming then conforming before the due date": (
        [Deal([Item(DUE, [(D(2026, 5, 10), False), (D(2026, 5, 14), True)])])],
        (1, 1),
    ),
    "nonconforming on time, conforming only after the due date": (
        [Deal([Item(DUE, [(D(2026, 5, 10), False), (D(2026, 5, 20), True)])])],
        (0, 1),
    ),
    "not delivered and overdue fails": ([Deal([Item(DUE)])], (0, 1)),
    "due next period is not in scope": ([Deal([Item(D(2026, 7, 1))])], (0, 0)),
    "due the period's first day is in scope": ([Deal([Item(D(2026, 4, 1), [(D(2026, 4, 1), True)])])], (1, 1)),
    "due the period's last day is in scope": ([Deal([Item(D(2026, 6, 30))])], (0, 1)),
    "due the day before the period is not in scope": ([Deal([Item(D(2026, 3, 31))])], (0, 0)),
    "a cancelled deliverable does not count": (
        [Deal([Item(DUE, [(DUE, True)]), Item(D(2026, 6, 1), status=Deliverable.Status.CANCELLED)])],
        (1, 1),
    ),
    "a contract whose only deliverable is cancelled is not in scope": (
        [Deal([Item(DUE, status=Deliverable.Status.CANCELLED)])],
        (0, 0),
    ),
    "a draft contract is not in scope": ([Deal([Item(DUE)], status=Contract.Status.DRAFT)], (0, 0)),
    "a cancelled contract is not in scope": ([Deal([Item(DUE)], status=Contract.Status.CANCELLED)], (0, 0)),
    "a contract in review is in scope": ([Deal([Item(DUE)], status=Contract.Status.IN_REVIEW)], (0, 1)),
    "a completed contract counts": ([Deal([Item(DUE, [(DUE, True)])], status=Contract.Status.COMPLETED)], (1, 1)),
    "a terminated contract counts": ([Deal([Item(DUE)], status=Contract.Status.TERMINATED)], (0, 1)),
    "one failed deliverable fails the whole contract": (
        [Deal([Item(D(2026, 4, 10), [(D(2026, 4, 10), True)]), Item(D(2026, 6, 10), [(D(2026, 6, 11), True)])])],
        (0, 1),
    ),
    "a contract with deliverables in two periods is judged on this one": (
        [Deal([Item(DUE, [(DUE, True)]), Item(D(2026, 8, 1))])],
        (1, 1),
    ),
    "several contracts": (
        [
            Deal([Item(DUE, [(DUE, True)])]),
            Deal([Item(DUE, [(DUE, True)]), Item(D(2026, 6, 1), [(D(2026, 6, 1), True)])]),
            Deal([Item(DUE, [(D(2026, 5, 20), True)])]),
            Deal([Item(D(2026, 9, 1))]),
        ],
        (2, 3),
    ),
}


@pytest.mark.parametrize("deals, expected", CASES.values(), ids=CASES.keys())
def test_it_counts_contracts_fulfilled_in_time_and_form(deals, expected):
    contracts = build(deals)
    result = selectors.cct(period=Q2, today=CLOSED)
    assert (result.numerator, result.denominator) == expected
    assert result.value == (round(expected[0] / expected[1] * 100, 2) if expected[1] else None)
    assert not result.provisional and result.counted_until == Q2.end
    fulfilled = {c.pk for c in contracts} & (set(result.contract_ids) - set(result.failed_contract_ids))
    assert len(fulfilled) == expected[0]


def test_the_value_is_rounded_to_two_decimals_and_lists_the_failed_contracts():
    ok_1, ok_2, late = build(
        [Deal([Item(DUE, [(DUE, True)])]), Deal([Item(DUE, [(DUE, True)])]), Deal([Item(DUE, [(D(2026, 6, 1), True)])])]
    )
    result = selectors.cct(period=Q2, today=CLOSED)
    assert result.value == 66.67
    assert set(result.contract_ids) == {ok_1.pk, ok_2.pk, late.pk}
    assert result.failed_contract_ids == (late.pk,)
    assert (result.deliverables_due, result.deliverables_fulfilled) == (3, 2)
    assert result.ci95 is not None


def test_a_contract_with_deliverables_in_two_periods_is_judged_in_each():
    (contract,) = build([Deal([Item(D(2026, 5, 1), [(D(2026, 5, 1), True)]), Item(D(2026, 8, 1))])])
    in_q2 = selectors.cct(period=Q2, today=D(2026, 10, 15))
    in_q3 = selectors.cct(period=Period.parse("2026-Q3"), today=D(2026, 10, 15))
    assert (in_q2.numerator, in_q2.denominator) == (1, 1)
    assert (in_q3.numerator, in_q3.denominator) == (0, 1) and in_q3.failed_contract_ids == (contract.pk,)


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2026, 5, 9), (0, 0)),  # nothing due yet
        (D(2026, 5, 10), (1, 1)),  # the first one is due and was delivered on time
        (D(2026, 5, 20), (0, 1)),  # the second one is due today-5 and missing
        (D(2026, 6, 30), (0, 1)),
    ],
)
def test_an_open_period_counts_only_what_is_already_due(today, expected):
    build([Deal([Item(D(2026, 5, 10), [(D(2026, 5, 8), True)]), Item(D(2026, 5, 15))])])
    result = selectors.cct(period=Q2, today=today)
    assert (result.numerator, result.denominator) == expected
    assert result.provisional and result.counted_until == today


def test_due_today_and_not_yet_delivered_counts_in_an_open_period():
    build([Deal([Item(D(2026, 5, 15))])])
    assert selectors.cct(period=Q2, today=D(2026, 5, 15)).denominator == 1


def test_no_contracts_in_scope_means_no_value():
    result = selectors.cct(period=Q2, today=CLOSED)
    assert (result.numerator, result.denominator, result.value) == (0, 0, None)
    assert result.contract_ids == () and result.failed_contract_ids == ()


def test_months_and_years_work_as_periods():
    build([Deal([Item(D(2026, 5, 15), [(D(2026, 5, 15), True)]), Item(D(2026, 6, 15))])])
    may = selectors.cct(period=Period.parse("2026-05"), today=CLOSED)
    year = selectors.cct(period=Period.parse("2026"), today=CLOSED)
    assert (may.numerator, may.denominator) == (1, 1)
    assert (year.numerator, year.denominator) == (0, 1) and year.provisional


def test_it_filters_by_segment_and_account_manager(users):
    mine = CustomerFactory(segment="Salud", account_manager=users["account_manager"])
    theirs = CustomerFactory(segment="Industria", account_manager=users["bob"])
    on_time = ContractFactory(customer=mine)
    DeliveryFactory(deliverable=DeliverableFactory(contract=on_time, due_date=DUE), delivered_on=DUE)
    DeliverableFactory(contract=ContractFactory(customer=theirs), due_date=DUE)
    assert selectors.cct(period=Q2, today=CLOSED, segment="Salud").value == 100.0
    assert selectors.cct(period=Q2, today=CLOSED, segment="Industria").value == 0.0
    assert selectors.cct(period=Q2, today=CLOSED, account_manager=users["bob"].pk).contract_ids == (
        theirs.contracts.get().pk,
    )
    assert selectors.cct(period=Q2, today=CLOSED).denominator == 2


def test_it_takes_one_query_whatever_the_data(django_assert_num_queries):
    build([Deal([Item(DUE, [(DUE, True)])])])
    with django_assert_num_queries(1):
        selectors.cct(period=Q2, today=CLOSED)
    build([Deal([Item(DUE, [(DUE, True)]), Item(D(2026, 6, 1), [(D(2026, 6, 3), False)])]) for _ in range(25)])
    with django_assert_num_queries(1):
        result = selectors.cct(period=Q2, today=CLOSED)
    assert result.denominator == 26
    with django_assert_num_queries(1):
        selectors.deliverables_otif(period=Q2, today=CLOSED)
    with django_assert_num_queries(1):
        selectors.renewal_rate(period=Q2, today=CLOSED)


def test_deliverable_level_otif():
    build(
        [
            Deal([Item(DUE, [(DUE, True)]), Item(D(2026, 6, 1), [(D(2026, 6, 2), True)])]),
            Deal([Item(DUE, [(D(2026, 5, 1), False)]), Item(D(2026, 6, 1), [(D(2026, 5, 30), True)])]),
            Deal([Item(DUE)], status=Contract.Status.DRAFT),
        ]
    )
    ratio = selectors.deliverables_otif(period=Q2, today=CLOSED)
    assert (ratio.numerator, ratio.denominator, ratio.value) == (2, 4, 50.0)


def test_renewal_rate_counts_contracts_ending_in_the_period_that_were_renewed():
    customer = CustomerFactory()
    renewed = ContractFactory(customer=customer, end_date=D(2026, 5, 31), status=Contract.Status.COMPLETED)
    ContractFactory(customer=customer, renews=renewed, start_date=D(2026, 6, 1), end_date=D(2027, 5, 31))
    lost = ContractFactory(end_date=D(2026, 6, 15), status=Contract.Status.COMPLETED)
    draft_renewal = ContractFactory(end_date=D(2026, 4, 30))
    ContractFactory(customer=draft_renewal.customer, renews=draft_renewal, status=Contract.Status.DRAFT)
    ContractFactory(end_date=D(2026, 6, 1), status=Contract.Status.CANCELLED)
    ratio = selectors.renewal_rate(period=Q2, today=CLOSED)
    assert (ratio.numerator, ratio.denominator) == (1, 3)
    assert lost.pk


# --- the definition, read literally, against the SQL on generated data -------------------------

statuses = st.sampled_from([s.value for s in Contract.Status])
days = st.integers(min_value=60, max_value=220).map(lambda n: D(2026, 1, 1) + dt.timedelta(days=n))
deliveries = st.lists(st.tuples(days, st.booleans()), max_size=3)
items = st.lists(st.tuples(days, st.booleans(), deliveries), min_size=0, max_size=4)
worlds = st.lists(st.tuples(statuses, items), min_size=1, max_size=5)


def reference_cct(world, period: Period, today: dt.date) -> tuple[int, int]:
    """SPEC §4 word for word, in plain Python."""
    until = min(period.end, today)
    scope, fulfilled = 0, 0
    for status, its in world:
        if status in ("draft", "cancelled"):
            continue
        due = [(d, dels) for d, cancelled, dels in its if period.start <= d <= until and not cancelled]
        if not due:
            continue
        scope += 1
        if all(any(ok and on <= d for on, ok in dels) for d, dels in due):
            fulfilled += 1
    return fulfilled, scope


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds, today=days)
def test_it_matches_the_definition_on_any_data(world, today):
    with transaction.atomic():
        for status, its in world:
            contract = ContractFactory(status=status)
            for due, cancelled, dels in its:
                deliverable = DeliverableFactory(
                    contract=contract, due_date=due, status="cancelled" if cancelled else "pending"
                )
                for delivered_on, conforming in dels:
                    DeliveryFactory(deliverable=deliverable, delivered_on=delivered_on, conforming=conforming)
        result = selectors.cct(period=Q2, today=today)
        assert (result.numerator, result.denominator) == reference_cct(world, Q2, today)
        transaction.set_rollback(True)
