"""PSC 004 as a controlled document: its text and version table, new versions drafted by quality and
approved by top management, every step audited."""

import datetime as dt

import pytest
from django.urls import reverse

from clientela.core import audit
from clientela.core.errors import DomainError, IllegalTransition
from clientela.indicators import selectors, services
from clientela.indicators.models import ControlledDocument, DocumentVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def psc004():
    return ControlledDocument.objects.get(code="PSC 004")


def test_the_system_carries_its_own_process_definition(psc004):
    assert (psc004.title, psc004.author, psc004.approver) == ("Gestión del Cliente", "EGC", "CEO")
    version = selectors.version_in_force(psc004)
    assert (version.version, version.effective_date, version.change_summary, version.approver_label) == (
        "000",
        dt.date(2024, 12, 1),
        "Original",
        "CEO",
    )
    for words in (
        "Asegurar la satisfacción del cliente",
        "CCT = (N.º de contratos cumplidos / Total de contratos) × 100",
        "Frecuencia de Evaluación: Trimestral, con revisión por la Alta Dirección.",
        "Falta de Herramientas Adecuadas",
        "Programas de Fidelización",
        "000 | 01.12.2024 | Original | CEO",
    ):
        assert words in version.body


def test_the_document_page_shows_the_text_and_the_version_table(client_as, psc004):
    page = client_as("customer_service").get(psc004.get_absolute_url())
    assert page.status_code == 200
    assert "PSC 004 | Gestión del Cliente" in page.text and "01.12.2024" in page.text and "Original" in page.text
    assert "Asegurar la satisfacción del cliente" in page.text
    assert "Redactar una nueva versión" not in page.text
    listing = client_as("operations").get(reverse("indicators:documents"))
    assert "Gestión del Cliente" in listing.text


def test_a_new_version_is_drafted_by_quality_and_approved_by_management(users, psc004):
    draft = services.document_draft(
        actor=users["quality"], document=psc004, data={"change_summary": "Metas anuales de los indicadores"}
    )
    assert (draft.version, draft.status, draft.approver_label) == ("001", "draft", "CEO")
    assert "Asegurar la satisfacción del cliente" in draft.body  # starts from the text in force
    with pytest.raises(DomainError):
        services.document_draft(actor=users["quality"], document=psc004, data={"change_summary": "Otra"})
    draft = services.version_update(
        actor=users["quality"], version=draft, data={"body": draft.body + "\nMetas: CCT ≥ 95 %, SC ≥ 85 %."}
    )
    approved = services.version_approve(actor=users["management"], version=draft, today=dt.date(2026, 12, 1))
    assert (approved.status, approved.effective_date, approved.approved_by) == (
        "in_force",
        dt.date(2026, 12, 1),
        users["management"],
    )
    original = DocumentVersion.objects.get(document=psc004, version="000")
    assert original.status == "superseded"
    assert selectors.version_in_force(psc004) == approved
    assert audit.history_for(original).filter(action="transition").get().changes == {
        "status": ["in_force", "superseded"]
    }
    assert audit.history_for(approved).filter(action="transition").exists()
    with pytest.raises(DomainError):
        services.version_update(actor=users["quality"], version=approved, data={"body": "Cambio"})
    with pytest.raises(IllegalTransition):
        services.version_approve(actor=users["management"], version=approved)


def test_a_version_needs_a_change_summary_and_a_draft_can_be_withdrawn(users, psc004):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.document_draft(actor=users["quality"], document=psc004, data={"change_summary": " "})
    draft = services.document_draft(actor=users["quality"], document=psc004, data={"change_summary": "Prueba"})
    services.version_withdraw(actor=users["quality"], version=draft, note="Se replantea")
    assert selectors.version_draft(psc004) is None
    assert (
        services.document_draft(actor=users["quality"], document=psc004, data={"change_summary": "x"}).version == "002"
    )


@pytest.mark.parametrize(
    ("role", "draft", "approve"),
    [("quality", 200, 403), ("management", 403, 302), ("sales_manager", 403, 403), ("operations", 403, 403)],
)
def test_who_drafts_and_who_approves(client_as, users, psc004, role, draft, approve):
    client = client_as(role)
    assert client.get(reverse("indicators:document_draft", args=[psc004.pk])).status_code == draft
    version = services.document_draft(actor=users["quality"], document=psc004, data={"change_summary": "Cambio"})
    assert client.post(reverse("indicators:version_approve", args=[version.pk])).status_code == approve


def test_drafting_and_approving_through_the_pages(client_as, psc004):
    client = client_as("quality")
    response = client.post(
        reverse("indicators:document_draft", args=[psc004.pk]),
        {"change_summary": "Nueva sección de metas", "body": "Texto nuevo del procedimiento"},
    )
    assert response.status_code == 302
    draft = selectors.version_draft(psc004)
    page = client.get(psc004.get_absolute_url())
    assert "001" in page.text and "espera la aprobación" in page.text
    shown = client.get(psc004.get_absolute_url(), {"version": draft.pk})
    assert "Texto nuevo del procedimiento" in shown.text
    client = client_as("management")
    client.post(reverse("indicators:version_approve", args=[draft.pk]))
    assert selectors.version_in_force(psc004).version == "001"


def test_the_list_filters_sorts_and_exports(client_as, users, psc004):
    ControlledDocument.objects.create(code="PSC 001", title="Dirección estratégica", author="EGC", approver="CEO")
    client = client_as("account_manager")
    page = client.get(reverse("indicators:documents"), {"q": "cliente"})
    assert "Gestión del Cliente" in page.text and "Dirección estratégica" not in page.text
    page = client.get(reverse("indicators:documents"), {"sort": "-code"})
    assert page.text.index("PSC 004") < page.text.index("PSC 001")
    export = client_as("quality").get(reverse("indicators:documents"), {"export": "csv"})
    assert "Gestión del Cliente" in b"".join(export.streaming_content).decode("utf-8-sig")
