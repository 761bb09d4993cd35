"""SPEC §5 contract for contracts, deliverables, deliveries and regulations."""

import datetime as dt

import pytest
from django.utils import timezone

from clientela.contracts.models import Contract, Delivery, Regulation
from clientela.contracts.tests.factories import (
    ContractFactory,
    DeliverableFactory,
    DeliveryFactory,
    RegulationFactory,
)
from clientela.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
CHECKS = {
    "requirements_defined": True,
    "differences_resolved": True,
    "capacity_confirmed": True,
    "regulations_identified": True,
    "notes": "Revisado",
}


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def mine(users):
    return CustomerFactory(account_manager=users["account_manager"])


def new_contract(api, customer, **extra):
    start = today() - dt.timedelta(days=30)
    body = {
        "customer": customer.pk,
        "title": "Servicio de mantenimiento",
        "kind": "maintenance",
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=365)).isoformat(),
        "value": "15000.00",
        "currency": "MXN",
        **extra,
    }
    return api.post("/api/v1/contracts/", body, format="json")


def test_a_contract_is_created_numbered_and_read_back(api_as, mine):
    rgpd = RegulationFactory(code="RGPD")
    response = new_contract(api_as("account_manager"), mine, regulations=[rgpd.pk])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith(f"CT-{today().year}-") and body["status"] == "draft"
    assert body["value"] == "15000.00" and body["currency"] == "MXN"
    assert body["regulations"] == [rgpd.pk] and body["review"] is None
    assert body["regulation_reviews"] == [
        {"regulation": rgpd.pk, "code": "RGPD", "last_reviewed_on": None, "reviewed_by": None}
    ]
    got = api_as("operations").get(f"/api/v1/contracts/{body['id']}/").json()
    assert got["number"] == body["number"]


@pytest.mark.parametrize(
    "field, value",
    [("end_date", "2000-01-01"), ("value", "-5"), ("currency", "XYZ"), ("start_date", "31/02/2026")],
)
def test_bad_contract_input_is_a_400_naming_the_field(api_as, mine, field, value):
    response = new_contract(api_as("sales_manager"), mine, **{field: value})
    assert response.status_code == 400 and field in response.json()
    assert not Contract.objects.exists()


def test_account_managers_draft_only_for_their_customers(api_as, users):
    theirs = CustomerFactory(account_manager=users["bob"])
    assert new_contract(api_as("account_manager"), theirs).status_code == 403
    assert new_contract(api_as("operations"), theirs).status_code == 403
    assert new_contract(api_as("sales_manager"), theirs).status_code == 201


def test_review_then_activate(api_as, mine):
    contract = new_contract(api_as("account_manager"), mine).json()
    url = f"/api/v1/contracts/{contract['id']}/"
    am = api_as("account_manager")
    assert am.post(url + "transition/", {"to": "in_review"}, format="json").json()["status"] == "in_review"
    sm = api_as("sales_manager")
    refused = sm.post(url + "transition/", {"to": "active"}, format="json")
    assert refused.status_code == 409 and "revisión del contrato" in refused.json()["detail"]
    failed = sm.post(url + "review/", {**CHECKS, "capacity_confirmed": False}, format="json")
    assert failed.status_code == 201 and failed.json()["passed"] is False
    assert sm.post(url + "transition/", {"to": "active"}, format="json").status_code == 409
    passed = sm.post(url + "review/", CHECKS, format="json")
    assert passed.status_code == 201 and passed.json()["passed"] is True
    assert passed.json()["reviewer"] and passed.json()["reviewed_at"]
    active = sm.post(url + "transition/", {"to": "active"}, format="json")
    assert active.status_code == 200 and active.json()["status"] == "active" and active.json()["activated_at"]
    assert active.json()["review"]["passed"] is True


