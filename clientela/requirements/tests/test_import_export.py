"""Import and export of requirements (SPEC §6): Spanish spreadsheets, the customer by its code, atomic
runs, and an export that imports back unchanged."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clientela.contracts.tests.factories import ContractFactory
from clientela.core.importing import run_import
from clientela.customers.tests.factories import CustomerFactory
from clientela.requirements.importers import requirement_importer
from clientela.requirements.models import Requirement
from clientela.requirements.tests.factories import RequirementFactory, advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(users):
    return CustomerFactory(code="CLI-000777", account_manager=users["account_manager"])


def spanish_csv(*rows: str) -> bytes:
    header = "Número;Cliente;Título;Tipo;Prioridad;Origen;Descripción;Criterios de aceptación;Estado;Versión"
    return ("\r\n".join([header, *rows]) + "\r\n").encode("cp1252")


def test_a_spanish_csv_creates_requirements(users, customer):
    data = spanish_csv(
        ";cli-000777;Factura en formato Facturae;Legal o reglamentario;Debe tener;Ley o normativa;;Facturae 3.2.2;;",
        ";CLI-000777;Embalaje reciclable;expectation;could;Encuesta;Sin plásticos;100 % FSC;Borrador;",
    )
    report = run_import(
        requirement_importer, data, filename="requisitos.csv", actor=users["account_manager"], dry_run=False
    )
    assert report.errors == [] and report.created == 2
    first = Requirement.objects.get(title="Factura en formato Facturae")
    assert (first.customer, first.kind, first.priority, first.source, first.status) == (
        customer,
        "legal",
        "must",
        "regulation",
        "draft",
    )


def test_an_invalid_row_writes_nothing_and_says_why(users, customer):
    data = spanish_csv(
        ";CLI-000777;Bien;explicit;must;meeting;;;;",
        ";CLI-404;Cliente que no existe;explicit;must;meeting;;;;",
        ";CLI-000777;Validado de entrada;explicit;must;meeting;;;Validado;",
        ";CLI-000777;;explicit;must;meeting;;;;",
    )
    report = run_import(requirement_importer, data, filename="r.csv", actor=users["account_manager"], dry_run=False)
    assert [e["line"] for e in report.errors] == [3, 4, 5]
    assert "CLI-404" in report.errors[0]["message"]
    assert not Requirement.objects.exists()


def test_an_account_manager_imports_only_for_their_customers(users, customer):
    other = CustomerFactory(code="CLI-000888", account_manager=users["bob"])
    data = spanish_csv(f";{other.code};Ajeno;explicit;must;meeting;;;;")
    report = run_import(requirement_importer, data, filename="r.csv", actor=users["account_manager"], dry_run=False)
    assert report.errors and not Requirement.objects.exists()


def test_the_contract_is_referenced_by_its_number(users, customer):
    contract = ContractFactory(customer=customer, number="CT-2026-0042")
    foreign = ContractFactory(customer=CustomerFactory(account_manager=users["account_manager"]), number="CT-2026-0043")
    header = "Cliente;Contrato;Título"
    good = f"{header}\nCLI-000777;ct-2026-0042;Con contrato\nCLI-000777;;Sin contrato\n".encode()
    report = run_import(requirement_importer, good, filename="r.csv", actor=users["account_manager"], dry_run=False)
    assert report.errors == [] and report.created == 2
    assert Requirement.objects.get(title="Con contrato").contract == contract
    assert Requirement.objects.get(title="Sin contrato").contract is None
    bad = f"{header}\nCLI-000777;CT-2026-9999;Desconocido\nCLI-000777;{foreign.number};De otro cliente\n".encode()
    report = run_import(requirement_importer, bad, filename="r.csv", actor=users["account_manager"], dry_run=False)
    assert [e["line"] for e in report.errors] == [2, 3]
    assert "CT-2026-9999" in report.errors[0]["message"] and report.errors[1]["column"].lower() == "contrato"
    assert Requirement.objects.count() == 2


def test_editing_an_agreed_requirement_by_import_is_refused_on_its_line(users, customer):
    approved = advance(RequirementFactory(customer=customer, title="Acordado"), users, "approved")
    data = f"Número;Cliente;Título\n{approved.number};CLI-000777;Acordado cambiado\n".encode()
    report = run_import(requirement_importer, data, filename="r.csv", actor=users["sales_manager"], dry_run=False)
    assert [e["line"] for e in report.errors] == [2] and "versión" in report.errors[0]["message"].lower()
    approved.refresh_from_db()
    assert approved.title == "Acordado"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imports_back_unchanged(client_as, users, customer, fmt):
    advance(
        RequirementFactory(
            customer=customer,
            contract=ContractFactory(customer=customer),
            title="=Plazo; con “comillas”",
            description="Línea 1\nLínea 2",
        ),
        users,
        "approved",
    )
    RequirementFactory(customer=customer, title="Borrador", priority="wont", kind="expectation")
    response = client_as("sales_manager").get(reverse("requirements:list"), {"export": fmt})
    data = b"".join(response.streaming_content) if response.streaming else response.content
    report = run_import(requirement_importer, data, filename=f"r.{fmt}", actor=users["sales_manager"], dry_run=False)
    assert report.errors == [] and report.warnings == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_an_edited_export_updates_a_draft_but_not_an_agreed_requirement(client_as, users, customer):
    approved = advance(RequirementFactory(customer=customer, title="Acordado"), users, "approved")
    draft = RequirementFactory(customer=customer, title="Borrador")
    response = client_as("sales_manager").get(reverse("requirements:list"), {"export": "xlsx"})
    book = load_workbook(
        io.BytesIO(response.getvalue() if hasattr(response, "getvalue") else b"".join(response.streaming_content))
    )
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == draft.number:
            row[3].value = "Borrador corregido"
    out = io.BytesIO()
    book.save(out)
    report = run_import(
        requirement_importer, out.getvalue(), filename="r.xlsx", actor=users["sales_manager"], dry_run=False
    )
    assert report.errors == [] and report.updated == 1
    draft.refresh_from_db()
    assert draft.title == "Borrador corregido"
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == approved.number:
            row[3].value = "Acordado cambiado"
    out = io.BytesIO()
    book.save(out)
    report = run_import(
        requirement_importer, out.getvalue(), filename="r.xlsx", actor=users["sales_manager"], dry_run=False
    )
    assert len(report.errors) == 1 and report.updated == 0
    approved.refresh_from_db()
    assert approved.title == "Acordado"


def test_a_file_exported_before_a_new_version_is_refused(client_as, users, customer):
    from clientela.requirements import services

    requirement = advance(RequirementFactory(customer=customer, title="Acordado"), users, "approved")
    response = client_as("sales_manager").get(reverse("requirements:list"), {"export": "csv"})
    data = b"".join(response.streaming_content)
    services.requirement_new_version(
        actor=users["sales_manager"], requirement=requirement, data={"title": "Acordado v2"}, reason="Cambio"
    )
    report = run_import(requirement_importer, data, filename="r.csv", actor=users["sales_manager"], dry_run=False)
    assert report.errors and not report.committed


def test_the_import_page_is_offered_to_who_may_import(client_as):
    assert client_as("account_manager").get(reverse("core:import_upload", args=["requirements"])).status_code == 200
    assert client_as("operations").get(reverse("core:import_upload", args=["requirements"])).status_code == 403
