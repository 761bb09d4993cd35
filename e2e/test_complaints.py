"""Complaints as people handle them: a customer files one on the public form, an agent takes it
through the ISO 10002 steps to closing, and quality runs its corrective plan to a verified close."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientela.action_plans.models import ActionPlan
from clientela.core.models import AuditEntry
from clientela.feedback.models import Feedback

from .conftest import check_accessibility, field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def file_a_complaint(page) -> str:
    page.goto(f"{page.base_url}/feedback/public/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quejas, sugerencias y felicitaciones")
    check_accessibility(page)
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_role("alert")).to_contain_text("Revise los campos")
    field(page, "Su nombre").fill("Ana Ruiz")
    field(page, "Empresa u organización").fill("Bodegas Ruiz S.L.")
    field(page, "Su correo electrónico").fill("ana@bodegasruiz.es")
    field(page, "Asunto").fill("Seis cajas llegaron con botellas rotas")
    field(page, "Cuéntenos qué ocurrió").fill("El pedido del martes llegó con seis cajas dañadas.")
    field(page, "¿Qué le gustaría que hiciéramos?").fill("Reposición de las botellas.")
    page.get_by_label(re.compile("^Acepto que se usen mis datos")).check()
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gracias: hemos recibido su mensaje")
    number = page.locator(".reference").inner_text()
    assert re.fullmatch(rf"QJ-{timezone.localdate().year}-\d{{4}}", number)
    check_accessibility(page)
    return number


def test_a_public_complaint_is_handled_to_closing_and_its_corrective_plan_is_verified(browser, live_server, users):
    # The customer, without an account.
    context = browser.new_context(locale="es-ES", timezone_id="Europe/Madrid")
    public = context.new_page()
    public.base_url = live_server.url
    number = file_a_complaint(public)
    context.close()

    # The agent: takes it, acknowledges, assesses, resolves, records the customer's answer, closes.
    page = browser.new_context(
        locale="es-ES", timezone_id="Europe/Madrid", viewport={"width": 1280, "height": 900}
    ).new_page()
    page.base_url = live_server.url
    sign_in(page, "carlos")
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Quejas y sugerencias").click()
    expect(page.locator("#results")).to_contain_text(number)
    expect(page.locator("#results")).to_contain_text("En plazo")
    check_accessibility(page)
    page.get_by_role("link", name="Seis cajas llegaron con botellas rotas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seis cajas llegaron con botellas rotas")
    expect(page.locator(".sla-panel")).to_contain_text("En plazo")
    expect(page.locator("time[data-countdown]").first).to_have_text(re.compile(r"dentro de|mañana|hoy"))
    page.get_by_role("button", name="Asignármela").click()
    expect(page.get_by_role("status").first).to_contain_text("Asignada a Carlos Atención")
    page.get_by_role("button", name="Acusar recibo").click()
    expect(page.get_by_role("status").first).to_contain_text("está ahora «Con acuse de recibo»")

    page.get_by_text("Evaluar e iniciar el análisis", exact=True).click()
    step = page.locator("details.step-form[open]")
    field(step, "Gravedad").select_option(label="Alta")
    step.get_by_role("button", name=re.compile("^Confirmar")).click()
    expect(page.get_by_text("Describa el impacto antes de iniciar el análisis.")).to_be_visible()
    step = page.locator("details.step-form[open]")
    field(step, "Impacto").fill("Un cliente; pérdida de producto.")
    step.get_by_role("button", name=re.compile("^Confirmar")).click()
    expect(page.get_by_role("status").first).to_contain_text("«En análisis»")
    check_accessibility(page)

    page.get_by_text("Resolver", exact=True).click()
    step = page.locator("details.step-form[open]")
    field(step, "Causa raíz").fill("El nuevo embalaje no resiste el apilado en el camión.")
    field(step, "Resolución").fill("Reposición de las botellas y vuelta al embalaje anterior.")
    field(step, "Respuesta al cliente").fill("Le reponemos las botellas esta semana. Disculpe las molestias.")
    step.get_by_role("button", name=re.compile("^Confirmar")).click()
    expect(page.get_by_role("status").first).to_contain_text("«Resuelta»")
    expect(page.get_by_role("button", name="Cerrar")).to_be_disabled()
    page.get_by_label("acepta la respuesta", exact=True).check()
    field(page, "Lo que dijo el cliente").fill("Conforme, gracias.")
    page.get_by_role("button", name="Registrar la respuesta del cliente").click()
    expect(page.get_by_role("status").first).to_contain_text("Respuesta del cliente registrada.")
    page.get_by_role("button", name="Cerrar").click()
    expect(page.get_by_role("status").first).to_contain_text("«Cerrada»")
    complaint = Feedback.objects.get(number=number)
    assert complaint.status == "closed" and complaint.customer_accepted is True
    assert complaint.acknowledged_at <= complaint.acknowledge_due_at and complaint.severity == "high"
    page.context.close()

    # Quality: corrective plan in one step, analysis, an action done with evidence, verified effective.
    page = browser.new_context(
        locale="es-ES", timezone_id="Europe/Madrid", viewport={"width": 1280, "height": 900}
    ).new_page()
    page.base_url = live_server.url
    sign_in(page, "quique")
    page.goto(f"{live_server.url}{complaint.get_absolute_url()}")
    page.get_by_role("button", name="Abrir plan de acción correctiva").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.get_by_text(re.compile(r"Plan de acción PA-\d{4}-\d{4} abierto"))).to_be_visible()

    page.get_by_role("link", name="Análisis de causa raíz").click()
    field(page, "¿Por qué? (1)").fill("¿Por qué se rompieron las botellas?")
    field(page, "Porque… (1)").fill("Las cajas se aplastaron al apilarlas.")
    field(page, "¿Por qué? (2)").fill("¿Por qué se aplastaron?")
    field(page, "Porque… (2)").fill("El embalaje nuevo es de cartón más fino.")
    field(page, "Material").fill("Cartón de menor gramaje")
    field(page, "Método").fill("Sin prueba de apilado antes del cambio")
    field(page, "Causa raíz").fill("Se cambió el embalaje sin validar su resistencia al apilado.")
    check_accessibility(page)
    page.get_by_role("button", name="Guardar el análisis").click()
    expect(page.get_by_text("Análisis guardado.")).to_be_visible()
    expect(page.locator(".ishikawa")).to_contain_text("Cartón de menor gramaje")

    page.get_by_text("Añadir una acción", exact=True).click()
    field(page, "Acción").fill("Validar el embalaje con una prueba de apilado antes de cualquier cambio.")
    field(page, "Responsable").select_option(label="Enrique Calidad")
    field(page, "Fecha límite").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Guardar la acción").click()
    expect(page.get_by_text("Acción añadida.")).to_be_visible()
    page.get_by_role("button", name="Iniciar las acciones").click()
    expect(page.get_by_role("status").first).to_contain_text("«En curso»")

    page.get_by_role("link", name=re.compile("^Marcar como realizada")).click()
    done = page.locator("#done")
    field(done, "Evidencia").fill("Informe de la prueba de apilado: el embalaje resiste 6 alturas.")
    done.get_by_role("button", name="Marcar como realizada").click()
    expect(page.get_by_role("status").first).to_contain_text("Acción marcada como «Realizada»")

    page.get_by_role("link", name="Editar", exact=True).click()
    field(page, "Criterio de eficacia").fill("Ninguna rotura en las entregas de los próximos tres meses.")
    page.get_by_role("button", name="Guardar").click()
    page.get_by_role("button", name="Enviar a verificación de la eficacia").click()
    expect(page.get_by_role("status").first).to_contain_text("«Pendiente de verificación»")
    check_accessibility(page)

    field(page, "Método de verificación").fill("Revisión de las entregas y de las quejas del trimestre.")
    field(page, "Evidencia").fill("Cero roturas en 42 entregas.")
    page.get_by_label("Eficaz", exact=True).check()
    page.get_by_role("button", name="Registrar la verificación").click()
    expect(page.get_by_role("status").first).to_contain_text("Verificado como eficaz")
    plan = ActionPlan.objects.get()
    assert plan.status == "closed" and plan.effectiveness_result == "effective"
    assert plan.verified_by.username == "quique" and plan.source == complaint
    assert AuditEntry.objects.filter(object_id=str(plan.pk), action="transition").count() >= 3


def test_the_board_and_the_inbox_on_a_phone(page, users):
    from clientela.feedback import services

    services.feedback_create(
        actor=users["customer_service"],
        data={
            "kind": "complaint",
            "channel": "phone",
            "subject": "Factura duplicada",
            "description": "Dos cargos.",
            "severity": "critical",
        },
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "carlos")
    page.goto(f"{page.base_url}/feedback/")
    expect(page.locator("#results")).to_contain_text("Factura duplicada")
    check_accessibility(page)
    page.goto(f"{page.base_url}/feedback/board/")
    expect(page.get_by_role("heading", name=re.compile("^Recibida"))).to_be_visible()
    check_accessibility(page)
