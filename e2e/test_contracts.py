"""Contracts as people run them: draft, review, activate, deliver (conforming and not), see CCT move."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientela.contracts.models import Contract, Deliverable, Delivery
from clientela.contracts.tests.factories import RegulationFactory
from clientela.customers.tests.factories import ContactFactory, CustomerFactory

from .conftest import check_accessibility, field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username)


def test_from_draft_to_conforming_delivery_and_the_cct_follows(page, users):
    today = timezone.localdate()
    customer = CustomerFactory(name="Hospital San Rafael de Córdoba", account_manager=users["account_manager"])
    ContactFactory(customer=customer, first_name="Nuria", last_name="Ortega")
    RegulationFactory(code="RGPD", title="Reglamento general de protección de datos")

    # The account manager drafts the contract for her customer, with one obligation due today.
    sign_in(page, "alice")
    page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Contratos", exact=True
    ).click()
    page.get_by_role("link", name="Nuevo contrato").click()
    field(page, "Cliente").select_option(label=str(customer))
    field(page, "Título").fill("Mantenimiento de quirófanos")
    field(page, "Tipo").select_option(label="Mantenimiento")
    field(page, "Fecha de inicio").fill((today - dt.timedelta(days=30)).isoformat())
    field(page, "Fecha de fin").fill((today + dt.timedelta(days=335)).isoformat())
    field(page, "Importe").fill("48000.00")
    page.get_by_label(re.compile("^RGPD")).check()
    check_accessibility(page)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mantenimiento de quirófanos")
    expect(page.get_by_text("Borrador", exact=True)).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Añadir entregable").click()
    field(page, "Descripción").fill("Informe de puesta en marcha")
    field(page, "Fecha límite").fill(today.isoformat())
    field(page, "Criterios de aceptación").fill("Informe firmado por el jefe de mantenimiento del hospital")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("link", name="Informe de puesta en marcha")).to_be_visible()
    page.get_by_role("button", name="Enviar a revisión").click()
    expect(page.get_by_text("En revisión", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Activar")).to_have_count(0)  # committing is not hers

    # The sales manager reviews it (ISO 9001 8.2.3) and activates it.
    switch_user(page, "sara")
    contract = Contract.objects.get()
    page.goto(f"{page.base_url}{contract.get_absolute_url()}")
    page.get_by_role("button", name="Activar").click()
    expect(page.get_by_text("no puede activarse sin una revisión del contrato")).to_be_visible()
    page.get_by_role("link", name="Registrar la revisión del contrato").click()
    for label in (
        "Requisitos definidos",
        "Diferencias resueltas",
        "Capacidad de cumplimiento confirmada",
        "Normativa identificada",
    ):
        field(page, label).check()
    field(page, "Notas de la revisión").fill("Plazos validados con operaciones.")
    check_accessibility(page)
    page.get_by_role("button", name="Registrar revisión").click()
    expect(page.get_by_text("todos los puntos están confirmados")).to_be_visible()
    page.get_by_role("button", name="Activar").click()
    expect(page.get_by_text("está ahora «Activo»")).to_be_visible()

    page.goto(f"{page.base_url}/contracts/compliance/")
    expect(page.locator("#cct .value")).to_have_text("0,00 %")
    expect(page.locator("#cct")).to_contain_text("0 de 1 contratos")

    # Operations records a nonconforming delivery, then a conforming one, both on the due date.
    switch_user(page, "oscar")
    deliverable = Deliverable.objects.get()
    page.goto(f"{page.base_url}{deliverable.get_absolute_url()}")
    field(page, "Conforme").uncheck()
    field(page, "Qué falló").fill("Falta la firma del jefe de mantenimiento")
    field(page, "Gravedad").select_option(label="Media")
    page.get_by_role("button", name="Registrar entrega").click()
    expect(page.get_by_role("heading", name="No conformidad")).to_be_visible()
    expect(page.locator("#nonconformity")).to_contain_text("Falta la firma del jefe de mantenimiento")
    check_accessibility(page)

    page.get_by_role("link", name="Informe de puesta en marcha").click()
    expect(page.get_by_text("No conforme, pendiente")).to_be_visible()
    field(page, "Fecha de entrega").fill(today.isoformat())
    page.get_by_role("button", name="Registrar entrega").click()
    expect(page.get_by_text("Entrega registrada como conforme.")).to_be_visible()
    expect(page.get_by_text("En tiempo y forma").first).to_be_visible()
    assert [d.conforming for d in Delivery.objects.order_by("pk")] == [False, True]

    page.get_by_role("link", name=re.compile(contract.number)).first.click()
    expect(page.locator("#compliance")).to_contain_text("100,0 %")
    page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Cumplimiento contractual"
    ).click()
    expect(page.locator("#cct .value")).to_have_text("100,00 %")
    expect(page.locator("#cct")).to_contain_text("1 de 1 contratos")
    check_accessibility(page)


def test_the_due_dates_calendar_on_a_phone(page, users):
    today = timezone.localdate()
    contract = Contract.objects.create(
        number="CT-2026-0999",
        customer=CustomerFactory(name="Bodegas Viña Castellana S.A."),
        title="Suministro de barricas",
        status="active",
        start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )
    Deliverable.objects.create(contract=contract, description="Entrega de 40 barricas", due_date=today)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "oscar")
    page.goto(f"{page.base_url}/contracts/calendar/")
    expect(page.get_by_role("link", name="Entrega de 40 barricas")).to_be_visible()
    expect(page.locator("td[aria-current=date]")).to_contain_text("hoy")
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("Mes siguiente")).click()
    expect(page.get_by_role("link", name="Entrega de 40 barricas")).to_have_count(0)
