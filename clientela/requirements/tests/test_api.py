"""SPEC §5 contract for requirements: CRUD (DELETE archives), transition, confirmation, new version,
versions, filters, search and ordering, permissions and the error codes."""

import pytest
from django.utils import timezone

from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.requirements.models import Requirement
from clientela.requirements.tests.factories import RequirementFactory, advance, confirmed

pytestmark = pytest.mark.django_db
URL = "/api/v1/requirements/"


@pytest.fixture
def customer(users):
    return CustomerFactory(account_manager=users["account_manager"])


def test_a_requirement_has_the_spec_fields(api_as, users, customer):
    requirement = advance(RequirementFactory(customer=customer), users, "approved")
    body = api_as("operations").get(f"{URL}{requirement.pk}/").json()
    assert {
        "id",
        "number",
        "customer",
        "title",
        "description",
        "kind",
        "source",
        "priority",
        "acceptance_criteria",
        "status",
        "version",
        "confirmed_by",
        "confirmed_on",
        "confirmation_method",
        "approved_at",
        "approved_by",
        "is_stuck",
        "vague_terms",
        "lock_version",
    } <= set(body)
    assert (
        body["customer"] == customer.pk
        and body["status"] == "approved"
        and body["approved_by"] == users["sales_manager"].pk
    )
    assert "T" in body["approved_at"] and body["confirmed_on"].count("-") == 2


