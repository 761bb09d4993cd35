"""Contract workflow, review gate, obligations and deliveries: the rules of SPEC §3.6 and issue #5."""

import datetime as dt
import decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from clientela.contracts import services
from clientela.contracts.models import Contract, ContractReview, Deliverable, Delivery, RecurringObligation
from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory, RegulationFactory
from clientela.core import audit, events
from clientela.core.errors import ConflictError, DomainError, IllegalTransition
from clientela.core.models import AuditAction
from clientela.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 15)
PASSED = {
    "requirements_defined": True,
    "differences_resolved": True,
    "capacity_confirmed": True,
    "regulations_identified": True,
    "notes": "Revisado con el cliente en la reunión de arranque.",
}


@pytest.fixture(autouse=True)
def _today_in_english():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False), translation.override("en"):
        yield


def draft(users, **extra) -> Contract:
    data = {
        "customer": extra.pop("customer", None) or CustomerFactory(account_manager=users["account_manager"]),
        "title": "Mantenimiento preventivo de climatización",
        "kind": Contract.Kind.MAINTENANCE,
        "start_date": D(2026, 1, 1),
        "end_date": D(2026, 12, 31),
        "value": decimal.Decimal("18500.00"),
        "currency": "EUR",
        **extra,
    }
    return services.contract_create(actor=users["account_manager"], data=data)


def active(users, **extra) -> Contract:
    contract = draft(users, **extra)
    contract = services.contract_transition(actor=users["account_manager"], contract=contract, to="in_review")
    services.contract_review_record(actor=users["sales_manager"], contract=contract, data=PASSED)
    return services.contract_transition(actor=users["sales_manager"], contract=contract, to="active")


# --- contracts ----------------------------------------------------------------------------------


def test_a_new_contract_is_a_numbered_draft_owned_by_its_author(users):
    contract = draft(users)
    other = draft(users)
    assert contract.status == "draft" and contract.owner == users["account_manager"]
    assert contract.number == "CT-2026-0001" and other.number == "CT-2026-0002"
    assert audit.history_for(contract).filter(action=AuditAction.CREATED).exists()


def test_a_typed_number_is_kept_and_must_be_unique(users):
    assert draft(users, number="ct-ext-77").number == "CT-EXT-77"
    with pytest.raises(ValidationError) as excinfo:
        draft(users, number="CT-EXT-77")
    assert "number" in excinfo.value.message_dict


@pytest.mark.parametrize(
    "field, value",
    [("end_date", D(2025, 12, 31)), ("value", decimal.Decimal("-1")), ("currency", "XXX"), ("kind", "magic")],
)
def test_bad_contract_data_is_refused_with_the_field_named(users, field, value):
    with pytest.raises(ValidationError) as excinfo:
        draft(users, **{field: value})
    assert field in excinfo.value.message_dict
    assert not Contract.objects.exists()


def test_the_contact_and_the_renewed_contract_must_be_the_customers(users):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as excinfo:
        draft(users, customer=customer, contact=ContactFactory())
    assert "contact" in excinfo.value.message_dict
    earlier = ContractFactory()
    with pytest.raises(ValidationError) as excinfo:
        draft(users, customer=customer, renews=earlier)
    assert "renews" in excinfo.value.message_dict
    renewal = draft(users, customer=earlier.customer, renews=earlier)
    assert renewal.renews == earlier


def test_activation_needs_a_review(users):
    contract = draft(users)
    contract = services.contract_transition(actor=users["account_manager"], contract=contract, to="in_review")
    with pytest.raises(DomainError, match="contract review"):
        services.contract_transition(actor=users["sales_manager"], contract=contract, to="active")
    contract.refresh_from_db()
    assert contract.status == "in_review" and contract.activated_at is None


