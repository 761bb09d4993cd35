"""Contract pages: lists, the contract page and its tabs, forms, deliveries, calendar, compliance."""

import datetime as dt
import decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clientela.contracts import services
from clientela.contracts.models import Contract, Deliverable, Delivery, Regulation
from clientela.contracts.tests.factories import (
    ContractFactory,
    DeliverableFactory,
    DeliveryFactory,
    RegulationFactory,
)
from clientela.core.models import Attachment
from clientela.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def contract(users) -> Contract:
    customer = CustomerFactory(account_manager=users["account_manager"], name="Hospital San Rafael")
    start = today() - dt.timedelta(days=90)
    return ContractFactory(
        customer=customer,
        title="Mantenimiento de quirófanos",
        start_date=start,
        end_date=start + dt.timedelta(days=365),
        owner=users["account_manager"],
    )


# --- lists --------------------------------------------------------------------------------------


def test_the_contract_list_filters_sorts_paginates_and_totals_per_currency(client_as):
    ContractFactory(title="Suministro de reactivos", status="active", currency="MXN", value=decimal.Decimal("1000"))
    ContractFactory(title="Licencia anual", status="draft", value=decimal.Decimal("500"))
    for n in range(30):
        ContractFactory(title=f"Relleno {n:02d}")
    client = client_as("sales_manager")
    page = client.get(reverse("contracts:list"), {"q": "reactivos"})
    assert "Suministro de reactivos" in page.text and "Licencia anual" not in page.text
    assert "MXN" in page.text
    page = client.get(reverse("contracts:list"), {"status": "draft"})
    assert "Licencia anual" in page.text and "Relleno" not in page.text
    assert client.get(reverse("contracts:list"), {"page": 2}).status_code == 200
    assert client.get(reverse("contracts:list"), {"sort": "-value"}).status_code == 200
    results = client.get(reverse("contracts:list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" not in results.text and "Relleno" in results.text


@pytest.mark.parametrize("url_name", ["contracts:list", "contracts:deliverables", "contracts:deliveries"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_exports(client_as, url_name, fmt):
    DeliveryFactory(deliverable=DeliverableFactory(contract=ContractFactory(title="Exportable")))
    response = client_as("management").get(reverse(url_name), {"export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.getvalue()
    assert body[:2] == b"PK" if fmt == "xlsx" else b";" in body


@pytest.mark.parametrize(
    "url_name, make",
    [
        ("contracts:list", lambda: ContractFactory()),
        ("contracts:deliverables", lambda: DeliverableFactory()),
        ("contracts:deliveries", lambda: DeliveryFactory()),
        ("contracts:regulations", lambda: RegulationFactory()),
    ],
)
def test_lists_need_a_fixed_number_of_queries(client_as, django_assert_max_num_queries, url_name, make):
    client = client_as("sales_manager")
    make()
    client.get(reverse(url_name))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse(url_name))
    for _ in range(20):
        make()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(url_name))


def test_the_cct_figure_opens_the_contracts_behind_it(client_as, contract):
    late = DeliverableFactory(contract=contract, due_date=today() - dt.timedelta(days=1))
    assert late.pk
    fine = ContractFactory(title="Contrato cumplido", start_date=contract.start_date, end_date=contract.end_date)
    DeliveryFactory(deliverable=DeliverableFactory(contract=fine, due_date=today() - dt.timedelta(days=1)))
    period = f"{today().year}-Q{(today().month - 1) // 3 + 1}"
    client = client_as("quality")
    failed = client.get(reverse("contracts:list"), {"cct_period": period, "cct": "failed"})
    assert "Mantenimiento de quirófanos" in failed.text and "Contrato cumplido" not in failed.text
    scope = client.get(reverse("contracts:list"), {"cct_period": period, "cct": "scope"})
    assert "Mantenimiento de quirófanos" in scope.text and "Contrato cumplido" in scope.text
    assert client.get(reverse("contracts:list"), {"cct_period": "nonsense"}).status_code == 200


# --- creating and editing -----------------------------------------------------------------------


def contract_form(customer, **extra):
    start = today() - dt.timedelta(days=10)
    return {
        "customer": customer.pk,
        "title": "Servicio de limpieza hospitalaria",
        "kind": "services",
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=364)).isoformat(),
        "value": "24000,50" if extra.pop("comma", False) else "24000.50",
        "currency": "EUR",
        **extra,
    }


def test_an_account_manager_drafts_a_contract_for_their_customer(client_as, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    rgpd = RegulationFactory(code="RGPD")
    client = client_as("account_manager")
    form = client.get(reverse("contracts:create"))
    assert form.status_code == 200 and customer.name in form.text
    response = client.post(reverse("contracts:create"), contract_form(customer, regulations=[rgpd.pk]))
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    assert contract.status == "draft" and contract.owner == users["account_manager"]
    assert contract.value == decimal.Decimal("24000.50") and list(contract.regulations.all()) == [rgpd]


def test_an_account_manager_cannot_draft_for_someone_elses_customer(client_as, users):
    theirs = CustomerFactory(account_manager=users["bob"])
    client = client_as("account_manager")
    assert theirs.name not in client.get(reverse("contracts:create")).text
    response = client.post(reverse("contracts:create"), contract_form(theirs))
    assert response.status_code == 200 and not Contract.objects.exists()


def test_choosing_the_customer_reloads_its_contacts(client_as, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    ContactFactory(customer=customer, first_name="Lucía", last_name="Prieto")
    ContactFactory(first_name="Ajeno", last_name="Otro")
    response = client_as("account_manager").get(
        reverse("contracts:create"), {"customer": customer.pk}, HTTP_HX_REQUEST="true"
    )
    assert "Lucía Prieto" in response.text and "Ajeno" not in response.text


def test_bad_contract_input_shows_messages_and_changes_nothing(client_as, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    data = contract_form(customer, end_date="2000-01-01")
    response = client_as("sales_manager").post(reverse("contracts:create"), data)
    assert response.status_code == 200 and "errorlist" in response.text
    assert not Contract.objects.exists()


def test_editing_warns_when_deliverables_fall_outside_the_new_dates(client_as, contract):
    DeliverableFactory(contract=contract, due_date=contract.end_date)
    client = client_as("sales_manager")
    data = {
        **contract_form(contract.customer),
        "start_date": contract.start_date.isoformat(),
        "end_date": (contract.end_date - dt.timedelta(days=30)).isoformat(),
        "lock_version": contract.lock_version,
    }
    response = client.post(reverse("contracts:edit", args=[contract.pk]), data, follow=True)
    assert response.status_code == 200
    assert "fuera de las fechas del contrato" in response.text


def test_a_stale_edit_is_refused_without_losing_anything(client_as, contract):
    data = {**contract_form(contract.customer), "lock_version": contract.lock_version - 1 or 99}
    response = client_as("sales_manager").post(reverse("contracts:edit", args=[contract.pk]), data)
    assert response.status_code == 200 and "alert-error" in response.text
    contract.refresh_from_db()
    assert contract.title == "Mantenimiento de quirófanos"


# --- the contract page --------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["deliverables", "review", "regulations", "documents", "history", "nonsense"])
def test_every_tab_of_the_contract_page_renders(client_as, contract, tab):
    DeliveryFactory(deliverable=DeliverableFactory(contract=contract))
    response = client_as("operations").get(contract.get_absolute_url(), {"tab": tab})
    assert response.status_code == 200 and contract.number in response.text
    partial = client_as("operations").get(
        contract.get_absolute_url(), {"tab": tab}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-content"
    )
    assert partial.status_code == 200 and "<html" not in partial.text


def test_the_contract_page_needs_a_fixed_number_of_queries(client_as, contract, django_assert_max_num_queries):
    client = client_as("sales_manager")
    DeliveryFactory(deliverable=DeliverableFactory(contract=contract))
    client.get(contract.get_absolute_url())
    with django_assert_max_num_queries(40) as few:
        client.get(contract.get_absolute_url())
    for n in range(15):
        deliverable = DeliverableFactory(contract=contract, due_date=contract.start_date + dt.timedelta(days=n))
        DeliveryFactory(deliverable=deliverable, conforming=n % 2 == 0, nonconformity="x", severity="low")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(contract.get_absolute_url())


def test_review_and_activation_through_the_pages(client_as, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    contract = services.contract_create(
        actor=users["account_manager"],
        data={"customer": customer, "title": "Obra", "start_date": today(), "end_date": today()},
    )
    am = client_as("account_manager")
    am.post(reverse("contracts:transition", args=[contract.pk]), {"to": "in_review"})
    contract.refresh_from_db()
    assert contract.status == "in_review"
    response = client_as("sales_manager").post(
        reverse("contracts:transition", args=[contract.pk]), {"to": "active"}, follow=True
    )
    assert "revisión del contrato" in response.text
    contract.refresh_from_db()
    assert contract.status == "in_review"
    sm = client_as("sales_manager")
    assert sm.get(reverse("contracts:review", args=[contract.pk])).status_code == 200
    sm.post(
        reverse("contracts:review", args=[contract.pk]),
        {
            "requirements_defined": "on",
            "differences_resolved": "on",
            "capacity_confirmed": "on",
            "regulations_identified": "on",
            "notes": "Todo revisado",
        },
    )
    response = sm.post(reverse("contracts:transition", args=[contract.pk]), {"to": "active"}, follow=True)
    contract.refresh_from_db()
    assert contract.status == "active" and "Activo" in response.text


@pytest.mark.parametrize(
    "role, status, to, allowed",
    [
        ("operations", "in_review", "active", False),
        ("account_manager", "in_review", "active", False),
        ("account_manager", "draft", "in_review", True),
        ("bob", "draft", "in_review", False),
        ("sales_manager", "active", "completed", True),
        ("quality", "draft", "in_review", False),
    ],
)
def test_who_may_move_a_contract(client, users, contract, role, status, to, allowed):
    Contract.objects.filter(pk=contract.pk).update(status=status)
    client.force_login(users[role])
    response = client.post(reverse("contracts:transition", args=[contract.pk]), {"to": to})
    contract.refresh_from_db()
    assert (contract.status == to) is allowed
    assert response.status_code == (302 if allowed else 403)


def test_terminating_from_the_page_needs_a_reason(client_as, contract):
    client = client_as("sales_manager")
    client.post(reverse("contracts:transition", args=[contract.pk]), {"to": "terminated", "note": ""})
    contract.refresh_from_db()
    assert contract.status == "active"
    client.post(reverse("contracts:transition", args=[contract.pk]), {"to": "terminated", "note": "Impago"})
    contract.refresh_from_db()
    assert contract.status == "terminated"


def test_archiving_keeps_everything(client_as, contract):
    DeliveryFactory(deliverable=DeliverableFactory(contract=contract))
    assert client_as("operations").post(reverse("contracts:archive", args=[contract.pk])).status_code == 403
    client_as("sales_manager").post(reverse("contracts:archive", args=[contract.pk]))
    contract.refresh_from_db()
    assert contract.is_archived and Delivery.objects.count() == 1
    assert contract.number not in client_as("sales_manager").get(reverse("contracts:list")).text


def test_contract_documents_accept_pdf_only(client_as, contract, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Contract).pk
    url = reverse("core:attachment_upload", args=[ct, contract.pk])
    client = client_as("sales_manager")
    client.post(url, {"file": SimpleUploadedFile("contrato.pdf", PDF), "purpose": "document"})
    client.post(url, {"file": SimpleUploadedFile("contrato.pdf", b"MZ\x90\x00 not a pdf"), "purpose": "document"})
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["contrato.pdf"]


def test_regulations_are_linked_checked_and_unlinked(client_as, contract):
    rgpd = RegulationFactory(code="RGPD")
    sm = client_as("sales_manager")
    sm.post(reverse("contracts:regulation_add", args=[contract.pk]), {"regulation": rgpd.pk})
    assert list(contract.regulations.all()) == [rgpd]
    client_as("quality").post(reverse("contracts:regulation_reviewed", args=[contract.pk, rgpd.pk]))
    assert contract.regulation_links.get().last_reviewed_on == today()
    sm = client_as("sales_manager")  # the same test client, signed in again
    page = sm.get(contract.get_absolute_url(), {"tab": "regulations"})
    assert "RGPD" in page.text
    sm.post(reverse("contracts:regulation_remove", args=[contract.pk, rgpd.pk]))
    assert not contract.regulations.exists()


# --- obligations and deliveries -----------------------------------------------------------------


def test_a_deliverable_outside_the_dates_is_saved_with_a_visible_warning(client_as, contract):
    response = client_as("sales_manager").post(
        reverse("contracts:deliverable_create", args=[contract.pk]),
        {"description": "Informe final", "due_date": (contract.end_date + dt.timedelta(days=5)).isoformat()},
        follow=True,
    )
    assert Deliverable.objects.filter(description="Informe final").exists()
    assert "alert-warning" in response.text and "fuera de las fechas del contrato" in response.text


def test_a_recurring_obligation_creates_its_deliverables(client_as, contract):
    response = client_as("account_manager").post(
        reverse("contracts:obligation_create", args=[contract.pk]),
        {"description": "Informe mensual", "frequency": "monthly", "first_due_date": contract.start_date.isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert contract.deliverables.count() == 13


def test_operations_record_a_conforming_delivery_with_evidence(client_as, contract, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deliverable = DeliverableFactory(contract=contract, due_date=today())
    client = client_as("operations")
    page = client.get(deliverable.get_absolute_url())
    assert "Registrar entrega" in page.text
    response = client.post(
        reverse("contracts:delivery_create", args=[deliverable.pk]),
        {
            "delivered_on": today().isoformat(),
            "conforming": "on",
            "deliverable_version": deliverable.lock_version,
            "evidence": SimpleUploadedFile("albaran.pdf", PDF),
        },
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.conforming and Attachment.objects.get().object_id == delivery.pk
    deliverable.refresh_from_db()
    assert deliverable.status == "delivered"


def test_a_nonconforming_delivery_leads_to_its_nonconformity_panel(client_as, contract):
    deliverable = DeliverableFactory(contract=contract, due_date=today(), acceptance_criteria="Firmado")
    response = client_as("operations").post(
        reverse("contracts:delivery_create", args=[deliverable.pk]),
        {
            "delivered_on": today().isoformat(),
            "nonconformity": "Falta la firma del responsable",
            "severity": "high",
            "deliverable_version": deliverable.lock_version,
        },
        follow=True,
    )
    assert 'id="nonconformity"' in response.text and "Falta la firma del responsable" in response.text


@pytest.mark.parametrize(
    "delivered_on, message",
    [(1, "no puede estar en el futuro"), (-200, "anterior al inicio del contrato")],
)
def test_refused_delivery_dates_are_explained(client_as, contract, delivered_on, message):
    deliverable = DeliverableFactory(contract=contract, due_date=today())
    response = client_as("operations").post(
        reverse("contracts:delivery_create", args=[deliverable.pk]),
        {
            "delivered_on": (today() + dt.timedelta(days=delivered_on)).isoformat(),
            "conforming": "on",
            "deliverable_version": deliverable.lock_version,
        },
    )
    assert response.status_code == 200 and message in response.text
    assert not Delivery.objects.exists()


def test_a_double_submission_records_one_delivery(client_as, contract):
    deliverable = DeliverableFactory(contract=contract, due_date=today())
    data = {
        "delivered_on": today().isoformat(),
        "nonconformity": "Incompleto",
        "severity": "low",
        "deliverable_version": deliverable.lock_version,
    }
    client = client_as("operations")
    client.post(reverse("contracts:delivery_create", args=[deliverable.pk]), data)
    second = client.post(reverse("contracts:delivery_create", args=[deliverable.pk]), data)
    assert second.status_code == 200 and "alert-error" in second.text
    assert Delivery.objects.count() == 1


def test_only_who_records_deliveries_may_do_it(client_as, contract):
    deliverable = DeliverableFactory(contract=contract, due_date=today())
    data = {"delivered_on": today().isoformat(), "conforming": "on"}
    for role in ("account_manager", "quality", "customer_service"):
        assert (
            client_as(role).post(reverse("contracts:delivery_create", args=[deliverable.pk]), data).status_code == 403
        )
    assert not Delivery.objects.exists()


def test_a_delivery_is_corrected_by_who_recorded_it(client_as, users, contract):
    deliverable = DeliverableFactory(contract=contract, due_date=today())
    delivery = DeliveryFactory(deliverable=deliverable, recorded_by=users["operations"])
    data = {
        "delivered_on": today().isoformat(),
        "nonconformity": "Rechazado",
        "severity": "medium",
        "lock_version": delivery.lock_version,
    }
    assert client_as("quality").post(reverse("contracts:delivery_edit", args=[delivery.pk]), data).status_code == 403
    response = client_as("operations").post(reverse("contracts:delivery_edit", args=[delivery.pk]), data)
    assert response.status_code == 302
    delivery.refresh_from_db()
    deliverable.refresh_from_db()
    assert not delivery.conforming and deliverable.status == "pending"
    assert client_as("operations").get(delivery.get_absolute_url()).status_code == 200


def test_cancelling_a_deliverable_from_its_page(client_as, contract):
    deliverable = DeliverableFactory(contract=contract, due_date=today())
    client = client_as("sales_manager")
    client.post(reverse("contracts:deliverable_transition", args=[deliverable.pk]), {"to": "cancelled", "note": ""})
    deliverable.refresh_from_db()
    assert deliverable.status == "pending"
    client.post(
        reverse("contracts:deliverable_transition", args=[deliverable.pk]), {"to": "cancelled", "note": "Renuncia"}
    )
    deliverable.refresh_from_db()
    assert deliverable.status == "cancelled"
    assert client.get(deliverable.get_absolute_url()).status_code == 200


# --- calendar, compliance, regulations ----------------------------------------------------------


def test_the_calendar_shows_what_falls_due(client_as, contract, django_assert_max_num_queries):
    DeliverableFactory(contract=contract, due_date=today(), description="Visita trimestral")
    client = client_as("operations")
    client.get(reverse("contracts:calendar"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("contracts:calendar"))
    assert "Visita trimestral" in page.text and 'aria-current="date"' in page.text
    for month in ("2026-13", "9999-12", "0001-01", "abc"):
        assert client.get(reverse("contracts:calendar"), {"month": month}).status_code == 200
    assert client.get(reverse("contracts:calendar"), {"month": "2025-02", "mine": "1"}).status_code == 200


def test_the_compliance_page_shows_cct_with_its_parts(client_as, contract, django_assert_max_num_queries):
    DeliverableFactory(contract=contract, due_date=today())
    client = client_as("management")
    client.get(reverse("contracts:compliance"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("contracts:compliance"))
    assert "0 de 1 contratos" in page.text and contract.number in page.text
    for period in ("xx", "0001-Q1", "9999"):
        assert client.get(reverse("contracts:compliance"), {"period": period}).status_code == 200
    assert client.get(reverse("contracts:compliance"), {"period": "2025", "segment": "Salud"}).status_code == 200


def test_regulations_register(client_as):
    client = client_as("quality")
    response = client.post(
        reverse("contracts:regulation_create"),
        {"code": "LOPDGDD", "title": "Ley Orgánica 3/2018", "jurisdiction": "España", "url": "https://www.boe.es/"},
    )
    regulation = Regulation.objects.get()
    assert response.status_code == 302
    assert client.get(regulation.get_absolute_url()).status_code == 200
    assert client.post(reverse("contracts:regulation_create"), {"code": "A,B", "title": "x", "jurisdiction": "y"})
    assert Regulation.objects.count() == 1
    assert client_as("operations").get(reverse("contracts:regulation_create")).status_code == 403


# --- shared pages -------------------------------------------------------------------------------


def test_the_customer_360_page_shows_contracts_and_compliance(client_as, contract):
    DeliveryFactory(deliverable=DeliverableFactory(contract=contract, due_date=today() - dt.timedelta(days=3)))
    client = client_as("account_manager")
    figures = client.get(reverse("customers:figures", args=[contract.customer.pk]))  # fetched by the page
    assert "Cumplimiento contractual" in figures.text and "100,0" in figures.text
    page = client.get(contract.customer.get_absolute_url())
    assert "kind-contract" in page.text and "kind-delivery" in page.text
    panel = client.get(contract.customer.get_absolute_url(), {"tab": "contracts"})
    assert contract.number in panel.text


def test_global_search_finds_contracts_and_home_shows_due_soon(client_as, users, contract):
    DeliverableFactory(contract=contract, due_date=today() + dt.timedelta(days=2), responsible=users["operations"])
    assert contract.number in client_as("operations").get(reverse("core:search"), {"q": "quirofanos"}).text
    home = client_as("operations").get(reverse("core:home"))
    assert "Entregables próximos" in home.text and contract.number in home.text


def test_the_360_timeline_shows_contract_milestones_and_deliveries_in_order(users, contract):
    from clientela.contracts.selectors import contracts_timeline, deliveries_timeline

    now = timezone.now()
    Contract.objects.filter(pk=contract.pk).update(
        created_at=now - dt.timedelta(days=100), activated_at=now - dt.timedelta(days=90)
    )
    older = ContractFactory(customer=contract.customer, status="completed")
    Contract.objects.filter(pk=older.pk).update(
        created_at=now - dt.timedelta(days=400), activated_at=now - dt.timedelta(days=390), closed_at=now
    )
    entries = contracts_timeline(customer=contract.customer, user=users["quality"], before=None, limit=3)
    assert [e.badge for e in entries] == ["Finalizado", "Contrato activado", "Contrato redactado"]
    earlier = contracts_timeline(
        customer=contract.customer, user=users["quality"], before=now - dt.timedelta(days=95), limit=10
    )
    assert all(e.at < now - dt.timedelta(days=95) for e in earlier) and len(earlier) == 3
    DeliveryFactory(deliverable=DeliverableFactory(contract=contract), conforming=False, severity="low")
    (entry,) = deliveries_timeline(customer=contract.customer, user=users["quality"], before=None, limit=5)
    assert entry.badge == "No conforme" and entry.badge_tone == "bad"


@pytest.mark.parametrize(
    "role, can_read, can_plan, can_deliver, can_review",
    [
        ("admin", True, True, True, True),
        ("management", True, False, False, False),
        ("quality", True, False, False, False),
        ("sales_manager", True, True, True, True),
        ("account_manager", True, True, False, False),
        ("customer_service", False, False, False, False),
        ("operations", True, False, True, False),
        ("nobody", False, False, False, False),
    ],
)
def test_the_permission_matrix_of_the_pages(client, users, contract, role, can_read, can_plan, can_deliver, can_review):
    deliverable = DeliverableFactory(contract=contract, due_date=today())
    client.force_login(users[role])
    reads = [
        reverse("contracts:list"),
        contract.get_absolute_url(),
        deliverable.get_absolute_url(),
        reverse("contracts:deliverables"),
        reverse("contracts:deliveries"),
        reverse("contracts:calendar"),
        reverse("contracts:compliance"),
        reverse("contracts:regulations"),
    ]
    for url in reads:
        assert client.get(url).status_code == (200 if can_read else 403), url
    plan = client.get(reverse("contracts:deliverable_create", args=[contract.pk]))
    assert plan.status_code == (200 if can_plan else 403)
    deliver = client.post(
        reverse("contracts:delivery_create", args=[deliverable.pk]),
        {"delivered_on": today().isoformat(), "conforming": "on", "deliverable_version": deliverable.lock_version},
    )
    assert deliver.status_code == (302 if can_deliver else 403)
    assert client.get(reverse("contracts:review", args=[contract.pk])).status_code == (200 if can_review else 403)
