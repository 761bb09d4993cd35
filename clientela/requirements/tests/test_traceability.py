"""The traceability rules: a requirement's coverage by contract deliverables and whether it was
delivered in time and form (the CCT rule of SPEC §4), whatever stores the deliverables."""

import datetime as dt
from types import SimpleNamespace

import pytest

from clientela.requirements.traceability import (
    DELIVERABLE_STATES,
    DeliverableFact,
    DeliveryFact,
    build_matrix,
    trace_row,
)

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


# --- the matrix of a contract, read from the database --------------------------------------------


@pytest.fixture
def contract_data(db, users):
    """A maintenance contract with deliverables in every situation and requirements traced to them,
    plus what must stay out of its matrix (a withdrawn requirement, another customer's)."""
    from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory, DeliveryFactory
    from clientela.customers.tests.factories import CustomerFactory
    from clientela.requirements.tests.factories import RequirementFactory, advance, traced

    customer = CustomerFactory(name="Hospital San Rafael", account_manager=users["account_manager"])
    contract = ContractFactory(customer=customer, title="Mantenimiento de electromedicina 2026")
    renewal = ContractFactory(customer=customer, title="Mantenimiento de electromedicina 2027")
    d = {
        "q1": DeliverableFactory(contract=contract, description="Revisión T1", due_date=dt.date(2026, 3, 31)),
        "q2": DeliverableFactory(contract=contract, description="Revisión T2", due_date=dt.date(2026, 6, 30)),
        "q3": DeliverableFactory(contract=contract, description="Revisión T3", due_date=dt.date(2026, 9, 30)),
        "report": DeliverableFactory(
            contract=contract, description="Informe de riesgos", due_date=dt.date(2026, 5, 15)
        ),
        "cancelled": DeliverableFactory(contract=contract, description="Auditoría", status="cancelled"),
        "next": DeliverableFactory(contract=renewal, description="Revisión 2027 T1", due_date=dt.date(2027, 3, 31)),
    }
    DeliveryFactory(deliverable=d["q1"], delivered_on=dt.date(2026, 3, 28))
    DeliveryFactory(deliverable=d["q2"], delivered_on=dt.date(2026, 7, 3))
    DeliveryFactory(deliverable=d["report"], delivered_on=dt.date(2026, 5, 10), conforming=False)

    def make(title, links, status="approved", priority="must", owner=contract):
        requirement = RequirementFactory(customer=customer, contract=owner, title=title, priority=priority)
        return traced(advance(requirement, users, status) if status != "draft" else requirement, *links)

    requirements = {
        "Revisión en plazo": make("Revisión en plazo", [d["q1"]]),
        "Revisiones con una tardía": make("Revisiones con una tardía", [d["q1"], d["q2"]]),
        "Entregado en parte": make("Entregado en parte", [d["q1"], d["q3"]], priority="should"),
        "Solo planificado": make("Solo planificado", [d["q3"]], status="validated"),
        "Sin entregable": make("Sin entregable", []),
        "Solo un entregable anulado": make("Solo un entregable anulado", [d["cancelled"]]),
        "Entrega no conforme": make("Entrega no conforme", [d["report"]], priority="could", status="fulfilled"),
        "Borrador sin trazar": make("Borrador sin trazar", [], status="draft"),
        "Con la renovación": make("Con la renovación", [d["q3"], d["next"]]),
        "De la renovación": make("De la renovación", [d["q3"]], owner=renewal),
        "Retirado": make("Retirado", [d["q1"]], status="withdrawn"),
    }
    other = CustomerFactory(account_manager=users["bob"])
    RequirementFactory(customer=other, title="Ajeno")
    return SimpleNamespace(contract=contract, renewal=renewal, deliverables=d, requirements=requirements)


@pytest.mark.parametrize(
    ("title", "coverage", "in_time", "gap"),
    [
        ("Revisión en plazo", "delivered", True, False),
        ("Revisiones con una tardía", "delivered", False, False),
        ("Entregado en parte", "partial", False, False),
        ("Solo planificado", "planned", False, False),
        ("Sin entregable", "none", None, True),
        ("Solo un entregable anulado", "none", None, True),
        ("Entrega no conforme", "planned", False, False),
        ("Borrador sin trazar", "none", None, False),
        ("Con la renovación", "planned", False, False),
        ("De la renovación", "planned", False, False),
    ],
)
def test_the_contract_matrix_on_realistic_data(contract_data, title, coverage, in_time, gap):
    from clientela.requirements.traceability import matrix_for_contract

    rows = {row.requirement.title: row for row in matrix_for_contract(contract_data.contract).rows}
    row = rows[title]
    assert (row.coverage, row.in_time_and_form, row.gap) == (coverage, in_time, gap)


