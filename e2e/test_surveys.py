"""Satisfaction surveys in the browser: build, publish, invite, answer through the e-mailed link,
watch the live results change and the follow-up appear for a low score."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.surveys.models import FollowUp, SurveyResponse

from .conftest import check_accessibility, field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_build_publish_invite_answer_and_close_the_loop(page, browser, live_server, users):
    customer = CustomerFactory(name="Hostal Las Acacias S.L.", account_manager=users["account_manager"])
    ContactFactory(customer=customer, first_name="Inés", last_name="Gallardo", email="ines@lasacacias.es")

    sign_in(page, "quique")
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Encuestas").click()
    page.get_by_role("link", name="Nueva encuesta").click()
    field(page, "Título").fill("Satisfacción con la estancia")
    field(page, "Punto de contacto").select_option(label="Entrega")
    field(page, "Cuenta para el SC").check()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Encuesta creada")).to_be_visible()

    page.get_by_role("link", name="Añadir pregunta").click()
    field(page, "Tipo").select_option(label="Satisfacción 1–5 (CSAT)")
    field(page, "Pregunta").fill("¿Qué tan satisfecho está con nuestro servicio?")
    field(page, "Pregunta principal de satisfacción").check()
    page.get_by_role("button", name="Guardar pregunta").click()
    page.get_by_role("link", name="Añadir pregunta").click()
    field(page, "Tipo").select_option(label="Texto libre")
    field(page, "Pregunta").fill("¿Qué podemos mejorar?")
    field(page, "Obligatoria").uncheck()
    page.get_by_role("button", name="Guardar pregunta").click()
    expect(page.locator("#questions")).to_contain_text("¿Qué podemos mejorar?")
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_text("Encuesta publicada")).to_be_visible()

    page.get_by_role("link", name="Invitar").click()
    field(page, "Cliente").select_option(label="Hostal Las Acacias S.L.")
    page.get_by_role("button", name="Mostrar contactos").click()
    page.get_by_label(re.compile("Inés Gallardo")).check()
    page.get_by_role("button", name="Enviar invitaciones").click()
    expect(page.get_by_text("Invitación enviada a Inés Gallardo")).to_be_visible()

    # The results page stays open while the customer answers.
    page.goto(f"{live_server.url}/surveys/")
    page.get_by_role("link", name="Satisfacción con la estancia").click()
    page.get_by_role("link", name="Resultados en directo").click()
    expect(page.locator("#live-responses")).to_have_text("0")
    check_accessibility(page)

    link = re.search(r"https?://\S+/s/[\w-]{43}/", mail.outbox[-1].body).group(0)
    path = link.split("/s/", 1)[1]
    customer_view = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    public = customer_view.new_page()
    public.goto(f"{live_server.url}/s/{path}")
    expect(public.get_by_role("heading", level=1)).to_have_text("Satisfacción con la estancia")
    check_accessibility(public)
    public.get_by_role("button", name="Enviar mis respuestas").click()
    expect(public.get_by_role("alert")).to_contain_text("Esta pregunta requiere respuesta")
    public.get_by_role("group", name=re.compile("satisfecho")).get_by_text("2", exact=True).click()
    public.get_by_label(re.compile("¿Qué podemos mejorar?")).fill("El desayuno terminó antes de la hora anunciada.")
    public.get_by_role("button", name="Enviar mis respuestas").click()
    expect(public.get_by_role("heading", name="Gracias por sus respuestas")).to_be_visible()
    customer_view.close()

    # No reload: the live page polls and shows the new answer.
    expect(page.locator("#live-responses")).to_have_text("1", timeout=15_000)
    expect(page.locator("#live-results")).to_contain_text("El desayuno terminó antes de la hora anunciada.")
    check_accessibility(page)
    assert SurveyResponse.objects.get().headline_value == 2

    followup = FollowUp.objects.get()
    assert followup.assigned_to == users["account_manager"]
    page.goto(f"{live_server.url}/surveys/follow-ups/")
    expect(page.locator("#results")).to_contain_text("Hostal Las Acacias S.L.")
    page.goto(f"{live_server.url}{customer.get_absolute_url()}")
    expect(page.locator("#timeline")).to_contain_text("Seguimiento de la respuesta a «Satisfacción con la estancia»")


def test_the_open_link_works_on_a_phone_without_login(page, live_server, users):
    from clientela.surveys import services
    from clientela.surveys.tests.factories import make_survey

    survey = services.survey_open_link(actor=users["quality"], survey=make_survey(users["quality"]), enabled=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/s/open/{survey.open_link_key}/")
    page.get_by_role("group", name=re.compile("satisfecho")).get_by_text("5", exact=True).click()
    page.get_by_role("button", name="Enviar mis respuestas").click()
    expect(page.get_by_role("link", name="Empezar una nueva respuesta")).to_be_visible()
    check_accessibility(page)
    assert SurveyResponse.objects.get().customer is None


def test_the_survey_pages_pass_the_accessibility_checks(page, live_server, users):
    from clientela.surveys.tests.factories import answer, make_survey

    survey = make_survey(users["quality"])
    customer = CustomerFactory(account_manager=users["account_manager"])
    contact = ContactFactory(customer=customer)
    for score in (5, 4, 2):
        answer(survey, score=score, customer=customer, contact=contact, extra={2: 9, 3: "Comentario de prueba"})
    followup = FollowUp.objects.get()
    sign_in(page, "quique")
    for path in (
        survey.get_absolute_url(),
        f"/surveys/{survey.pk}/preview/",
        f"/surveys/{survey.pk}/responses/new/?customer={customer.pk}",
        "/surveys/report/",
        "/surveys/responses/",
        followup.get_absolute_url(),
        f"{customer.get_absolute_url()}?tab=surveys",
    ):
        page.goto(f"{live_server.url}{path}")
        check_accessibility(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/surveys/report/")
    check_accessibility(page)