@pytest.mark.parametrize("check", ContractReview.CHECKS)
def test_activation_needs_every_check_of_the_review(users, check):
    contract = draft(users)
    contract = services.contract_transition(actor=users["account_manager"], contract=contract, to="in_review")
    review = services.contract_review_record(
        actor=users["sales_manager"], contract=contract, data={**PASSED, check: False}
    )
    assert not review.passed and review.reviewer == users["sales_manager"] and review.reviewed_at
    with pytest.raises(DomainError, match="did not confirm every check"):
        services.contract_transition(actor=users["sales_manager"], contract=contract, to="active")


def test_a_passed_review_lets_the_contract_become_active_and_announces_it(users):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    events.contract_activated.connect(receiver)
    try:
        contract = active(users)
    finally:
        events.contract_activated.disconnect(receiver)
    assert contract.status == "active" and contract.activated_at is not None
    assert len(received) == 1
    event = received[0]
    assert event["contract"] == contract and event["customer"] == contract.customer
    assert event["value"] == decimal.Decimal("18500.00") and event["currency"] == "EUR"
    assert event["renewal"] is False and event["actor"] == users["sales_manager"]


def test_a_renewal_is_announced_as_one(users):
    earlier = active(users)
    received = []

    def receiver(sender, **kw):
        received.append(kw["renewal"])

    events.contract_activated.connect(receiver, weak=False)
    try:
        active(users, customer=earlier.customer, renews=earlier)
    finally:
        # Only this test's receiver: the other modules' stay connected for the tests that follow.
        events.contract_activated.disconnect(receiver)
    assert received == [True]


def test_changing_the_reviewed_terms_voids_the_review(users):
    contract = draft(users)
    contract = services.contract_transition(actor=users["account_manager"], contract=contract, to="in_review")
    review = services.contract_review_record(actor=users["sales_manager"], contract=contract, data=PASSED)
    services.contract_update(actor=users["sales_manager"], contract=contract, data={"notes": "Sin cambios de alcance"})
    review.refresh_from_db()
    assert review.superseded_at is None
    services.contract_update(actor=users["sales_manager"], contract=contract, data={"value": decimal.Decimal("20000")})
    review.refresh_from_db()
    assert review.superseded_at is not None
    with pytest.raises(DomainError, match="without a contract review"):
        services.contract_transition(actor=users["sales_manager"], contract=contract, to="active")


def test_a_newer_review_replaces_the_older_one(users):
    contract = draft(users)
    failed = services.contract_review_record(
        actor=users["sales_manager"], contract=contract, data={**PASSED, "capacity_confirmed": False}
    )
    passed = services.contract_review_record(actor=users["sales_manager"], contract=contract, data=PASSED)
    failed.refresh_from_db()
    assert failed.superseded_at is not None and services.current_review(contract) == passed


def test_an_active_contract_is_not_reviewed_again(users):
    contract = active(users)
    with pytest.raises(DomainError, match="reviewed before it becomes active"):
        services.contract_review_record(actor=users["sales_manager"], contract=contract, data=PASSED)


def test_the_review_dates_the_regulations_it_identified(users):
    rgpd, lopd = RegulationFactory(code="RGPD"), RegulationFactory(code="LOPDGDD")
    contract = draft(users, regulations=[rgpd, lopd])
    assert set(contract.regulations.all()) == {rgpd, lopd}
    services.contract_review_record(actor=users["sales_manager"], contract=contract, data=PASSED)
    links = list(contract.regulation_links.all())
    assert {link.last_reviewed_on for link in links} == {TODAY}
    assert {link.reviewed_by for link in links} == {users["sales_manager"]}


def test_a_single_regulation_can_be_rechecked_and_unlinked(users):
    rgpd = RegulationFactory(code="RGPD")
    contract = active(users, regulations=[rgpd])
    link = services.contract_regulation_reviewed(
        actor=users["quality"], contract=contract, regulation=rgpd, on=D(2026, 6, 1), notes="Cláusula DPA revisada"
    )
    assert link.last_reviewed_on == D(2026, 6, 1) and link.reviewed_by == users["quality"]
    with pytest.raises(ValidationError):
        services.contract_regulation_reviewed(
            actor=users["quality"], contract=contract, regulation=rgpd, on=D(2026, 7, 1)
        )
    services.contract_regulation_remove(actor=users["sales_manager"], contract=contract, regulation=rgpd)
    assert not contract.regulations.exists()
    assert audit.history_for(contract).filter(changes__has_key="regulations").exists()


