"""Requirements as an account manager and a sales manager use them: capture with a vague word, clarify,
record the customer's confirmation, validate, approve, change it (new version, diff), trace it to a
deliverable and find it in the contract's traceability matrix."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory
from clientela.customers import services as customer_services
from clientela.requirements.models import Requirement

from .conftest import check_accessibility, field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer(users):
    customer = customer_services.customer_create(
        actor=users["sales_manager"],
        data={
            "name": "Conservas Ñora del Segura S.L.",
            "status": "active",
            "account_manager": users["account_manager"],
        },
    )
    customer_services.contact_create(
        actor=users["sales_manager"],
        customer=customer,
        data={"first_name": "Rocío", "last_name": "Jiménez Díaz", "email": "rocio@nora.es", "position": "Compras"},
    )
    return customer


@pytest.fixture
def contract(customer):
    today = dt.date.today()
    contract = ContractFactory(
        customer=customer,
        number="CT-2026-0101",
        title="Suministro de repuestos críticos",
        start_date=today - dt.timedelta(days=90),
        end_date=today + dt.timedelta(days=275),
    )
    DeliverableFactory(
        contract=contract, description="Almacén de repuestos en Murcia", due_date=today + dt.timedelta(days=20)
    )
    return contract


def test_capture_clarify_confirm_validate_approve_and_change_a_requirement(page, users, customer, contract, tmp_path):
    sign_in(page, "alice")
    page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Requisitos", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requisitos")
    check_accessibility(page)
    page.get_by_role("link", name="Nuevo requisito").click()

    field(page, "Cliente").select_option(label=str(customer))
    field(page, "Contrato").select_option(label="CT-2026-0101 · Suministro de repuestos críticos (activo)")
    field(page, "Título").fill("Entrega de repuestos")
    field(page, "Descripción").fill("Los repuestos críticos se entregan lo antes posible.")
    clarity = page.locator("#clarity")
    expect(clarity.locator("mark.vague")).to_have_text("lo antes posible")  # flagged while typing
    field(page, "Prioridad").select_option(label="Debe tener")
    check_accessibility(page)
    page.get_by_role("button", name="Guardar").click()

    expect(page.get_by_text(re.compile(r"Requisito RQ-\d{4}-\d{4} registrado"))).to_be_visible()
    expect(page.get_by_text(re.compile("palabras son imprecisas"))).to_be_visible()
    expect(page.locator(".prose mark.vague")).to_contain_text("lo antes posible")
    check_accessibility(page)

    page.get_by_role("link", name="Editar", exact=True).click()
    field(page, "Descripción").fill("Los repuestos críticos se entregan en el almacén de Murcia.")
    field(page, "Criterios de aceptación").fill("El 98 % de los repuestos críticos se entrega en 24 horas laborables.")
    field(page, "Referencia del origen").fill("Acta de la reunión de arranque")
    expect(clarity).to_contain_text("No hay palabras imprecisas")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Cambios guardados.")).to_be_visible()
    page.get_by_role("button", name="Enviar a aclaración").click()
    expect(page.get_by_text(re.compile("está ahora en aclaración"))).to_be_visible()

    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(re.compile("Todavía no se puede validar"))).to_be_visible()

    page.get_by_role("link", name="Registrar la confirmación del cliente").click()
    check_accessibility(page)
    field(page, "Quién del cliente lo confirmó").select_option(label="Rocío Jiménez Díaz")
    field(page, "Cómo").select_option(label="Correo electrónico")
    evidence = tmp_path / "respuesta-cliente.txt"
    evidence.write_text("Conformes con 24 horas laborables.", encoding="utf-8")
    field(page, "Evidencia (opcional)").set_input_files(str(evidence))
    page.get_by_role("button", name="Registrar la confirmación").click()
    expect(page.get_by_text("La confirmación del cliente está registrada.")).to_be_visible()
    expect(page.get_by_role("link", name="respuesta-cliente.txt")).to_be_visible()
    expect(page.locator("#clarity")).to_contain_text("5 de 5 comprobaciones cumplidas")

    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(re.compile("está ahora validado"))).to_be_visible()
    expect(page.get_by_role("button", name="Aprobar")).to_have_count(0)  # approval is the sales manager's
    requirement = Requirement.objects.get()
    assert requirement.status == "validated" and requirement.validated_by == users["account_manager"]

    page.context.clear_cookies()
    sign_in(page, "sara")
    page.goto(f"{page.base_url}{requirement.get_absolute_url()}")
    page.get_by_role("button", name="Aprobar").click()
    expect(page.get_by_text(re.compile("está ahora aprobado"))).to_be_visible()
    expect(page.get_by_role("link", name="Editar", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Nueva versión").click()
    field(page, "Motivo del cambio").fill("El cliente reduce el plazo por su nueva planificación.")
    field(page, "Criterios de aceptación").fill("El 98 % de los repuestos críticos se entrega en 12 horas laborables.")
    page.get_by_role("button", name="Crear la nueva versión").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Comparación de la versión 1 y la versión 2")
    expect(page.locator("del").filter(has_text="24")).to_be_visible()
    expect(page.locator("ins").filter(has_text="12")).to_be_visible()
    check_accessibility(page)
    requirement.refresh_from_db()
    assert (requirement.version, requirement.status, requirement.confirmed_by) == (2, "clarifying", None)

    page.get_by_role("link", name=requirement.number).click()
    expect(page.get_by_text("El cliente todavía no ha confirmado la versión 2.")).to_be_visible()
    expect(page.get_by_role("link", name="v1", exact=True)).to_be_visible()

    page.get_by_role("link", name="Asociar a entregables").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Asociar {requirement.number} a entregables")
    check_accessibility(page)
    page.get_by_label(re.compile("Almacén de repuestos en Murcia")).check()
    page.get_by_role("button", name="Guardar la trazabilidad").click()
    expect(page.get_by_text("Trazabilidad guardada.")).to_be_visible()
    trace = page.locator("section", has=page.get_by_role("heading", name="Trazabilidad"))
    expect(trace.get_by_role("rowheader", name="Almacén de repuestos en Murcia")).to_be_visible()
    expect(trace.get_by_text("Con entregables, nada entregado conforme todavía")).to_be_visible()
    assert list(requirement.deliverables.values_list("description", flat=True)) == ["Almacén de repuestos en Murcia"]

    trace.get_by_role("link", name="CT-2026-0101").click()
    expect(page.get_by_role("heading", name="Matriz de trazabilidad")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(requirement.number))
    expect(row).to_contain_text("Almacén de repuestos en Murcia")
    expect(row).to_contain_text("Pendiente")
    check_accessibility(page)


def test_the_register_on_a_phone(page, users, customer):
    from clientela.requirements import services

    services.requirement_create(
        actor=users["account_manager"],
        customer=customer,
        data={"title": "Factura electrónica Facturae", "priority": "must"},
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice")
    page.goto(f"{page.base_url}/requirements/")
    expect(page.get_by_role("link", name="Factura electrónica Facturae")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Factura electrónica Facturae").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factura electrónica Facturae")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    check_accessibility(page)


def test_the_contract_traceability_matrix_on_a_phone(page, users, customer, contract):
    from clientela.requirements import services

    requirement = services.requirement_create(
        actor=users["account_manager"],
        customer=customer,
        data={"title": "Repuestos críticos en 24 horas", "priority": "must", "contract": contract},
    )
    services.requirement_trace(
        actor=users["account_manager"], requirement=requirement, deliverables=list(contract.deliverables.all())
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice")
    page.goto(f"{page.base_url}{contract.get_absolute_url()}?tab=traceability")
    row = page.get_by_role("row", name=re.compile(requirement.number))
    expect(row).to_contain_text("Almacén de repuestos en Murcia")
    expect(row).to_contain_text("Con entregables, nada entregado conforme todavía")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    check_accessibility(page)
