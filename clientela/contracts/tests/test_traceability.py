"""Traceability on the contract's side (SPEC §3.6 "linked requirements"): the contract's traceability
tab and its export, the requirements a deliverable satisfies on its page and in the API, and tracing
them from the deliverable."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory, DeliveryFactory
from clientela.customers.tests.factories import CustomerFactory
from clientela.requirements.tests.factories import RequirementFactory, advance, traced

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(users):
    return CustomerFactory(name="Clínica del Sur", account_manager=users["account_manager"])


@pytest.fixture
def contract(customer):
    return ContractFactory(customer=customer, title="Mantenimiento de equipos de electromedicina")


@pytest.fixture
def matrix_data(users, customer, contract):
    today = timezone.localdate()
    review = DeliverableFactory(contract=contract, description="Revisión trimestral de quirófanos", due_date=today)
    DeliveryFactory(deliverable=review, delivered_on=today)
    pending = DeliverableFactory(contract=contract, description="Revisión de la UCI", due_date=today)
    done = traced(
        advance(
            RequirementFactory(customer=customer, contract=contract, title="Seguridad eléctrica"), users, "approved"
        ),
        review,
    )
    gap = advance(
        RequirementFactory(customer=customer, contract=contract, title="Respuesta en 4 horas"), users, "approved"
    )
    return {"review": review, "pending": pending, "done": done, "gap": gap}


def tab(client, contract):
    return client.get(reverse("contracts:detail", args=[contract.pk]), {"tab": "traceability"})


# --- the contract's traceability tab -------------------------------------------------------------------


def test_the_contract_has_a_traceability_tab(client_as, contract, matrix_data):
    page = tab(client_as("quality"), contract)
    assert page.status_code == 200 and "traceability" in [key for key, _label in page.context["tabs"]]
    matrix = page.context["matrix"]
    assert [row.requirement.title for row in matrix.rows] == ["Seguridad eléctrica", "Respuesta en 4 horas"]
    assert [row.requirement for row in matrix.gaps] == [matrix_data["gap"]]
    text = page.text
    assert "Revisión trimestral de quirófanos" in text and matrix_data["gap"].number in text
    assert 'scope="row"' in text and 'scope="col"' in text and "<caption" in text
    assert str(matrix.rows[0].coverage_label) in text  # the coverage is said in words, not only by colour


def test_the_tab_loads_alone_for_htmx(client_as, contract, matrix_data):
    response = client_as("quality").get(
        reverse("contracts:detail", args=[contract.pk]),
        {"tab": "traceability"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="tab-content",
    )
    assert "<html" not in response.text and "Seguridad eléctrica" in response.text


def test_the_tab_needs_the_same_queries_with_more_requirements(
    client_as, users, customer, contract, matrix_data, django_assert_max_num_queries
):
    client = client_as("sales_manager")
    tab(client, contract)
    with django_assert_max_num_queries(40) as few:
        tab(client, contract)
    for n in range(10):
        deliverable = DeliverableFactory(contract=contract, description=f"Revisión {n}")
        DeliveryFactory(deliverable=deliverable)
        traced(RequirementFactory(customer=customer, contract=contract), deliverable, matrix_data["pending"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(tab(client, contract).context["matrix"].rows) == 12


def test_who_traces_gets_the_links_to_do_it(client_as, contract, matrix_data):
    trace_url = reverse("requirements:trace", args=[matrix_data["gap"].pk])
    assert trace_url in tab(client_as("account_manager"), contract).text
    assert trace_url not in tab(client_as("operations"), contract).text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_matrix_exports(client_as, contract, matrix_data, fmt):
    response = client_as("quality").get(reverse("contracts:traceability_export", args=[contract.pk, fmt]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and contract.number.lower() in response["Content-Disposition"]
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        assert matrix_data["done"].number in text and "Revisión trimestral de quirófanos" in text
    else:
        rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
        assert [r[0] for r in rows[1:]] == [matrix_data["done"].number, matrix_data["gap"].number]
        assert rows[2][8] is None  # the gap has no deliverable


@pytest.mark.parametrize(
    ("role", "page", "export"),
    [
        ("management", 200, 200),
        ("quality", 200, 200),
        ("sales_manager", 200, 200),
        ("account_manager", 200, 200),
        ("operations", 200, 403),
        ("customer_service", 403, 403),
        ("nobody", 403, 403),
    ],
)
def test_who_sees_and_exports_the_matrix(client_as, contract, matrix_data, role, page, export):
    client = client_as(role)
    assert tab(client, contract).status_code == page
    assert client.get(reverse("contracts:traceability_export", args=[contract.pk, "csv"])).status_code == export


def test_an_unknown_export_format_is_a_404(client_as, contract):
    assert (
        client_as("quality").get(reverse("contracts:traceability_export", args=[contract.pk, "pdf"])).status_code == 404
    )


# --- the deliverable's page ------------------------------------------------------------------------------


def test_the_deliverable_page_lists_the_requirements_it_satisfies(client_as, matrix_data):
    page = client_as("operations").get(reverse("contracts:deliverable_detail", args=[matrix_data["review"].pk]))
    assert page.context["requirements"] == [matrix_data["done"]]
    assert matrix_data["done"].number in page.text
    assert reverse("contracts:deliverable_trace", args=[matrix_data["review"].pk]) not in page.text


def test_tracing_from_the_deliverable_page(client_as, users, customer, contract, matrix_data):
    other_contract_requirement = RequirementFactory(customer=customer, title="De otro contrato")
    advance(RequirementFactory(customer=customer, contract=contract, title="Retirado"), users, "withdrawn")
    client = client_as("account_manager")
    url = reverse("contracts:deliverable_trace", args=[matrix_data["pending"].pk])
    form = client.get(url).context["form"]
    groups = form.groups()
    own = [o.data["value"].instance.title for o in groups[0]["options"]]
    assert own == ["Seguridad eléctrica", "Respuesta en 4 horas"]  # this contract's first, no withdrawn one
    assert [o.data["value"].instance for o in groups[1]["options"]] == [other_contract_requirement]
    response = client.post(url, {"requirements": [matrix_data["gap"].pk, other_contract_requirement.pk]})
    assert response.status_code == 302
    assert set(matrix_data["pending"].requirements.all()) == {matrix_data["gap"], other_contract_requirement}
    page = client.get(url)
    assert set(page.context["form"].initial["requirements"]) == {matrix_data["gap"].pk, other_contract_requirement.pk}


def test_a_requirement_of_another_customer_cannot_be_ticked(client_as, users, matrix_data):
    foreign = RequirementFactory(customer=CustomerFactory(account_manager=users["account_manager"]))
    response = client_as("account_manager").post(
        reverse("contracts:deliverable_trace", args=[matrix_data["pending"].pk]), {"requirements": [foreign.pk]}
    )
    assert response.status_code == 200 and "requirements" in response.context["form"].errors
    assert not matrix_data["pending"].requirements.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("sales_manager", 200), ("account_manager", 200), ("bob", 403), ("operations", 403), ("quality", 403)],
)
def test_who_may_trace_from_the_deliverable(client_as, matrix_data, role, expected):
    url = reverse("contracts:deliverable_trace", args=[matrix_data["pending"].pk])
    assert client_as(role).get(url).status_code == expected


# --- API -----------------------------------------------------------------------------------------------------


def test_deliverables_show_their_requirements_in_the_api(api_as, matrix_data):
    api = api_as("operations")
    body = api.get(f"/api/v1/deliverables/{matrix_data['review'].pk}/").json()
    assert body["requirements"] == [matrix_data["done"].pk]
    listed = api.get("/api/v1/deliverables/", {"requirement": matrix_data["done"].pk}).json()["results"]
    assert [d["id"] for d in listed] == [matrix_data["review"].pk]


def test_tracing_a_deliverable_through_the_api(api_as, users, matrix_data):
    url = f"/api/v1/deliverables/{matrix_data['pending'].pk}/trace/"
    response = api_as("account_manager").post(url, {"requirements": [matrix_data["gap"].pk]}, format="json")
    assert response.status_code == 200 and response.json()["requirements"] == [matrix_data["gap"].pk]
    foreign = RequirementFactory(customer=CustomerFactory())
    refused = api_as("sales_manager").post(url, {"requirements": [foreign.pk]}, format="json")
    assert refused.status_code == 400 and "requirements" in refused.json()
    assert api_as("operations").post(url, {"requirements": []}, format="json").status_code == 403
    assert api_as("bob").post(url, {"requirements": []}, format="json").status_code == 403


def test_the_deliverables_list_needs_the_same_queries_with_more_requirements(
    api_as, customer, contract, matrix_data, django_assert_max_num_queries
):
    api = api_as("quality")
    api.get("/api/v1/deliverables/")
    with django_assert_max_num_queries(30) as few:
        api.get("/api/v1/deliverables/")
    for _ in range(6):
        traced(RequirementFactory(customer=customer), matrix_data["pending"], DeliverableFactory(contract=contract))
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/deliverables/")


# --- the contract's customer -------------------------------------------------------------------------------


def test_a_draft_contract_keeps_its_customer_once_requirements_depend_on_it(users, customer):
    from django.core.exceptions import ValidationError

    from clientela.contracts import services

    other = CustomerFactory(account_manager=users["account_manager"])
    linked = ContractFactory(customer=customer, status="draft")
    RequirementFactory(customer=customer, contract=linked)
    traced_only = ContractFactory(customer=customer, status="draft")
    traced(RequirementFactory(customer=customer), DeliverableFactory(contract=traced_only))
    for contract in (linked, traced_only):
        with pytest.raises(ValidationError) as refused:
            services.contract_update(actor=users["sales_manager"], contract=contract, data={"customer": other})
        assert "customer" in refused.value.message_dict
    free = ContractFactory(customer=customer, status="draft")
    assert (
        services.contract_update(actor=users["sales_manager"], contract=free, data={"customer": other}).customer
        == other
    )