def test_the_contract_matrix_holds_its_requirements_and_those_traced_to_it_in_moscow_order(contract_data):
    from clientela.requirements.traceability import matrix_for_contract

    matrix = matrix_for_contract(contract_data.contract)
    titles = [row.requirement.title for row in matrix.rows]
    assert "Retirado" not in titles and "Ajeno" not in titles
    assert "De la renovación" in titles  # traced to this contract's deliverable
    assert [row.requirement.priority for row in matrix.rows] == sorted(
        (row.requirement.priority for row in matrix.rows), key=["must", "should", "could", "wont"].index
    )
    assert (len(matrix.rows), matrix.traced, matrix.delivered, matrix.in_time_and_form) == (10, 7, 2, 1)
    assert {row.requirement.title for row in matrix.gaps} == {"Sin entregable", "Solo un entregable anulado"}
    renewal_row = next(r for r in matrix.rows if r.requirement.title == "Con la renovación")
    assert [d.contract_number for d in renewal_row.deliverables] == [
        contract_data.contract.number,
        contract_data.renewal.number,
    ]


def test_the_renewal_matrix_sees_only_what_concerns_it(contract_data):
    from clientela.requirements.traceability import matrix_for_contract

    titles = {row.requirement.title for row in matrix_for_contract(contract_data.renewal).rows}
    assert titles == {"Con la renovación", "De la renovación"}


def test_the_matrix_needs_three_queries_whatever_its_size(contract_data, django_assert_num_queries, users):
    from clientela.contracts.tests.factories import DeliverableFactory, DeliveryFactory
    from clientela.requirements.tests.factories import RequirementFactory, traced
    from clientela.requirements.traceability import matrix_for_contract

    contract = contract_data.contract
    with django_assert_num_queries(3):
        matrix_for_contract(contract)
    for n in range(15):
        deliverable = DeliverableFactory(contract=contract, due_date=dt.date(2026, 4, 1) + dt.timedelta(days=n))
        DeliveryFactory(deliverable=deliverable)
        traced(RequirementFactory(customer=contract.customer, contract=contract), deliverable)
    with django_assert_num_queries(3):
        assert len(matrix_for_contract(contract).rows) == 25


def test_a_contract_without_requirements_has_an_empty_matrix(db, django_assert_num_queries):
    from clientela.contracts.tests.factories import ContractFactory
    from clientela.requirements.traceability import matrix_for_contract

    contract = ContractFactory()
    with django_assert_num_queries(1):
        assert matrix_for_contract(contract).rows == []


def test_archived_deliveries_do_not_count(contract_data):
    from clientela.contracts.models import Delivery
    from clientela.requirements.traceability import matrix_for_contract

    Delivery.objects.filter(deliverable=contract_data.deliverables["q1"]).update(archived_at=dt.datetime.now(dt.UTC))
    row = next(
        r for r in matrix_for_contract(contract_data.contract).rows if r.requirement.title == "Revisión en plazo"
    )
    assert row.coverage == "planned"


def test_the_exported_matrix_has_a_line_per_requirement_and_deliverable(contract_data):
    from clientela.requirements.traceability import matrix_columns, matrix_for_contract, matrix_lines

    lines = matrix_lines(matrix_for_contract(contract_data.contract), today=TODAY)
    assert len(lines) == 13  # 10 requirements, three of them with two deliverables
    by_title: dict[str, list] = {}
    for line in lines:
        by_title.setdefault(line.requirement.title, []).append(line)
    assert [line.deliverable for line in by_title["Sin entregable"]] == [None]
    late = by_title["Revisiones con una tardía"]
    columns = {c.name: c for c in matrix_columns()}
    assert [columns["situation"].value(line) for line in late] == [
        str(DELIVERABLE_STATES["in_time_and_form"]),
        str(DELIVERABLE_STATES["late"]),
    ]
    assert columns["delivered_in_form_on"].value(late[1]) == dt.date(2026, 7, 3)
    assert columns["gap"].value(by_title["Sin entregable"][0]) is True