def test_creating_through_the_api(api_as, users, customer):
    response = api_as("account_manager").post(
        URL,
        {
            "customer": customer.pk,
            "title": "Entrega rápida",
            "description": "Lo antes posible",
            "priority": "must",
            "kind": "explicit",
            "source": "email",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("RQ-") and body["status"] == "draft" and body["version"] == 1
    assert [t["text"] for t in body["vague_terms"]] == ["rápida", "Lo antes posible"]
    assert Requirement.objects.get().created_by == users["account_manager"]


def test_bad_input_is_a_400_with_field_errors(api_as, customer):
    api = api_as("account_manager")
    response = api.post(URL, {"customer": customer.pk, "title": "", "priority": "urgent"}, format="json")
    assert response.status_code == 400 and {"title", "priority"} <= set(response.json())
    huge = api.post(URL, {"customer": customer.pk, "title": "Largo", "description": "x" * 20_000}, format="json")
    assert huge.status_code == 400 and "description" in huge.json()
    assert not Requirement.objects.exists()


def test_an_account_manager_cannot_capture_for_another_customer(api_as, users):
    other = CustomerFactory(account_manager=users["bob"])
    response = api_as("account_manager").post(URL, {"customer": other.pk, "title": "Ajeno"}, format="json")
    assert response.status_code == 403 and not Requirement.objects.exists()


def test_the_whole_life_through_the_api(api_as, users, customer):
    requirement = RequirementFactory(customer=customer)
    contact = ContactFactory(customer=customer)
    api = api_as("account_manager")
    assert api.post(f"{URL}{requirement.pk}/transition/", {"to": "clarifying"}, format="json").status_code == 200
    refused = api.post(f"{URL}{requirement.pk}/transition/", {"to": "validated"}, format="json")
    assert refused.status_code == 409 and "detail" in refused.json()
    confirm = api.post(
        f"{URL}{requirement.pk}/confirmation/",
        {"confirmed_by": contact.pk, "confirmed_on": timezone.localdate().isoformat(), "method": "meeting"},
        format="json",
    )
    assert confirm.status_code == 200 and confirm.json()["confirmed_by"] == contact.pk
    assert api.post(f"{URL}{requirement.pk}/transition/", {"to": "validated"}, format="json").status_code == 200
    assert api.post(f"{URL}{requirement.pk}/transition/", {"to": "approved"}, format="json").status_code == 403
    approved = api_as("sales_manager").post(f"{URL}{requirement.pk}/transition/", {"to": "approved"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_an_illegal_move_is_a_409(api_as, customer):
    requirement = RequirementFactory(customer=customer)
    api = api_as("sales_manager")
    assert api.post(f"{URL}{requirement.pk}/transition/", {"to": "fulfilled"}, format="json").status_code == 409
    assert api.post(f"{URL}{requirement.pk}/transition/", {"to": "nonsense"}, format="json").status_code == 409
    assert api.post(f"{URL}{requirement.pk}/transition/", {}, format="json").status_code == 400


def test_an_agreed_requirement_is_not_edited_in_place_but_versioned(api_as, users, customer):
    requirement = advance(RequirementFactory(customer=customer), users, "approved")
    api = api_as("account_manager")
    refused = api.patch(f"{URL}{requirement.pk}/", {"title": "Otro"}, format="json")
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "nueva versión" in detail or "new version" in detail.lower()
    response = api.post(
        f"{URL}{requirement.pk}/new-version/",
        {"title": "Plazo de 24 horas", "change_reason": "Lo pide el cliente"},
        format="json",
    )
    assert response.status_code == 200 and (response.json()["version"], response.json()["status"]) == (2, "clarifying")
    versions = api.get(f"{URL}{requirement.pk}/versions/").json()
    assert [(v["version"], v["status"], v["change_reason"]) for v in versions] == [
        (1, "approved", ""),
        (2, "clarifying", "Lo pide el cliente"),
    ]
    assert versions[0]["superseded_at"] and versions[1]["superseded_at"] is None
    missing = api.post(f"{URL}{requirement.pk}/new-version/", {"title": "x"}, format="json")
    assert missing.status_code == 400 and "change_reason" in missing.json()


def test_a_stale_lock_version_is_a_409(api_as, users, customer):
    requirement = RequirementFactory(customer=customer)
    api = api_as("account_manager")
    first = api.patch(
        f"{URL}{requirement.pk}/", {"title": "Uno", "lock_version": requirement.lock_version}, format="json"
    )
    assert first.status_code == 200
    stale = api.patch(
        f"{URL}{requirement.pk}/", {"title": "Dos", "lock_version": requirement.lock_version}, format="json"
    )
    assert stale.status_code == 409
    requirement.refresh_from_db()
    assert requirement.title == "Uno"


def test_delete_archives_drafts_and_refuses_commitments(api_as, users, customer):
    draft = RequirementFactory(customer=customer)
    approved = advance(RequirementFactory(customer=customer), users, "approved")
    api = api_as("account_manager")
    assert api.delete(f"{URL}{draft.pk}/").status_code == 204
    draft.refresh_from_db()
    assert draft.archived_at is not None
    assert api.delete(f"{URL}{approved.pk}/").status_code == 409


def test_filters_search_and_moscow_ordering(api_as, users, customer):
    RequirementFactory(customer=customer, title="Podría", priority="could", search_text="rq podria")
    RequirementFactory(customer=customer, title="Debe", priority="must", search_text="rq debe")
    RequirementFactory(title="Otro cliente", priority="should", search_text="rq otro")
    api = api_as("quality")
    assert [r["title"] for r in api.get(URL, {"customer": customer.pk, "ordering": "priority"}).json()["results"]] == [
        "Debe",
        "Podría",
    ]
    assert [r["title"] for r in api.get(URL, {"ordering": "-priority"}).json()["results"]][0] == "Podría"
    assert [r["title"] for r in api.get(URL, {"priority": "should"}).json()["results"]] == ["Otro cliente"]
    assert [r["title"] for r in api.get(URL, {"search": "PODRIA"}).json()["results"]] == ["Podría"]
    assert api.get(URL, {"status": ["draft", "clarifying"]}).json()["count"] == 3
    assert api.get(URL, {"status": "nonsense"}).status_code == 400
    assert api.get(URL, {"kind": "explicit", "page_size": 2}).json()["count"] == 3


def test_the_stuck_filter(api_as, users, customer):
    import datetime as dt

    stuck = advance(RequirementFactory(customer=customer), users, "clarifying")
    Requirement.objects.filter(pk=stuck.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=40))
    advance(RequirementFactory(customer=customer), users, "clarifying")
    body = api_as("quality").get(URL, {"stuck": "true"}).json()
    assert [r["id"] for r in body["results"]] == [stuck.pk] and body["results"][0]["is_stuck"] is True


def test_the_list_needs_a_fixed_number_of_queries(api_as, users, django_assert_max_num_queries):
    api = api_as("quality")
    RequirementFactory()
    api.get(URL)
    with django_assert_max_num_queries(12) as few:
        api.get(URL)
    for _ in range(15):
        confirmed(RequirementFactory(), users["sales_manager"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(URL)


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("admin", 200, 200),
        ("management", 200, 403),
        ("quality", 200, 403),
        ("sales_manager", 200, 200),
        ("account_manager", 200, 200),
        ("bob", 200, 403),
        ("customer_service", 200, 403),
        ("operations", 200, 403),
        ("nobody", 403, 403),
    ],
)
def test_who_may_read_and_change_through_the_api(api_as, customer, role, read, write):
    requirement = RequirementFactory(customer=customer)
    api = api_as(role)
    assert api.get(URL).status_code == read
    assert api.get(f"{URL}{requirement.pk}/").status_code == (read if read == 200 else 403)
    assert api.get(f"{URL}{requirement.pk}/versions/").status_code == (read if read == 200 else 403)
    assert api.patch(f"{URL}{requirement.pk}/", {"source_reference": "Acta"}, format="json").status_code == write
    assert api.post(f"{URL}{requirement.pk}/transition/", {"to": "clarifying"}, format="json").status_code in (
        (200,) if write == 200 else (403,)
    )


def test_an_unknown_requirement_is_a_404(api_as):
    assert api_as("quality").get(f"{URL}999999/").status_code == 404