@pytest.mark.parametrize(
    "path, to",
    [
        ([], "active"),
        ([], "completed"),
        (["in_review"], "completed"),
        (["cancelled"], "draft"),
    ],
)
def test_illegal_moves_are_refused(users, path, to):
    contract = draft(users)
    for step in path:
        contract = services.contract_transition(actor=users["sales_manager"], contract=contract, to=step, note="x")
    with pytest.raises(IllegalTransition):
        services.contract_transition(actor=users["sales_manager"], contract=contract, to=to, note="x")


def test_terminating_or_cancelling_needs_a_reason(users):
    contract = active(users)
    with pytest.raises(ValidationError) as excinfo:
        services.contract_transition(actor=users["sales_manager"], contract=contract, to="terminated")
    assert "note" in excinfo.value.message_dict
    contract = services.contract_transition(
        actor=users["sales_manager"], contract=contract, to="terminated", note="Impago reiterado del cliente"
    )
    assert contract.close_reason == "Impago reiterado del cliente" and contract.closed_at


def test_completing_needs_every_deliverable_delivered_or_cancelled(users):
    contract = active(users)
    deliverable = services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Informe final", "due_date": TODAY}
    )
    with pytest.raises(DomainError, match="1 deliverables are still pending"):
        services.contract_transition(actor=users["sales_manager"], contract=contract, to="completed")
    services.delivery_record(actor=users["operations"], deliverable=deliverable, data={"delivered_on": TODAY})
    contract = services.contract_transition(actor=users["sales_manager"], contract=contract, to="completed")
    assert contract.status == "completed"
    with pytest.raises(DomainError, match="closed contract"):
        services.contract_update(actor=users["sales_manager"], contract=contract, data={"title": "Otro"})


def test_a_stale_transition_is_refused(users):
    contract = draft(users)
    seen = contract.lock_version
    services.contract_update(actor=users["admin"], contract=contract, data={"title": "Nuevo título"})
    with pytest.raises(ConflictError):
        services.contract_transition(
            actor=users["account_manager"], contract=contract, to="in_review", expected_version=seen
        )


def test_a_contract_with_deliveries_is_archived_never_lost(users):
    contract = active(users)
    deliverable = services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Acta", "due_date": TODAY}
    )
    services.delivery_record(actor=users["operations"], deliverable=deliverable, data={"delivered_on": TODAY})
    services.contract_archive(actor=users["sales_manager"], contract=contract)
    contract.refresh_from_db()
    assert contract.is_archived and Delivery.objects.filter(deliverable__contract=contract).count() == 1
    assert audit.history_for(contract).filter(action=AuditAction.ARCHIVED).exists()
    services.contract_restore(actor=users["sales_manager"], contract=contract)
    contract.refresh_from_db()
    assert not contract.is_archived


# --- deliverables -------------------------------------------------------------------------------


def test_a_deliverable_outside_the_contracts_dates_is_saved_with_a_warning(users):
    contract = draft(users)
    inside = services.deliverable_create(
        actor=users["account_manager"], contract=contract, data={"description": "Dentro", "due_date": D(2026, 3, 1)}
    )
    outside = services.deliverable_create(
        actor=users["account_manager"], contract=contract, data={"description": "Fuera", "due_date": D(2027, 2, 1)}
    )
    assert services.deliverable_warnings(inside) == []
    (warning,) = services.deliverable_warnings(outside)
    assert "02/01/2027" in warning and "outside the contract's dates" in warning
    assert outside.pk and Deliverable.objects.count() == 2
    (contract_warning,) = services.contract_warnings(contract)
    assert "1 " in contract_warning


