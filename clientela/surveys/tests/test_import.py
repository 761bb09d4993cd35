"""Importing survey responses (SPEC §6): Spanish CSV, atomic runs, no duplicates, export round trip."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clientela.core.importing import run_import
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.surveys.importers import response_importer
from clientela.surveys.models import SurveyResponse
from clientela.surveys.tests.factories import answer, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(users):
    return make_survey(users["quality"], title="Encuesta en papel")


def run(data: bytes, actor, dry_run=False):
    with translation.override("es"):
        return run_import(response_importer, data, filename="respuestas.csv", actor=actor, dry_run=dry_run)


def test_a_spanish_csv_imports_paper_answers(survey, users):
    customer = CustomerFactory(code="CLI-000777")
    ContactFactory(customer=customer, email="ana@cliente.es")
    csv = (
        "Encuesta;Cliente;Contacto;Fecha;Canal;Pregunta 1;Pregunta 2;Pregunta 3\r\n"
        "Encuesta en papel;CLI-000777;ana@cliente.es;12/03/2026 10:30;Formulario en papel;4;9;Buen servicio\r\n"
        "Encuesta en papel;;;13/03/2026;Formulario en papel;2;;\r\n"
    ).encode("cp1252")
    report = run(csv, users["quality"])
    assert report.ok, report.errors
    assert report.created == 2
    known = SurveyResponse.objects.get(customer=customer)
    assert known.channel == "paper" and known.headline_value == 4 and known.contact.email == "ana@cliente.es"
    assert timezone.localtime(known.submitted_at).strftime("%d/%m/%Y %H:%M") == "12/03/2026 10:30"
    assert SurveyResponse.objects.get(customer__isnull=True).headline_value == 2
    again = run(csv, users["quality"])
    assert again.ok and again.unchanged == 2 and SurveyResponse.objects.count() == 2


def test_any_bad_row_imports_nothing_and_every_bad_row_is_reported(survey, users):
    csv = (
        b"Encuesta;Cliente;Fecha;Pregunta 1;Pregunta 2\r\n"
        b"Encuesta en papel;;12/03/2026;5;10\r\n"
        b"Encuesta en papel;;13/03/2026;7;\r\n"
        b"Otra encuesta;;14/03/2026;5;\r\n"
        b"Encuesta en papel;CLI-NOEXISTE;15/03/2026;5;\r\n"
        b"Encuesta en papel;;32/03/2026;5;\r\n"
        b"Encuesta en papel;;16/03/2026;;8\r\n"
    )
    report = run(csv, users["quality"])
    assert not report.ok
    assert sorted({e["line"] for e in report.errors}) == [3, 4, 5, 6, 7]
    assert not SurveyResponse.objects.exists()


def test_the_export_imports_back_unchanged(survey, users, client_as):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    answer(survey, score=5, customer=customer, contact=contact, extra={2: 10, 3: "Todo perfecto"})
    answer(survey, score=3, customer=None, at=timezone.now() - dt.timedelta(days=2))
    export = client_as("quality").get(reverse("surveys:responses"), {"export": "csv"})
    data = b"".join(export.streaming_content)
    assert b"Pregunta 3" in data and b"Todo perfecto" in data
    before = set(SurveyResponse.objects.values_list("pk", flat=True))
    report = run(data, users["quality"])
    assert report.ok, report.errors
    assert report.unchanged == 2 and set(SurveyResponse.objects.values_list("pk", flat=True)) == before
    SurveyResponse.objects.all().delete()
    report = run(data, users["quality"])
    assert report.ok and report.created == 2
    restored = SurveyResponse.objects.get(customer=customer)
    assert restored.answers.get(question__position=3).value == "Todo perfecto" and restored.contact == contact


def test_importing_needs_the_quality_role(client_as):
    assert client_as("quality").get(reverse("core:import_upload", args=["survey-responses"])).status_code == 200
    assert (
        client_as("customer_service").get(reverse("core:import_upload", args=["survey-responses"])).status_code == 403
    )
