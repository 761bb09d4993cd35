"""SPEC §5 contract for customers, contacts and interactions."""

import pytest
from rest_framework.test import APIClient

from clientela.customers.models import Customer
from clientela.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def test_a_token_is_obtained_with_username_and_password(users):
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "sara", "password": "correct horse battery"}, format="json")
    assert response.status_code == 200 and set(response.json()) == {"token"}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api.get(URL).status_code == 200


def test_wrong_credentials_are_a_400_and_never_a_token(users):
    response = APIClient().post("/api/v1/auth/token/", {"username": "sara", "password": "nope"}, format="json")
    assert response.status_code == 400 and "token" not in response.json()


def test_without_credentials_the_api_answers_401(db):
    response = APIClient().get(URL)
    assert response.status_code == 401 and response.json()["detail"]
    assert APIClient(HTTP_AUTHORIZATION="Bearer nonsense").get(URL).status_code == 401


def test_lists_are_paginated_with_the_spec_shape(api_as):
    for n in range(7):
        CustomerFactory(name=f"Cliente {n}")
    body = api_as("sales_manager").get(URL, {"page_size": 3, "page": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 7 and len(body["results"]) == 3 and body["next"] and body["previous"]


@pytest.mark.parametrize("size", ["0", "501", "abc"])
def test_a_bad_page_size_is_a_400(api_as, size):
    response = api_as("sales_manager").get(URL, {"page_size": size})
    assert response.status_code == 400 and "page_size" in response.json()


def test_filters_search_and_ordering(api_as, users):
    CustomerFactory(
        name="Bodegas Álava", status="active", country="ES", search_text="bodegas alava", account_manager=users["bob"]
    )
    CustomerFactory(name="Zapatería", status="former", country="MX", search_text="zapateria")
    api = api_as("sales_manager")
    assert [c["name"] for c in api.get(URL, {"status": "former"}).json()["results"]] == ["Zapatería"]
    assert [c["name"] for c in api.get(URL, {"search": "alava"}).json()["results"]] == ["Bodegas Álava"]
    assert [c["name"] for c in api.get(URL, {"account_manager": users["bob"].pk}).json()["results"]] == [
        "Bodegas Álava"
    ]
    assert [c["name"] for c in api.get(URL, {"ordering": "-name"}).json()["results"]] == ["Zapatería", "Bodegas Álava"]
    assert api.get(URL, {"status": "nonsense"}).status_code == 400


def test_a_customer_has_the_spec_fields_with_ids_and_iso_dates(api_as, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    body = api_as("quality").get(f"{URL}{customer.pk}/").json()
    assert {
        "id",
        "code",
        "name",
        "kind",
        "tax_id",
        "email",
        "phone",
        "address",
        "country",
        "segment",
        "status",
        "account_manager",
        "created_at",
    } <= set(body)
    assert body["account_manager"] == users["account_manager"].pk
    assert "T" in body["created_at"] and ("+" in body["created_at"] or body["created_at"].endswith("Z"))


def test_create_validates_and_answers_field_errors(api_as):
    api = api_as("sales_manager")
    response = api.post(URL, {"name": "Acme", "email": "nope"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"email"}
    response = api.post(URL, {"name": "Acme", "tax_id": "B00000001"}, format="json")
    assert response.status_code == 400 and "no es un NIF/CIF/NIE válido" in response.json()["tax_id"][0]
    response = api.post(URL, {"name": "Acme", "tax_id": "b-58378431", "country": "ES"}, format="json")
    assert response.status_code == 201
    assert response.json()["tax_id"] == "B58378431" and response.json()["code"].startswith("CLI-")
    duplicate = api.post(URL, {"name": "Otra", "tax_id": "B58378431"}, format="json")
    assert duplicate.status_code == 400


@pytest.mark.parametrize(
    "payload", [[], "texto", {"name": None}, {"name": "x" * 5000}, {"name": "ok", "status": ["a"]}, {"name": "ok\x00"}]
)
def test_malformed_bodies_never_cause_a_500(api_as, payload):
    response = api_as("sales_manager").post(URL, payload, format="json")
    assert response.status_code == 400
    assert Customer.objects.count() == 0


def test_a_stale_version_is_a_409(api_as):
    customer = CustomerFactory()
    api = api_as("sales_manager")
    version = api.get(f"{URL}{customer.pk}/").json()["lock_version"]
    assert (
        api.patch(f"{URL}{customer.pk}/", {"name": "Primero", "lock_version": version}, format="json").status_code
        == 200
    )
    response = api.patch(f"{URL}{customer.pk}/", {"name": "Segundo", "lock_version": version}, format="json")
    assert response.status_code == 409 and "detail" in response.json()


def test_delete_archives(api_as):
    customer = CustomerFactory()
    assert api_as("account_manager").delete(f"{URL}{customer.pk}/").status_code == 403
    assert api_as("sales_manager").delete(f"{URL}{customer.pk}/").status_code == 204
    customer.refresh_from_db()
    assert customer.archived_at is not None


def test_roles_are_enforced(api_as, users):
    mine = CustomerFactory(account_manager=users["account_manager"])
    other = CustomerFactory(account_manager=users["bob"])
    api = api_as("account_manager")
    assert api.patch(f"{URL}{mine.pk}/", {"segment": "Nuevo"}, format="json").status_code == 200
    assert api.patch(f"{URL}{other.pk}/", {"segment": "Nuevo"}, format="json").status_code == 403
    assert api.patch(f"{URL}{mine.pk}/", {"account_manager": users["bob"].pk}, format="json").status_code == 403
    assert api_as("customer_service").post(URL, {"name": "X"}, format="json").status_code == 403
    assert api_as("operations").get(URL).status_code == 200
    assert api_as("nobody").get(URL).status_code == 403
    assert api.get(f"{URL}999999/").status_code == 404


def test_contacts_and_interactions(api_as, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    api = api_as("account_manager")
    contact = api.post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "first_name": "Ana", "email": "ANA@x.es", "survey_consent": True},
        format="json",
    )
    assert contact.status_code == 201 and contact.json()["email"] == "ana@x.es" and contact.json()["survey_consent_at"]
    other = CustomerFactory(account_manager=users["bob"])
    assert api.post("/api/v1/contacts/", {"customer": other.pk, "first_name": "Eva"}, format="json").status_code == 403
    service = api_as("customer_service")
    interaction = service.post(
        "/api/v1/interactions/",
        {
            "customer": other.pk,
            "channel": "phone",
            "direction": "inbound",
            "occurred_at": "2026-01-15T10:30:00+01:00",
            "subject": "Llamada",
        },
        format="json",
    )
    assert interaction.status_code == 201, interaction.json()
    assert interaction.json()["user"] == users["customer_service"].pk
    assert service.get("/api/v1/interactions/", {"customer": other.pk}).json()["count"] == 1
    bad = service.post("/api/v1/interactions/", {"customer": other.pk, "channel": "fax", "subject": "x"}, format="json")
    assert bad.status_code == 400 and "channel" in bad.json()


def test_lists_do_not_query_per_row(api_as, django_assert_max_num_queries):
    api = api_as("sales_manager")
    for _ in range(3):
        InteractionFactory(contact=ContactFactory())
    api.get("/api/v1/interactions/")
    with django_assert_max_num_queries(8) as few:
        api.get("/api/v1/interactions/")
    for _ in range(20):
        InteractionFactory(contact=ContactFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/interactions/")


def test_the_openapi_schema_describes_the_resources(api_as):
    schema = api_as("sales_manager").get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/customers/", "/api/v1/contacts/", "/api/v1/interactions/", "/api/v1/auth/token/"):
        assert path in schema["paths"]
