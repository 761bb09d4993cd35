"""The platform as a person uses it: sign in, customers, interactions, import, language, phone."""

import re

import pytest
from playwright.sync_api import expect

from clientela.customers.models import Customer, Interaction

from .conftest import check_accessibility, field, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_create_a_customer_and_log_an_interaction_on_its_timeline(page, users):
    sign_in(page, "alice")
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Clientes", exact=True).click()
    page.get_by_role("link", name="Nuevo cliente").click()
    field(page, "Nombre").fill("Conservas Ñora del Segura S.L.")
    field(page, "Identificación fiscal").fill("B58378431")
    field(page, "Teléfono").fill("968 12 34 56")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conservas Ñora del Segura S.L.")
    expect(page.get_by_text("+34 968 12 34 56")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Registrar interacción").click()
    field(page, "Canal").select_option(label="Teléfono")
    field(page, "Asunto").fill("Llamada para confirmar requisitos del pedido")
    page.get_by_role("button", name="Guardar interacción").click()
    expect(page.get_by_text("Interacción registrada.")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Llamada para confirmar requisitos del pedido")
    assert Interaction.objects.get().user.username == "alice"
    assert Customer.objects.get().account_manager.username == "alice"


def test_import_a_spanish_csv_with_preview(page, users, tmp_path):
    csv_file = tmp_path / "clientes.csv"
    csv_file.write_bytes(
        "Código;Nombre;NIF;País;Estado\r\nCLI-000900;Panadería Ibáñez S.L.;B58378431;España;Activo\r\n"
        "CLI-000901;Mármoles Güell S.A.;A58818501;España;Potencial\r\n".encode("cp1252")
    )
    sign_in(page, "sara")
    page.goto(f"{page.base_url}/customers/")
    page.get_by_role("link", name="Importar").click()
    check_accessibility(page)
    field(page, "Archivo").set_input_files(str(csv_file))
    page.get_by_role("button", name="Subir y comprobar").click()
    expect(page.get_by_text("El archivo es válido")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Mármoles Güell"))).to_be_visible()
    assert Customer.objects.count() == 0
    page.get_by_role("button", name="Importar 2 filas").click()
    expect(page.get_by_text("Importación terminada")).to_be_visible()
    assert set(Customer.objects.values_list("name", flat=True)) == {"Panadería Ibáñez S.L.", "Mármoles Güell S.A."}


def test_switch_language_and_keep_it(page, users):
    sign_in(page, "quique")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    page.goto(f"{page.base_url}/customers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clientes")


def test_filtering_the_list_refreshes_results_in_place(page, users):
    for name in ("Bodegas Rioja S.A.", "Aceites del Sur S.L."):
        from clientela.customers import services

        services.customer_create(actor=users["sales_manager"], data={"name": name, "status": "active"})
    sign_in(page, "sara")
    page.goto(f"{page.base_url}/customers/")
    page.get_by_label("Buscar", exact=True).fill("rioja")
    expect(page.locator("#results")).not_to_contain_text("Aceites del Sur")
    expect(page.locator("#results")).to_contain_text("Bodegas Rioja")
    assert "q=rioja" in page.url
    check_accessibility(page)


def test_on_a_phone_the_menu_opens_from_the_button(page, users):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "carlos")
    nav = page.get_by_role("navigation", name="Navegación principal")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menú").click()
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="Interacciones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interacciones")
    check_accessibility(page)