@pytest.mark.parametrize("body", [{}, {"requirements_defined": "maybe"}])
def test_a_review_needs_its_four_checks(api_as, mine, body):
    contract = ContractFactory(customer=mine, status="in_review")
    response = api_as("sales_manager").post(f"/api/v1/contracts/{contract.pk}/review/", body, format="json")
    assert response.status_code == 400


def test_operations_cannot_review_or_activate(api_as, mine):
    contract = ContractFactory(customer=mine, status="in_review")
    ops = api_as("operations")
    assert ops.post(f"/api/v1/contracts/{contract.pk}/review/", CHECKS, format="json").status_code == 403
    assert ops.post(f"/api/v1/contracts/{contract.pk}/transition/", {"to": "active"}, format="json").status_code == 403
    account_manager = api_as("account_manager")
    response = account_manager.post(f"/api/v1/contracts/{contract.pk}/transition/", {"to": "active"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("to", ["completed", "nonsense", "draft"])
def test_illegal_moves_are_a_409(api_as, mine, to):
    contract = ContractFactory(customer=mine, status="active")
    response = api_as("sales_manager").post(f"/api/v1/contracts/{contract.pk}/transition/", {"to": to}, format="json")
    if to == "completed":
        assert response.status_code == 200
        response = api_as("sales_manager").post(
            f"/api/v1/contracts/{contract.pk}/transition/", {"to": "active"}, format="json"
        )
    assert response.status_code == 409 and response.json()["detail"]


def test_a_stale_lock_version_is_a_409(api_as, mine):
    contract = ContractFactory(customer=mine, status="draft", lock_version=3)
    api = api_as("sales_manager")
    response = api.patch(f"/api/v1/contracts/{contract.pk}/", {"title": "Otro", "lock_version": 2}, format="json")
    assert response.status_code == 409
    response = api.post(
        f"/api/v1/contracts/{contract.pk}/transition/", {"to": "in_review", "lock_version": 2}, format="json"
    )
    assert response.status_code == 409
    assert (
        api.patch(f"/api/v1/contracts/{contract.pk}/", {"title": "Otro", "lock_version": 3}, format="json").status_code
        == 200
    )


def test_deleting_a_contract_with_deliveries_archives_it(api_as, mine):
    contract = ContractFactory(customer=mine)
    DeliveryFactory(deliverable=DeliverableFactory(contract=contract))
    assert api_as("account_manager").delete(f"/api/v1/contracts/{contract.pk}/").status_code == 403
    assert api_as("sales_manager").delete(f"/api/v1/contracts/{contract.pk}/").status_code == 204
    contract.refresh_from_db()
    assert contract.is_archived and Delivery.objects.filter(deliverable__contract=contract).exists()
    body = api_as("sales_manager").get("/api/v1/contracts/", {"archived": "true"}).json()
    assert [c["id"] for c in body["results"]] == [contract.pk]


def test_contract_filters_search_and_ordering(api_as, users):
    a = ContractFactory(title="Suministro de reactivos", status="active", currency="COP")
    ContractFactory(title="Licencia anual", status="draft")
    api = api_as("quality")
    assert [c["id"] for c in api.get("/api/v1/contracts/", {"status": "active"}).json()["results"]] == [a.pk]
    assert [c["id"] for c in api.get("/api/v1/contracts/", {"search": "reactivos"}).json()["results"]] == [a.pk]
    assert [c["id"] for c in api.get("/api/v1/contracts/", {"currency": "COP"}).json()["results"]] == [a.pk]
    assert api.get("/api/v1/contracts/", {"ordering": "-value"}).status_code == 200
    assert api.get("/api/v1/contracts/", {"status": "nope"}).status_code == 400


# --- deliverables -------------------------------------------------------------------------------


def test_a_deliverable_outside_the_contract_is_created_with_a_warning(api_as, mine):
    contract = ContractFactory(customer=mine, start_date=today(), end_date=today() + dt.timedelta(days=30))
    api = api_as("account_manager")
    inside = api.post(
        "/api/v1/deliverables/",
        {"contract": contract.pk, "description": "Acta de inicio", "due_date": today().isoformat()},
        format="json",
    )
    assert inside.status_code == 201 and inside.json()["warnings"] == []
    assert inside.json()["outcome"] == "pending" and inside.json()["fulfilled"] is False
    outside = api.post(
        "/api/v1/deliverables/",
        {
            "contract": contract.pk,
            "description": "Informe final",
            "due_date": (today() + dt.timedelta(days=60)).isoformat(),
        },
        format="json",
    )
    assert outside.status_code == 201 and "fuera de las fechas del contrato" in outside.json()["warnings"][0]


def test_deliverables_are_cancelled_not_deleted(api_as, mine):
    deliverable = DeliverableFactory(contract=ContractFactory(customer=mine), due_date=today())
    url = f"/api/v1/deliverables/{deliverable.pk}/"
    api = api_as("sales_manager")
    assert api.delete(url).status_code == 405
    assert api.post(url + "transition/", {"to": "cancelled"}, format="json").status_code == 400
    assert api.post(url + "transition/", {"to": "delivered"}, format="json").status_code == 409
    cancelled = api.post(url + "transition/", {"to": "cancelled", "note": "Fuera de alcance"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["outcome"] == "cancelled"


def test_account_managers_plan_only_their_customers_deliverables(api_as, users):
    theirs = ContractFactory(customer=CustomerFactory(account_manager=users["bob"]))
    body = {"contract": theirs.pk, "description": "X", "due_date": today().isoformat()}
    assert api_as("account_manager").post("/api/v1/deliverables/", body, format="json").status_code == 403
    assert api_as("operations").post("/api/v1/deliverables/", body, format="json").status_code == 403


# --- deliveries ---------------------------------------------------------------------------------


@pytest.fixture
def due(mine):
    return DeliverableFactory(
        contract=ContractFactory(customer=mine, start_date=today() - dt.timedelta(days=60)), due_date=today()
    )


def test_operations_record_deliveries_and_the_deliverable_follows(api_as, due):
    api = api_as("operations")
    nonconforming = api.post(
        "/api/v1/deliveries/",
        {
            "deliverable": due.pk,
            "delivered_on": today().isoformat(),
            "conforming": False,
            "nonconformity": "Faltan firmas",
            "severity": "medium",
            "deliverable_version": due.lock_version,
        },
        format="json",
    )
    assert nonconforming.status_code == 201, nonconforming.json()
    assert nonconforming.json()["on_time"] is True and nonconforming.json()["recorded_by"]
    assert api.get(f"/api/v1/deliverables/{due.pk}/").json()["status"] == "pending"
    conforming = api.post(
        "/api/v1/deliveries/", {"deliverable": due.pk, "delivered_on": today().isoformat()}, format="json"
    )
    assert conforming.status_code == 201
    deliverable = api.get(f"/api/v1/deliverables/{due.pk}/").json()
    assert deliverable["status"] == "delivered" and deliverable["fulfilled"] is True
    assert deliverable["outcome"] == "on_time"
    again = api.post("/api/v1/deliveries/", {"deliverable": due.pk, "delivered_on": today().isoformat()}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"delivered_on": "2099-01-01"},
        {"delivered_on": "2000-01-01"},
        {"delivered_on": "ayer"},
        {"conforming": False},
    ],
)
def test_bad_deliveries_are_a_400_and_change_nothing(api_as, due, body):
    data = {"deliverable": due.pk, "delivered_on": today().isoformat(), **body}
    response = api_as("operations").post("/api/v1/deliveries/", data, format="json")
    assert response.status_code == 400 and set(response.json()) & {"delivered_on", "nonconformity"}
    assert not Delivery.objects.exists()


def test_a_stale_deliverable_version_is_a_409_not_a_duplicate(api_as, due):
    body = {
        "deliverable": due.pk,
        "delivered_on": today().isoformat(),
        "conforming": False,
        "nonconformity": "Incompleto",
        "severity": "low",
        "deliverable_version": due.lock_version,
    }
    api = api_as("operations")
    assert api.post("/api/v1/deliveries/", body, format="json").status_code == 201
    assert api.post("/api/v1/deliveries/", body, format="json").status_code == 409
    assert Delivery.objects.count() == 1


def test_deliveries_are_corrected_not_deleted(api_as, users, due):
    delivery = DeliveryFactory(deliverable=due, recorded_by=users["operations"])
    url = f"/api/v1/deliveries/{delivery.pk}/"
    assert api_as("operations").delete(url).status_code == 405
    assert api_as("quality").patch(url, {"notes": "x"}, format="json").status_code == 403
    response = api_as("operations").patch(
        url, {"conforming": False, "nonconformity": "Rechazado", "severity": "high"}, format="json"
    )
    assert response.status_code == 200
    assert api_as("operations").get(f"/api/v1/deliverables/{due.pk}/").json()["status"] == "pending"


def test_who_may_record_a_delivery(api_as, due):
    body = {"deliverable": due.pk, "delivered_on": today().isoformat()}
    for role in ("account_manager", "quality", "management", "customer_service"):
        assert api_as(role).post("/api/v1/deliveries/", body, format="json").status_code == 403
    assert api_as("sales_manager").post("/api/v1/deliveries/", body, format="json").status_code == 201


# --- regulations --------------------------------------------------------------------------------


def test_the_regulations_register(api_as):
    api = api_as("quality")
    created = api.post(
        "/api/v1/regulations/",
        {"code": "NOM-035-STPS-2018", "title": "Factores de riesgo psicosocial", "jurisdiction": "México"},
        format="json",
    )
    assert created.status_code == 201
    assert (
        api.post("/api/v1/regulations/", {"code": "A;B", "title": "x", "jurisdiction": "y"}, format="json").status_code
        == 400
    )
    assert (
        api.post(
            "/api/v1/regulations/", {"code": "NOM-035-STPS-2018", "title": "x", "jurisdiction": "y"}, format="json"
        ).status_code
        == 400
    )
    assert api.delete(f"/api/v1/regulations/{created.json()['id']}/").status_code == 204
    assert Regulation.objects.get().is_archived
    assert api_as("operations").post("/api/v1/regulations/", {"code": "X"}, format="json").status_code == 403


# --- matrix, query counts, schema ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role, expected",
    [
        ("admin", 200),
        ("management", 200),
        ("quality", 200),
        ("sales_manager", 200),
        ("account_manager", 200),
        ("operations", 200),
        ("customer_service", 403),
        ("nobody", 403),
    ],
)
@pytest.mark.parametrize("resource", ["contracts", "deliverables", "deliveries", "regulations"])
def test_who_may_read(api_as, role, expected, resource):
    assert api_as(role).get(f"/api/v1/{resource}/").status_code == expected


@pytest.mark.parametrize("resource", ["contracts", "deliverables", "deliveries"])
def test_lists_need_a_fixed_number_of_queries(api_as, django_assert_max_num_queries, resource):
    def more():
        for _ in range(5):
            DeliveryFactory(deliverable=DeliverableFactory(contract=ContractFactory()))

    api = api_as("sales_manager")
    more()
    api.get(f"/api/v1/{resource}/")
    with django_assert_max_num_queries(15) as few:
        api.get(f"/api/v1/{resource}/")
    more()
    more()
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(f"/api/v1/{resource}/")


def test_the_schema_describes_the_contract_resources(api_as):
    schema = api_as("sales_manager").get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/contracts/",
        "/api/v1/contracts/{id}/transition/",
        "/api/v1/contracts/{id}/review/",
        "/api/v1/deliverables/",
        "/api/v1/deliveries/",
        "/api/v1/regulations/",
    ):
        assert path in schema["paths"]
