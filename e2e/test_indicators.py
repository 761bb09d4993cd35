"""Monitoring as top management and quality use it: the dashboard of a quarter with CCT and SC, a
target set by management, a management review prepared, approved and downloaded as PDF."""

import datetime as dt
import io
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from clientela.core.periods import Period, Ratio
from clientela.indicators import registry
from clientela.indicators.models import IndicatorTarget, ManagementReview

from .conftest import check_accessibility, field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUARTER = Period.current_quarter().previous()


@pytest.fixture
def process_indicators(monkeypatch):
    """CCT and SC as the contracts and surveys modules will provide them, with known figures, and
    the register and PSC 004 the data migration creates (a transactional test starts empty)."""
    import_module("clientela.indicators.migrations.0002_psc004_and_risk_register").seed_process_records(apps, None)
    monkeypatch.setattr(registry, "_DEFINITIONS", dict(registry._DEFINITIONS))
    figures = {"cct": Ratio(47, 50), "sc": Ratio(36, 40)}

    def selector(key):
        def compute(*, period, segment=None, account_manager=None):
            return figures[key] if period == QUARTER else Ratio(0, 0)

        return compute

    registry.provide("cct", registry.from_selector(selector("cct")))
    registry.provide("sc", registry.from_selector(selector("sc")))


def test_the_dashboard_of_a_quarter_shows_cct_and_sc_against_their_targets(page, users, process_indicators):
    sign_in(page, "mario")
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Indicadores").click()
    field(page, "Periodo").fill(QUARTER.label)
    page.get_by_role("button", name="Mostrar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Indicadores {QUARTER.label}")
    cct = page.locator("article.kpi").filter(
        has=page.get_by_role("heading", name="CCT · Contratos cumplidos en tiempo y forma")
    )
    expect(cct).to_contain_text("94,00 %")
    expect(cct).to_contain_text("≥ 95,00 %")
    expect(cct).to_contain_text("En alerta, cerca de la meta")
    sc = page.locator("article.kpi").filter(has=page.get_by_role("heading", name="SC · Satisfacción del cliente"))
    expect(sc).to_contain_text("90,00 %")
    expect(sc).to_contain_text("≥ 85,00 %")
    expect(sc).to_contain_text("En meta")
    expect(sc).to_contain_text("Intervalo del 95 %")
    expect(page.locator("canvas[data-chart='chart-cct']")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Metas").click()
    page.get_by_label("Meta de CCT").fill("93,5")
    page.get_by_role("button", name="Guardar metas").click()
    expect(page.get_by_text(f"Metas de {QUARTER.start.year} guardadas.")).to_be_visible()
    assert float(IndicatorTarget.objects.get(indicator="cct").target) == 93.5
    check_accessibility(page)
    page.goto(f"{page.base_url}/indicators/dashboard/?period={QUARTER.label}")
    expect(cct).to_contain_text("≥ 93,50 %")
    expect(cct).to_contain_text("En meta")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("heading", name="CCT · Contratos cumplidos en tiempo y forma")).to_be_visible()
    check_accessibility(page)


def test_a_review_is_prepared_approved_and_downloaded(page, users, process_indicators):
    sign_in(page, "quique")
    page.goto(f"{page.base_url}/indicators/reviews/")
    field(page, "Trimestre").fill(QUARTER.label)
    page.get_by_role("button", name="Preparar una revisión").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revisión por la Dirección {QUARTER.label}")
    expect(page.get_by_text("En preparación: las cifras se calculan ahora")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Editar el acta").click()
    meeting = timezone.localdate() - dt.timedelta(days=3)
    field(page, "Fecha de la reunión").fill(meeting.isoformat())
    page.get_by_label("Mario Dirección").check()
    page.get_by_label("Enrique Calidad").check()
    field(page, "Conclusiones").fill("El proceso es eficaz; se mantiene la vigilancia del CCT.")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Acta guardada.")).to_be_visible()
    page.get_by_role("link", name="Añadir una decisión").click()
    field(page, "Decisión").fill("Reforzar el seguimiento semanal de entregas.")
    field(page, "Responsable").select_option(label="Óscar Operaciones")
    field(page, "Fecha límite").fill((meeting + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Decisión añadida.")).to_be_visible()
    expect(page.get_by_role("button", name="Aprobar la revisión")).to_have_count(0)  # quality prepares only

    page.context.clear_cookies()
    sign_in(page, "mario")
    page.goto(f"{page.base_url}/indicators/reviews/")
    page.get_by_role("link", name=f"Revisión {QUARTER.label}").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Aprobar la revisión").click()
    expect(page.get_by_text("Revisión por la dirección aprobada")).to_be_visible()
    expect(page.get_by_role("link", name="Editar el acta")).to_have_count(0)
    assert ManagementReview.objects.get().status == "approved"
    check_accessibility(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar el PDF aprobado").click()
    assert download.value.suggested_filename == f"revision-direccion-{QUARTER.label}.pdf"
    with open(download.value.path(), "rb") as handle:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages).split())
    for expected in (f"Revisión por la Dirección {QUARTER.label}", "94,00 %", "90,00 %", "Reforzar el seguimiento"):
        assert expected in text


def test_the_risk_register_and_the_process_document(page, users, process_indicators):
    sign_in(page, "quique")
    nav = page.get_by_role("navigation", name="Navegación principal")
    nav.get_by_role("link", name="Riesgos y oportunidades").click()
    heat_map = page.get_by_role("table", name="Riesgos: probabilidad × impacto")
    expect(heat_map).to_be_visible()
    expect(page.get_by_text("7 elementos aún no están evaluados.")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Falta de herramientas adecuadas").click()
    page.get_by_role("link", name="Editar").click()
    field(page, "Probabilidad").select_option("4")
    field(page, "Impacto").select_option("3")
    field(page, "Estrategia").select_option(label="Mitigar")
    field(page, "Tratamiento").fill("Registro de interacciones el mismo día en el CRM.")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Cambios guardados.")).to_be_visible()
    expect(page.locator(".subtitle")).to_contain_text("Alto")
    field(page, "Plan de acción").fill("PA-2026-0003")
    page.get_by_role("button", name="Vincular plan").click()
    expect(page.get_by_text("Plan de acción vinculado.")).to_be_visible()
    check_accessibility(page)
    page.goto(f"{page.base_url}/indicators/risks/")
    expect(heat_map.get_by_role("cell", name="12 Alto R-03")).to_be_visible()

    nav.get_by_role("link", name="Documentos").click()
    page.get_by_role("link", name="Gestión del Cliente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PSC 004 | Gestión del Cliente")
    history = page.get_by_role("table").filter(has_text="Asiento")
    expect(history).to_contain_text("01.12.2024")
    expect(history).to_contain_text("Original")
    expect(page.get_by_text("Asegurar la satisfacción del cliente")).to_be_visible()
    check_accessibility(page)
