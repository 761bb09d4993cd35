"""Loyalty and training as people use them: enrol a customer, earn and redeem points; record a
training session with its attendance and an evaluation of its effectiveness."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.loyalty import ledger
from clientela.loyalty import services as loyalty
from clientela.loyalty.models import Membership, Redemption
from clientela.training import services as training
from clientela.training.models import Attendance, CompetenceEvaluation, TrainingSession

from .conftest import check_accessibility, field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme(users):
    manager = users["sales_manager"]
    programme = loyalty.programme_create(actor=manager, data={"name": "Programa Socios Preferentes"})
    for name, points in (("Bronce", 0), ("Plata", 1500), ("Oro", 6000)):
        loyalty.tier_create(actor=manager, programme=programme, data={"name": name, "min_points": points})
    loyalty.reward_create(
        actor=manager, programme=programme, data={"name": "Cesta gourmet de productos regionales", "points_cost": 600}
    )
    return loyalty.programme_transition(actor=manager, programme=programme, to="active")


def test_enrol_a_customer_earn_points_and_redeem_a_reward(page, users, programme):
    customer = customer_services.customer_create(
        actor=users["sales_manager"],
        data={
            "name": "Conservas Ñora del Segura S.L.",
            "status": "active",
            "account_manager": users["account_manager"],
        },
    )
    sign_in(page, "alice")
    page.goto(f"{page.base_url}/customers/{customer.pk}/")
    page.get_by_role("link", name="Fidelización", exact=True).click()
    page.get_by_role("link", name="Dar de alta en Programa Socios Preferentes").click()
    expect(field(page, "Cliente")).to_have_value(str(customer.pk))
    check_accessibility(page)
    page.get_by_role("button", name="Dar de alta").click()
    expect(page.get_by_text(re.compile(r"se ha adherido a Programa Socios Preferentes"))).to_be_visible()
    membership = Membership.objects.get(customer=customer)
    expect(page.locator("#balance")).to_have_text("0")

    page.get_by_role("link", name="Ajustar puntos").click()
    field(page, "Puntos").fill("800")
    field(page, "Motivo").fill("Bienvenida y compensación por el retraso de la entrega de marzo")
    page.get_by_role("button", name="Registrar ajuste").click()
    expect(page.get_by_text("Ajuste de +800 puntos registrado.")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("800")

    page.get_by_role("link", name="Canjear una recompensa").click()
    field(page, "Recompensa").select_option(label="Cesta gourmet de productos regionales · 600 puntos")
    check_accessibility(page)
    page.get_by_role("button", name="Canjear").click()
    expect(page.get_by_text(re.compile(r"Canje CJ-\d{4}-\d{4} registrado"))).to_be_visible()
    expect(page.locator("#balance")).to_have_text("200")
    expect(page.get_by_role("cell", name=re.compile("Canje CJ-.*Cesta gourmet"))).to_be_visible()
    check_accessibility(page)

    # A second redemption would need more points than the member has: refused, nothing spent.
    page.get_by_role("link", name="Canjear una recompensa").click()
    page.get_by_role("button", name="Canjear").click()
    expect(page.get_by_role("alert")).to_contain_text("Puntos insuficientes")
    assert Redemption.objects.count() == 1 and ledger.balance_of(membership) == 200


def test_record_a_training_session_with_attendance_and_an_evaluation(page, users):
    quality = users["quality"]
    competence = training.competence_create(
        actor=quality, data={"code": "ATC-QUEJAS", "name": "Gestión de quejas según ISO 10002", "validity_months": 24}
    )
    training.requirement_set(actor=quality, role="customer_service", competence=competence, level=3)
    training.course_create(
        actor=quality,
        data={
            "code": "CUR-QUEJAS",
            "title": "Gestión de quejas según ISO 10002",
            "duration_hours": 8,
            "competences": [competence],
        },
    )
    sign_in(page, "quique")
    page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Sesiones de formación"
    ).click()
    page.get_by_role("link", name="Nueva sesión").click()
    field(page, "Curso").select_option(label="Gestión de quejas según ISO 10002")
    started = timezone.localtime() - dt.timedelta(days=1)
    field(page, "Fecha y hora").fill(started.strftime("%Y-%m-%dT10:00"))
    field(page, "Formador").select_option(label="Enrique Calidad")
    field(page, "Lugar o enlace").fill("Sala de formación, planta 2")
    check_accessibility(page)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text(re.compile(r"Sesión FOR-\d{4}-\d{4} prevista"))).to_be_visible()
    page.get_by_role("button", name="Marcar como impartida").click()
    expect(page.locator(".page-header .badge")).to_have_text("Impartida")

    page.get_by_role("link", name="Registrar asistencia").click()
    page.get_by_label("Asistencia de Carlos Atención").select_option(label="Asistió")
    page.get_by_label("Asistencia de Alicia Cuentas").select_option(label="Excusado")
    check_accessibility(page)
    page.get_by_role("button", name="Guardar asistencia").click()
    expect(page.get_by_text("Asistencia guardada para 2 personas.")).to_be_visible()

    page.get_by_role("link", name="Evaluar a un participante").click()
    field(page, "Persona").select_option(label="Carlos Atención")
    field(page, "Competencia").select_option(label="Gestión de quejas según ISO 10002")
    field(page, "Método").select_option(label="Revisión de casos reales")
    field(page, "Nivel previo").select_option(label="1 · En aprendizaje")
    field(page, "Nivel alcanzado").select_option(label="3 · Trabaja de forma autónoma")
    field(page, "Resultado").select_option(label="Competente")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Evaluación registrada.")).to_be_visible()
    evaluations = page.locator("section", has=page.get_by_role("heading", name="Evaluación de la eficacia"))
    expect(evaluations).to_contain_text("Carlos Atención")
    expect(evaluations).to_contain_text("Competente")
    expect(page.get_by_text("1 de 1 competentes")).to_be_visible()
    check_accessibility(page)

    session = TrainingSession.objects.get()
    assert session.status == "held"
    assert dict(Attendance.objects.values_list("person__username", "status")) == {
        "carlos": "attended",
        "alice": "excused",
    }
    evaluation = CompetenceEvaluation.objects.get()
    assert evaluation.session == session and evaluation.valid_until is not None

    page.goto(f"{page.base_url}/training/matrix/?role=customer_service")
    expect(page.get_by_role("table").first).to_contain_text("Cumple")
    check_accessibility(page)


def test_overview_pages_are_accessible_on_a_desk_and_on_a_phone(page, users, programme):
    customer = customer_services.customer_create(
        actor=users["sales_manager"], data={"name": "Bodegas Viña Castellana S.A.", "status": "active"}
    )
    membership = loyalty.membership_enrol(actor=users["sales_manager"], programme=programme, customer=customer)
    loyalty.points_adjust(
        actor=users["sales_manager"], membership=membership, points=1600, reason="Carga inicial del programa"
    )
    sign_in(page, "sara")
    urls = [
        f"/loyalty/programmes/{programme.pk}/",
        "/loyalty/members/",
        f"/loyalty/members/{membership.pk}/",
        "/loyalty/retention/",
        "/loyalty/messages/",
        "/training/me/",
    ]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(page.base_url + url)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            check_accessibility(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mi formación")