def test_obligations_cannot_be_added_to_a_closed_contract(users):
    contract = ContractFactory(status=Contract.Status.COMPLETED)
    with pytest.raises(DomainError, match="obligations cannot be added"):
        services.deliverable_create(
            actor=users["sales_manager"], contract=contract, data={"description": "Tarde", "due_date": TODAY}
        )


def test_a_due_date_cannot_be_moved_to_hide_a_delay(users):
    contract = active(users)
    past = services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Pasada", "due_date": D(2026, 6, 1)}
    )
    with pytest.raises(ValidationError, match="hide the delay"):
        services.deliverable_update(actor=users["sales_manager"], deliverable=past, data={"due_date": D(2026, 7, 1)})
    future = services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Futura", "due_date": D(2026, 7, 1)}
    )
    moved = services.deliverable_update(
        actor=users["sales_manager"], deliverable=future, data={"due_date": D(2026, 7, 15)}
    )
    assert moved.due_date == D(2026, 7, 15)


def test_cancelling_needs_a_reason_and_delivered_only_comes_from_a_delivery(users):
    contract = active(users)
    deliverable = services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Visita", "due_date": TODAY}
    )
    with pytest.raises(ValidationError):
        services.deliverable_transition(actor=users["sales_manager"], deliverable=deliverable, to="cancelled")
    with pytest.raises(DomainError, match="conforming delivery"):
        services.deliverable_transition(actor=users["sales_manager"], deliverable=deliverable, to="delivered")
    cancelled = services.deliverable_transition(
        actor=users["sales_manager"], deliverable=deliverable, to="cancelled", note="El cliente renuncia a la visita"
    )
    assert cancelled.status == "cancelled" and cancelled.cancel_reason
    reinstated = services.deliverable_transition(actor=users["sales_manager"], deliverable=cancelled, to="pending")
    assert reinstated.status == "pending" and reinstated.cancel_reason == ""


# --- recurring obligations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "frequency, first, expected",
    [
        ("monthly", D(2026, 1, 31), [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]),
        ("quarterly", D(2026, 3, 31), [D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31)]),
        ("semiannual", D(2026, 2, 15), [D(2026, 2, 15), D(2026, 8, 15)]),
        ("annual", D(2026, 1, 10), [D(2026, 1, 10)]),
    ],
)
def test_recurring_obligations_generate_dated_deliverables_within_the_contract(users, frequency, first, expected):
    contract = draft(users)
    obligation = services.recurring_obligation_create(
        actor=users["account_manager"],
        contract=contract,
        data={"description": "Informe de servicio", "frequency": frequency, "first_due_date": first, "team": "Técnico"},
    )
    dates = list(obligation.deliverables.order_by("due_date").values_list("due_date", flat=True))
    assert dates[: len(expected)] == expected
    assert all(contract.start_date <= d <= contract.end_date for d in dates)
    assert {d.team for d in obligation.deliverables.all()} == {"Técnico"}
    assert obligation.deliverables.first().description.startswith("Informe de servicio · 2026-")


def test_generation_is_idempotent_and_follows_a_longer_contract(users):
    contract = draft(users)
    obligation = services.recurring_obligation_create(
        actor=users["account_manager"],
        contract=contract,
        data={"description": "Informe", "frequency": "monthly", "first_due_date": D(2026, 1, 5)},
    )
    assert obligation.deliverables.count() == 12
    assert services.recurring_obligation_generate(actor=users["account_manager"], obligation=obligation) == []
    assert services.contract_generate_deliverables(actor=users["account_manager"], contract=contract) == 0
    services.contract_update(actor=users["sales_manager"], contract=contract, data={"end_date": D(2027, 3, 31)})
    assert obligation.deliverables.count() == 15
    services.recurring_obligation_stop(actor=users["sales_manager"], obligation=obligation)
    services.contract_update(actor=users["sales_manager"], contract=contract, data={"end_date": D(2027, 12, 31)})
    assert obligation.deliverables.count() == 15


