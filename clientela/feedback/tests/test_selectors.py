"""The figures the indicators module publishes, table-driven: which date puts a complaint in a
period, what counts as met, what an open period leaves out, and the filters."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clientela.core.periods import Period
from clientela.customers.models import Customer
from clientela.customers.tests.factories import CustomerFactory
from clientela.feedback import selectors
from clientela.feedback.models import Feedback

from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
NOW = dt.datetime(2026, 11, 15, 12, 0, tzinfo=MADRID)  # inside 2026-Q4: an open period
Q3, Q4 = Period.parse("2026-Q3"), Period.parse("2026-Q4")


def at(month, day, hour=12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=MADRID)


def make(*, customer=None, kind="complaint", **fields) -> Feedback:
    """A complaint with exactly these SLA facts (the rest of its clock cleared)."""
    record = FeedbackFactory(kind=kind, customer=customer, received_at=at(9, 1))
    for name in ("acknowledge_due_at", "resolve_due_at", "acknowledge_breached_at", "resolve_breached_at"):
        fields.setdefault(name, None)
    fields.setdefault("received_at", at(9, 1))
    Feedback.objects.filter(pk=record.pk).update(**fields)
    return record


# (case, fields, counts in Q4, within SLA, counts in Q3)
ACKNOWLEDGEMENT = [
    (
        "acknowledged before its deadline",
        {"acknowledge_due_at": at(10, 5), "acknowledged_at": at(10, 5, 9)},
        True,
        True,
        False,
    ),
    (
        "acknowledged late, breach recorded",
        {"acknowledge_due_at": at(10, 6), "acknowledged_at": at(10, 7), "acknowledge_breached_at": at(10, 6)},
        True,
        False,
        False,
    ),
    (
        "never acknowledged, deadline past, job not run yet",
        {"acknowledge_due_at": at(10, 7), "status": "received"},
        True,
        False,
        False,
    ),
    (
        "deadline still ahead, not acknowledged: not known yet",
        {"acknowledge_due_at": at(11, 20), "status": "received"},
        False,
        False,
        False,
    ),
    (
        "deadline ahead, already acknowledged: met",
        {"acknowledge_due_at": at(11, 20), "acknowledged_at": at(11, 14)},
        True,
        True,
        False,
    ),
    (
        "deadline in the previous quarter",
        {"acknowledge_due_at": at(9, 30, 23), "acknowledged_at": at(9, 30, 10)},
        False,
        False,
        True,
    ),
    (
        "rejected before acknowledging: the rejection answers it",
        {"acknowledge_due_at": at(10, 9), "acknowledged_at": at(10, 8), "resolved_at": at(10, 8), "status": "rejected"},
        True,
        True,
        False,
    ),
    (
        "archived",
        {"acknowledge_due_at": at(10, 8), "acknowledged_at": at(10, 8, 9), "archived_at": at(10, 20)},
        False,
        False,
        False,
    ),
]

RESOLUTION = [
    (
        "resolved before its deadline",
        {"resolve_due_at": at(10, 10), "resolved_at": at(10, 9), "status": "closed"},
        True,
        True,
        False,
    ),
    (
        "resolved after its deadline",
        {
            "resolve_due_at": at(10, 10),
            "resolved_at": at(10, 12),
            "resolve_breached_at": at(10, 10),
            "status": "resolved",
        },
        True,
        False,
        False,
    ),
    ("unresolved, deadline past", {"resolve_due_at": at(10, 11), "status": "in_analysis"}, True, False, False),
    (
        "waiting for the customer, clock stopped before the deadline: not known yet",
        {"resolve_due_at": at(10, 12), "status": "waiting_customer", "sla_paused_at": at(10, 11)},
        False,
        False,
        False,
    ),
    (
        "waiting for the customer, paused after the deadline",
        {
            "resolve_due_at": at(10, 12),
            "status": "waiting_customer",
            "sla_paused_at": at(10, 13),
            "resolve_breached_at": at(10, 12),
        },
        True,
        False,
        False,
    ),
    ("deadline ahead, unresolved", {"resolve_due_at": at(11, 30), "status": "in_analysis"}, False, False, False),
    (
        "reopened and resolved again in time: the first breach stays",
        {
            "resolve_due_at": at(10, 20),
            "resolved_at": at(10, 19),
            "resolve_breached_at": at(10, 3),
            "status": "resolved",
        },
        True,
        False,
        False,
    ),
    (
        "rejected in time",
        {"resolve_due_at": at(10, 21), "resolved_at": at(10, 2), "status": "rejected"},
        True,
        True,
        False,
    ),
    (
        "resolved in the previous quarter",
        {"resolve_due_at": at(9, 25), "resolved_at": at(9, 24), "status": "closed"},
        False,
        False,
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "fields", "in_q4", "within", "in_q3"), ACKNOWLEDGEMENT, ids=[r[0] for r in ACKNOWLEDGEMENT]
)
def test_acknowledged_within_sla_case_by_case(case, fields, in_q4, within, in_q3):
    record = make(**fields)
    records = selectors.complaints_acknowledged_within_sla_records(period=Q4, now=NOW)
    assert (record in records) is in_q4
    ratio = selectors.complaints_acknowledged_within_sla(period=Q4, now=NOW)
    assert (ratio.denominator, ratio.numerator) == (int(in_q4), int(within))
    assert selectors.complaints_acknowledged_within_sla(period=Q3, now=NOW).denominator == int(in_q3)


@pytest.mark.parametrize(("case", "fields", "in_q4", "within", "in_q3"), RESOLUTION, ids=[r[0] for r in RESOLUTION])
def test_resolved_within_sla_case_by_case(case, fields, in_q4, within, in_q3):
    record = make(**fields)
    assert (record in selectors.complaints_resolved_within_sla_records(period=Q4, now=NOW)) is in_q4
    ratio = selectors.complaints_resolved_within_sla(period=Q4, now=NOW)
    assert (ratio.denominator, ratio.numerator) == (int(in_q4), int(within))
    assert selectors.complaints_resolved_within_sla(period=Q3, now=NOW).denominator == int(in_q3)


def test_all_the_cases_together_and_the_records_behind_them():
    for _case, fields, *_ in ACKNOWLEDGEMENT:
        make(**fields)
    make(kind="suggestion")
    ratio = selectors.complaints_acknowledged_within_sla(period=Q4, now=NOW)
    assert (ratio.numerator, ratio.denominator, ratio.value) == (3, 5, 60.0)
    flags = dict(
        selectors.complaints_acknowledged_within_sla_records(period=Q4, now=NOW).values_list("pk", "within_sla")
    )
    assert sorted(flags.values()) == [False, False, True, True, True]


def test_the_breach_rate_counts_targets_not_complaints():
    make(
        acknowledge_due_at=at(10, 5),
        acknowledged_at=at(10, 5, 9),
        resolve_due_at=at(10, 10),
        resolved_at=at(10, 12),
        resolve_breached_at=at(10, 10),
        status="resolved",
    )
    make(
        acknowledge_due_at=at(10, 6),
        acknowledged_at=at(10, 6, 9),
        resolve_due_at=at(10, 12),
        resolved_at=at(10, 11),
        status="closed",
    )
    make(acknowledge_due_at=at(10, 7), status="received")
    rate = selectors.sla_breach_rate(period=Q4, now=NOW)
    assert (rate.numerator, rate.denominator) == (2, 5)  # one late resolution, one missed acknowledgement
    assert rate.value == 40.0
    behind = selectors.sla_breach_records(period=Q4, now=NOW)
    assert sorted(behind.values_list("within_sla", flat=True)) == [False, False, True]


def test_the_median_resolution_in_business_hours():
    for hours, month in [(10, 10), (20, 10), (30, 11), (40, 9)]:
        make(resolved_at=at(month, 3), resolution_seconds=hours * 3600, status="closed")
    make(resolved_at=at(10, 4), resolution_seconds=1, status="rejected")  # a rejection is not a resolution
    make(resolved_at=at(11, 20), resolution_seconds=99 * 3600, status="resolved")  # after "now"
    assert selectors.median_resolution_business_hours(period=Q4, now=NOW) == 20.0
    assert selectors.median_resolution_business_hours(period=Q3, now=NOW) == 40.0
    assert selectors.median_resolution_business_hours(period=Period.parse("2026-Q1"), now=NOW) is None


def test_complaints_per_100_active_customers():
    active = [CustomerFactory(status="active") for _ in range(4)]
    Customer.objects.filter(pk=active[3].pk).update(activated_at=at(12, 1))  # active in Q4, not yet in September
    CustomerFactory(status="former")
    make(customer=active[0], received_at=at(10, 2))
    make(customer=active[1], received_at=at(11, 2))
    make(received_at=at(11, 3))  # no customer (public form)
    make(customer=active[0], received_at=at(11, 16))  # after now
    make(customer=active[0], received_at=at(9, 15))  # Q3
    make(customer=active[0], received_at=at(10, 3), kind="suggestion")
    rate = selectors.complaints_per_100_active_customers(period=Q4, now=NOW)
    assert (rate.complaints, rate.active_customers, rate.value) == (3, 4, 75.0)
    assert selectors.complaints_per_100_active_customers(period=Period.parse("2026-09"), now=NOW).active_customers == 3
    assert selectors.complaints_per_100_active_customers(period=Q4, segment="Nada", now=NOW).value is None


def test_segment_and_account_manager_filters(users):
    mine = CustomerFactory(segment="Salud", account_manager=users["account_manager"])
    other = CustomerFactory(segment="Industria", account_manager=users["bob"])
    make(customer=mine, acknowledge_due_at=at(10, 5), acknowledged_at=at(10, 5, 9))
    make(customer=other, acknowledge_due_at=at(10, 5), status="received")
    make(acknowledge_due_at=at(10, 5), status="received")  # without a customer
    assert selectors.complaints_acknowledged_within_sla(period=Q4, now=NOW).denominator == 3
    assert selectors.complaints_acknowledged_within_sla(period=Q4, segment="Salud", now=NOW).value == 100.0
    by_manager = selectors.complaints_acknowledged_within_sla(period=Q4, account_manager=users["bob"].pk, now=NOW)
    assert (by_manager.numerator, by_manager.denominator) == (0, 1)


def test_a_link_opens_the_records_behind_a_figure(client_as):
    record = make(acknowledge_due_at=at(10, 5), status="received")
    url = selectors.figure_records_url("acknowledged_within_sla", period=Q4, segment="Industria")
    assert url.startswith("/feedback/?figure=acknowledged_within_sla&period=2026-Q4&segment=Industria")
    with pytest.raises(KeyError):
        selectors.figure_records_url("nps", period=Q4)
    page = client_as("management").get(selectors.figure_records_url("acknowledged_within_sla", period=Q4))
    assert record.number in page.text
