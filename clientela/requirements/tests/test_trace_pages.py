"""Traceability on the requirement's side: the contract in the capture form, the section of the
requirement's page, the page that traces it to deliverables, the register's filters, the customer's
document and the API (`contract`, `deliverables`, `POST …/trace/`)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory, DeliveryFactory
from clientela.customers.tests.factories import CustomerFactory
from clientela.requirements.models import Requirement
from clientela.requirements.tests.factories import RequirementFactory, advance, traced

pytestmark = pytest.mark.django_db
URL = "/api/v1/requirements/"


@pytest.fixture
def customer(users):
    return CustomerFactory(name="Bodegas Álava S.A.", account_manager=users["account_manager"])


@pytest.fixture
def contract(customer):
    return ContractFactory(customer=customer, title="Suministro de botellas 2026")


@pytest.fixture
def deliverables(contract):
    today = timezone.localdate()
    done = DeliverableFactory(contract=contract, description="Lote de botellas de marzo", due_date=today)
    DeliveryFactory(deliverable=done, delivered_on=today)
    return [done, DeliverableFactory(contract=contract, description="Lote de botellas de abril", due_date=today)]


@pytest.fixture
def requirement(customer, contract):
    return RequirementFactory(customer=customer, contract=contract, title="Botella de 75 cl con certificado")


# --- capture and edit -----------------------------------------------------------------------------


def test_the_capture_form_offers_the_chosen_customers_contracts(client_as, users, customer, contract):
    other = ContractFactory(customer=CustomerFactory(account_manager=users["account_manager"]))
    ContractFactory(customer=customer, status="cancelled")
    client = client_as("account_manager")
    blank = client.get(reverse("requirements:create")).context["form"]
    assert not blank.fields["contract"].queryset.exists()
    assert blank.fields["customer"].widget.attrs["hx-get"] == reverse("requirements:create")
    form = client.get(reverse("requirements:create"), {"customer": customer.pk, "contract": contract.pk}).context[
        "form"
    ]
    assert list(form.fields["contract"].queryset) == [contract] and form.initial["contract"] == contract.pk
    data = {"customer": customer.pk, "title": "Ajeno", "kind": "explicit", "priority": "must", "source": "meeting"}
    refused = client.post(reverse("requirements:create"), {**data, "contract": other.pk})
    assert "contract" in refused.context["form"].errors and not Requirement.objects.exists()
    client.post(reverse("requirements:create"), {**data, "title": "Propio", "contract": contract.pk})
    assert Requirement.objects.get().contract == contract


def test_the_contract_of_an_approved_requirement_is_changed_in_its_edit_page(client_as, users, requirement):
    requirement = advance(requirement, users, "approved")
    renewal = ContractFactory(customer=requirement.customer, title="Suministro 2027")
    client = client_as("account_manager")
    form = client.get(reverse("requirements:edit", args=[requirement.pk])).context["form"]
    assert not form.fields["contract"].disabled and form.fields["title"].disabled
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields and not form.fields[k].disabled}
    data.update(contract=renewal.pk, lock_version=requirement.lock_version)
    assert client.post(reverse("requirements:edit", args=[requirement.pk]), data).status_code == 302
    requirement.refresh_from_db()
    assert (requirement.contract, requirement.status) == (renewal, "approved")


# --- the requirement's page and its trace page ---------------------------------------------------------


def test_the_requirement_page_shows_what_satisfies_it(client_as, users, requirement, deliverables, contract):
    traced(advance(requirement, users, "approved"), *deliverables)
    page = client_as("operations").get(requirement.get_absolute_url())
    row = page.context["trace"]
    assert row.coverage == "partial" and [d.id for d in row.deliverables] == [d.pk for d in deliverables]
    assert "Lote de botellas de marzo" in page.text and contract.number in page.text
    assert reverse("contracts:deliverable_detail", args=[deliverables[0].pk]) in page.text
    assert reverse("requirements:trace", args=[requirement.pk]) not in page.text  # operations may not trace


def test_an_agreed_must_have_with_nothing_traced_is_flagged_as_a_gap(client_as, users, requirement):
    requirement = advance(requirement, users, "approved")
    page = client_as("account_manager").get(requirement.get_absolute_url())
    assert page.context["trace"].gap and 'role="status"' in page.text
    assert reverse("requirements:trace", args=[requirement.pk]) in page.text


def test_a_customer_service_agent_sees_the_deliverables_without_links_to_contracts(
    client_as, requirement, deliverables
):
    traced(requirement, deliverables[0])
    page = client_as("customer_service").get(requirement.get_absolute_url())
    assert "Lote de botellas de marzo" in page.text
    assert reverse("contracts:deliverable_detail", args=[deliverables[0].pk]) not in page.text


def test_tracing_from_the_requirement_page(client_as, requirement, deliverables):
    client = client_as("account_manager")
    page = client.get(reverse("requirements:trace", args=[requirement.pk]))
    groups = page.context["form"].groups()
    assert [g["contract"] for g in groups] == [requirement.contract]
    assert [o.data["value"].instance for o in groups[0]["options"]] == deliverables
    response = client.post(
        reverse("requirements:trace", args=[requirement.pk]),
        {"deliverables": [deliverables[1].pk], "lock_version": requirement.lock_version},
    )
    assert response.status_code == 302 and response.url.endswith("#trace-h")
    assert list(requirement.deliverables.all()) == [deliverables[1]]


def test_a_deliverable_of_another_customer_cannot_be_ticked(client_as, users, requirement):
    foreign = DeliverableFactory(contract=ContractFactory(customer=CustomerFactory(account_manager=users["bob"])))
    response = client_as("sales_manager").post(
        reverse("requirements:trace", args=[requirement.pk]),
        {"deliverables": [foreign.pk], "lock_version": requirement.lock_version},
    )
    assert response.status_code == 200 and "deliverables" in response.context["form"].errors
    assert not requirement.deliverables.exists()


def test_a_stale_trace_page_keeps_the_choice_and_says_who_changed_it(client_as, users, requirement, deliverables):
    from clientela.requirements import services

    stale = requirement.lock_version
    services.requirement_update(actor=users["admin"], requirement=requirement, data={"title": "Otro título"})
    response = client_as("account_manager").post(
        reverse("requirements:trace", args=[requirement.pk]),
        {"deliverables": [deliverables[0].pk], "lock_version": stale},
    )
    assert response.status_code == 200 and "Ada Admin" in response.text
    assert not requirement.deliverables.exists()


def test_a_withdrawn_requirement_is_not_offered_tracing(client_as, users, requirement, deliverables):
    requirement = advance(requirement, users, "withdrawn")
    client = client_as("sales_manager")
    assert reverse("requirements:trace", args=[requirement.pk]) not in client.get(requirement.get_absolute_url()).text
    response = client.post(
        reverse("requirements:trace", args=[requirement.pk]),
        {"deliverables": [deliverables[0].pk], "lock_version": requirement.lock_version},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not requirement.deliverables.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("sales_manager", 200),
        ("account_manager", 200),
        ("bob", 403),
        ("management", 403),
        ("quality", 403),
        ("customer_service", 403),
        ("operations", 403),
        ("nobody", 403),
    ],
)
def test_who_may_trace_a_requirement(client_as, requirement, deliverables, role, expected):
    client = client_as(role)
    assert client.get(reverse("requirements:trace", args=[requirement.pk])).status_code == expected
    response = client.post(
        reverse("requirements:trace", args=[requirement.pk]),
        {"deliverables": [deliverables[0].pk], "lock_version": requirement.lock_version},
    )
    assert response.status_code == (302 if expected == 200 else 403)
    assert requirement.deliverables.exists() is (expected == 200)


def test_the_detail_page_needs_the_same_queries_with_more_deliverables(
    client_as, users, requirement, contract, django_assert_max_num_queries
):
    requirement = advance(requirement, users, "approved")
    traced(requirement, DeliverableFactory(contract=contract))
    client = client_as("sales_manager")
    client.get(requirement.get_absolute_url())
    with django_assert_max_num_queries(40) as few:
        client.get(requirement.get_absolute_url())
    for n in range(6):
        deliverable = DeliverableFactory(contract=contract, due_date=dt.date(2026, 2, 1) + dt.timedelta(days=n))
        DeliveryFactory(deliverable=deliverable)
        traced(requirement, deliverable)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(requirement.get_absolute_url())


# --- the register and the customer's document ------------------------------------------------------------


def test_the_register_filters_by_contract_and_by_traceability(client_as, customer, requirement, deliverables):
    traced(requirement, deliverables[0])
    RequirementFactory(customer=customer, title="Sin contrato ni entregable")
    client = client_as("quality")
    page = client.get(reverse("requirements:list"), {"contract": requirement.contract_id})
    assert [r.pk for r in page.context["object_list"]] == [requirement.pk]
    untraced = client.get(reverse("requirements:list"), {"traced": "no"})
    assert [r.title for r in untraced.context["object_list"]] == ["Sin contrato ni entregable"]
    assert [r.pk for r in client.get(reverse("requirements:list"), {"traced": "yes"}).context["object_list"]] == [
        requirement.pk
    ]


def test_the_customers_document_shows_the_traceability(client_as, users, customer, requirement, deliverables):
    traced(advance(requirement, users, "approved"), deliverables[0])
    advance(RequirementFactory(customer=customer, title="Sin trazar"), users, "approved")
    response = client_as("quality").get(reverse("requirements:document", args=[customer.pk, "pdf"]))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Lote de botellas de marzo" in text and requirement.contract.number in text
    workbook = client_as("quality").get(reverse("requirements:document", args=[customer.pk, "xlsx"]))
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active.iter_rows(values_only=True))
    traced_row = next(r for r in rows if r[0] == requirement.number)
    assert any("Lote de botellas de marzo" in str(cell) for cell in traced_row)


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_shows_the_contract_and_the_deliverables(api_as, requirement, deliverables):
    traced(requirement, *deliverables)
    body = api_as("operations").get(f"{URL}{requirement.pk}/").json()
    assert body["contract"] == requirement.contract_id
    assert sorted(body["deliverables"]) == sorted(d.pk for d in deliverables)


def test_tracing_through_the_api(api_as, requirement, deliverables):
    api = api_as("account_manager")
    response = api.post(f"{URL}{requirement.pk}/trace/", {"deliverables": [deliverables[0].pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["deliverables"] == [deliverables[0].pk]
    cleared = api.post(f"{URL}{requirement.pk}/trace/", {"deliverables": []}, format="json")
    assert cleared.status_code == 200 and cleared.json()["deliverables"] == []


def test_bad_traces_through_the_api(api_as, users, requirement, deliverables):
    api = api_as("sales_manager")
    foreign = DeliverableFactory(contract=ContractFactory(customer=CustomerFactory()))
    other = api.post(f"{URL}{requirement.pk}/trace/", {"deliverables": [foreign.pk]}, format="json")
    assert other.status_code == 400 and "deliverables" in other.json()
    unknown = api.post(f"{URL}{requirement.pk}/trace/", {"deliverables": [999999]}, format="json")
    assert unknown.status_code == 400 and "deliverables" in unknown.json()
    missing = api.post(f"{URL}{requirement.pk}/trace/", {}, format="json")
    assert missing.status_code == 400
    stale = api.post(
        f"{URL}{requirement.pk}/trace/",
        {"deliverables": [deliverables[0].pk], "lock_version": requirement.lock_version - 1},
        format="json",
    )
    assert stale.status_code == 409
    withdrawn = advance(RequirementFactory(customer=requirement.customer), users, "withdrawn")
    refused = api.post(f"{URL}{withdrawn.pk}/trace/", {"deliverables": [deliverables[0].pk]}, format="json")
    assert refused.status_code == 409 and refused.json()["detail"]
    assert not Requirement.deliverables.through.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("sales_manager", 200), ("account_manager", 200), ("bob", 403), ("quality", 403), ("operations", 403)],
)
def test_who_may_trace_through_the_api(api_as, requirement, deliverables, role, expected):
    response = api_as(role).post(f"{URL}{requirement.pk}/trace/", {"deliverables": [deliverables[0].pk]}, format="json")
    assert response.status_code == expected


def test_the_contract_through_the_api(api_as, users, customer, contract):
    api = api_as("account_manager")
    created = api.post(URL, {"customer": customer.pk, "title": "Con contrato", "contract": contract.pk}, format="json")
    assert created.status_code == 201 and created.json()["contract"] == contract.pk
    foreign = ContractFactory(customer=CustomerFactory(account_manager=users["account_manager"]))
    refused = api.patch(f"{URL}{created.json()['id']}/", {"contract": foreign.pk}, format="json")
    assert refused.status_code == 400 and "contract" in refused.json()
    cleared = api.patch(f"{URL}{created.json()['id']}/", {"contract": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["contract"] is None


def test_the_api_filters_by_contract_deliverable_and_traceability(api_as, customer, requirement, deliverables):
    traced(requirement, deliverables[1])
    loose = RequirementFactory(customer=customer)
    api = api_as("quality")

    def ids(**params):
        return [r["id"] for r in api.get(URL, params).json()["results"]]

    assert ids(contract=requirement.contract_id) == [requirement.pk]
    assert ids(deliverable=deliverables[1].pk) == [requirement.pk]
    assert ids(deliverable=deliverables[0].pk) == []
    assert ids(traced="true") == [requirement.pk] and ids(traced="false") == [loose.pk]


def test_the_api_list_needs_the_same_queries_with_more_traces(
    api_as, customer, contract, django_assert_max_num_queries
):
    api = api_as("sales_manager")
    traced(RequirementFactory(customer=customer, contract=contract), DeliverableFactory(contract=contract))
    api.get(URL)
    with django_assert_max_num_queries(30) as few:
        api.get(URL)
    for _ in range(8):
        traced(
            RequirementFactory(customer=customer, contract=contract),
            DeliverableFactory(contract=contract),
            DeliverableFactory(contract=contract),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 9