def test_a_recurring_obligation_must_start_within_the_contract(users):
    contract = draft(users)
    with pytest.raises(ValidationError) as excinfo:
        services.recurring_obligation_create(
            actor=users["account_manager"],
            contract=contract,
            data={"description": "Informe", "frequency": "monthly", "first_due_date": D(2025, 12, 1)},
        )
    assert "first_due_date" in excinfo.value.message_dict
    assert not RecurringObligation.objects.exists()


# --- deliveries ---------------------------------------------------------------------------------


@pytest.fixture
def obligation(users) -> Deliverable:
    contract = active(users, contact=None)
    return services.deliverable_create(
        actor=users["sales_manager"],
        contract=contract,
        data={"description": "Informe de auditoría energética", "due_date": D(2026, 6, 10)},
    )


def test_a_conforming_delivery_delivers_the_deliverable_and_announces_it(users, obligation):
    received = []

    def receiver(sender, **kw):
        received.append(kw)

    events.delivery_recorded.connect(receiver, weak=False)
    try:
        delivery = services.delivery_record(
            actor=users["operations"], deliverable=obligation, data={"delivered_on": D(2026, 6, 9), "notes": "Enviado"}
        )
    finally:
        # Only this test's receiver: the other modules' stay connected for the tests that follow.
        events.delivery_recorded.disconnect(receiver)
    obligation.refresh_from_db()
    assert obligation.status == "delivered" and delivery.recorded_by == users["operations"] and delivery.on_time
    (event,) = received
    assert event["delivery"] == delivery and event["conforming"] is True
    assert event["customer"] == obligation.contract.customer and event["actor"] == users["operations"]
    assert "contact" in event


def test_a_nonconforming_delivery_records_what_was_wrong_and_keeps_the_deliverable_pending(users, obligation):
    with pytest.raises(ValidationError) as excinfo:
        services.delivery_record(
            actor=users["operations"], deliverable=obligation, data={"delivered_on": TODAY, "conforming": False}
        )
    assert {"nonconformity", "severity"} <= set(excinfo.value.message_dict)
    delivery = services.delivery_record(
        actor=users["operations"],
        deliverable=obligation,
        data={
            "delivered_on": TODAY,
            "conforming": False,
            "nonconformity": "Faltan las mediciones de la planta 2",
            "severity": "medium",
        },
    )
    obligation.refresh_from_db()
    assert obligation.status == "pending" and delivery.nonconformity and delivery.severity == "medium"


@pytest.mark.parametrize(
    "delivered_on, message",
    [(D(2026, 6, 16), "future"), (D(2025, 12, 31), "before the contract starts")],
)
def test_a_delivery_dated_in_the_future_or_before_the_contract_is_refused(users, obligation, delivered_on, message):
    with pytest.raises(ValidationError, match=message) as excinfo:
        services.delivery_record(actor=users["operations"], deliverable=obligation, data={"delivered_on": delivered_on})
    assert "delivered_on" in excinfo.value.message_dict
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("status", ["draft", "in_review", "cancelled"])
def test_deliveries_wait_for_an_active_contract(users, status):
    deliverable = DeliverableFactory(contract=ContractFactory(status=status), due_date=TODAY)
    with pytest.raises(DomainError, match="once the contract is active"):
        services.delivery_record(actor=users["operations"], deliverable=deliverable, data={"delivered_on": TODAY})


def test_no_delivery_for_a_cancelled_or_already_delivered_deliverable(users, obligation):
    services.delivery_record(actor=users["operations"], deliverable=obligation, data={"delivered_on": TODAY})
    with pytest.raises(DomainError, match="already delivered in conformity"):
        services.delivery_record(actor=users["operations"], deliverable=obligation, data={"delivered_on": TODAY})
    cancelled = DeliverableFactory(contract=obligation.contract, status="cancelled")
    with pytest.raises(DomainError, match="cancelled"):
        services.delivery_record(actor=users["operations"], deliverable=cancelled, data={"delivered_on": TODAY})
    assert Delivery.objects.count() == 1


