"""The traceability rules: a requirement's coverage by contract deliverables and whether it was
delivered in time and form (the CCT rule of SPEC §4), whatever stores the deliverables."""

import datetime as dt
from types import SimpleNamespace

import pytest

from clientela.requirements.traceability import DeliverableFact, DeliveryFact, build_matrix, trace_row

DUE = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 7, 15)


def requirement(pk=1, priority="must", status="approved"):
    return SimpleNamespace(pk=pk, priority=priority, status=status)


def deliverable(pk, *deliveries, status="pending", due=DUE):
    return DeliverableFact(pk, f"Entregable {pk}", due, status, tuple(DeliveryFact(*d) for d in deliveries))


ON_TIME = (dt.date(2026, 6, 28), True)
LATE = (dt.date(2026, 7, 2), True)
BAD = (dt.date(2026, 6, 20), False)


@pytest.mark.parametrize(
    ("deliveries", "state"),
    [
        ((ON_TIME,), "in_time_and_form"),
        ((BAD, ON_TIME), "in_time_and_form"),
        ((LATE,), "late"),
        ((BAD,), "nonconforming"),
        ((), "overdue"),
    ],
)
def test_each_deliverable_has_one_state(deliveries, state):
    assert deliverable(1, *deliveries).state(TODAY) == state


def test_a_future_deliverable_is_pending_and_a_cancelled_one_says_so():
    assert deliverable(1, due=dt.date(2026, 8, 1)).state(TODAY) == "pending"
    assert deliverable(1, ON_TIME, status="cancelled").state(TODAY) == "cancelled"


@pytest.mark.parametrize(
    ("deliverables", "coverage", "in_time"),
    [
        ([], "none", None),
        ([deliverable(1, status="cancelled")], "none", None),
        ([deliverable(1)], "planned", False),
        ([deliverable(1, ON_TIME), deliverable(2)], "partial", False),
        ([deliverable(1, ON_TIME), deliverable(2, ON_TIME)], "delivered", True),
        ([deliverable(1, ON_TIME), deliverable(2, LATE)], "delivered", False),
        ([deliverable(1, ON_TIME), deliverable(2, status="cancelled")], "delivered", True),
        ([deliverable(1, BAD)], "planned", False),
    ],
)
def test_coverage_and_delivery_in_time_and_form(deliverables, coverage, in_time):
    row = trace_row(requirement(), deliverables)
    assert (row.coverage, row.in_time_and_form) == (coverage, in_time)
    assert str(row.coverage_label)


@pytest.mark.parametrize(
    ("priority", "status", "gap"),
    [
        ("must", "approved", True),
        ("must", "fulfilled", True),
        ("should", "approved", False),
        ("must", "clarifying", False),
    ],
)
def test_an_agreed_must_have_with_nothing_to_deliver_it_is_a_gap(priority, status, gap):
    assert trace_row(requirement(priority=priority, status=status), []).gap is gap


def test_the_matrix_keeps_order_leaves_out_what_is_not_owed_and_sums_up():
    requirements = [
        requirement(1),
        requirement(2, status="withdrawn"),
        requirement(3, priority="should"),
        requirement(4),
    ]
    links = {1: [deliverable(1, ON_TIME)], 3: [deliverable(2, LATE)], 2: [deliverable(3, ON_TIME)]}
    matrix = build_matrix(requirements, links)
    assert [r.requirement.pk for r in matrix.rows] == [1, 3, 4]
    assert (matrix.traced, matrix.delivered, matrix.in_time_and_form) == (2, 2, 1)
    assert [r.requirement.pk for r in matrix.gaps] == [4]