def test_two_people_recording_at_once_neither_lose_nor_duplicate(users, obligation):
    """Both loaded the deliverable at the same version; the second submission is told, not saved."""
    seen = obligation.lock_version
    nonconforming = {"delivered_on": TODAY, "conforming": False, "nonconformity": "Incompleto", "severity": "low"}
    services.delivery_record(
        actor=users["operations"], deliverable=obligation, data=nonconforming, expected_version=seen
    )
    with pytest.raises(ConflictError):
        services.delivery_record(
            actor=users["sales_manager"], deliverable=obligation, data=nonconforming, expected_version=seen
        )
    assert Delivery.objects.count() == 1
    obligation.refresh_from_db()
    services.delivery_record(
        actor=users["sales_manager"],
        deliverable=obligation,
        data={"delivered_on": TODAY},
        expected_version=obligation.lock_version,
    )
    assert Delivery.objects.count() == 2


def test_correcting_a_delivery_updates_the_deliverable(users, obligation):
    delivery = services.delivery_record(
        actor=users["operations"], deliverable=obligation, data={"delivered_on": D(2026, 6, 9)}
    )
    services.delivery_update(
        actor=users["operations"],
        delivery=delivery,
        data={"conforming": False, "nonconformity": "El cliente rechaza el informe", "severity": "high"},
    )
    obligation.refresh_from_db()
    assert obligation.status == "pending"
    assert audit.history_for(delivery).filter(action=AuditAction.CHANGED).exists()
    services.delivery_update(actor=users["operations"], delivery=delivery, data={"conforming": True})
    obligation.refresh_from_db()
    delivery.refresh_from_db()
    assert obligation.status == "delivered" and delivery.nonconformity == ""


# --- alerts -------------------------------------------------------------------------------------


def test_alerts_are_sent_once_to_the_right_people(users):
    from clientela.core.models import Notification

    contract = active(users, end_date=D(2026, 8, 1), owner=users["sales_manager"])
    contract.customer.account_manager = users["bob"]
    contract.customer.save()
    services.deliverable_create(
        actor=users["sales_manager"],
        contract=contract,
        data={"description": "Vencida", "due_date": D(2026, 6, 1), "responsible": users["operations"]},
    )
    services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Próxima", "due_date": D(2026, 6, 20)}
    )
    services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Lejana", "due_date": D(2026, 7, 20)}
    )
    first = services.send_alerts(today=TODAY)
    assert first == {"due_soon": 1, "overdue": 2, "ending": 2}
    assert services.send_alerts(today=TODAY) == {"due_soon": 0, "overdue": 0, "ending": 0}
    kinds = set(Notification.objects.values_list("recipient__username", "kind"))
    assert ("oscar", "contracts.deliverable_overdue") in kinds
    assert ("sara", "contracts.deliverable_due_soon") in kinds
    assert ("bob", "contracts.contract_ending") in kinds
    assert timezone.now()


def test_the_alerts_run_daily_as_an_idempotent_job(users):
    from clientela.contracts.tasks import send_contract_alerts
    from clientela.core.jobs import PERIODIC

    job = PERIODIC["contracts.alerts"]
    assert job.task is send_contract_alerts and job.every == dt.timedelta(days=1)
    contract = active(users, owner=users["sales_manager"])
    services.deliverable_create(
        actor=users["sales_manager"], contract=contract, data={"description": "Próxima", "due_date": D(2026, 6, 18)}
    )
    assert send_contract_alerts.call() == {"due_soon": 1, "overdue": 0, "ending": 0}
    assert send_contract_alerts.call() == {"due_soon": 0, "overdue": 0, "ending": 0}
