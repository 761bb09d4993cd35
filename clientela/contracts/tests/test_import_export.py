"""SPEC §6 for contracts, deliverables and deliveries: Spanish files, atomic runs, exports that round-trip."""

import datetime as dt
import decimal

import pytest
from django.utils import timezone, translation

from clientela.contracts import services
from clientela.contracts.importers import (
    contract_columns,
    contract_importer,
    deliverable_columns,
    deliverable_importer,
    delivery_columns,
    delivery_importer,
)
from clientela.contracts.models import Contract, ContractReview, Deliverable, Delivery
from clientela.contracts.tests.factories import RegulationFactory
from clientela.core import exporting, importing
from clientela.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def run(importer, data: bytes, user, *, filename="datos.csv", dry_run=False):
    return importing.run_import(importer, data, filename=filename, actor=user, dry_run=dry_run)


@pytest.fixture
def world(users):
    hospital = CustomerFactory(code="CLI-000101", tax_id="B58378431", name="Hospital San Rafael")
    ContactFactory(customer=hospital, email="compras@sanrafael.es")
    CustomerFactory(code="CLI-000102", name="Bodegas Rioja", account_manager=users["account_manager"])
    RegulationFactory(code="RGPD")
    RegulationFactory(code="LOPDGDD")
    return hospital


CONTRACTS_CSV = (
    "Número;Cliente;Título;Tipo;Estado;Fecha de inicio;Fecha de fin;Importe;Moneda;Normativa aplicable;"
    "Revisado el;Revisado por;Contacto del cliente\r\n"
    "CT-2025-0100;B58378431;Mantenimiento de quirófanos;Mantenimiento;Activo;01/01/2026;31/12/2026;"
    "18.500,50;EUR;RGPD, LOPDGDD;15/12/2025;sara;compras@sanrafael.es\r\n"
    "CT-2025-0101;CLI-000102;Suministro de barricas;Suministro;Borrador;01/03/2026;28/02/2027;"
    "9.999,99;EUR;;;;\r\n"
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_it_imports_contracts_from_a_spanish_excel_csv(users, world, encoding):
    report = run(contract_importer, CONTRACTS_CSV.encode(encoding), users["sales_manager"])
    assert report.ok, report.errors
    assert report.created == 2
    active = Contract.objects.get(number="CT-2025-0100")
    assert active.customer == world and active.status == "active" and active.value == decimal.Decimal("18500.50")
    assert active.contact.email == "compras@sanrafael.es"
    assert sorted(active.regulations.values_list("code", flat=True)) == ["LOPDGDD", "RGPD"]
    review = ContractReview.objects.get(contract=active)
    assert review.passed and review.reviewer == users["sales_manager"]
    assert timezone.localdate(review.reviewed_at) == dt.date(2025, 12, 15)
    assert Contract.objects.get(number="CT-2025-0101").status == "draft"


def test_reimporting_the_same_file_changes_nothing(users, world):
    run(contract_importer, CONTRACTS_CSV.encode(), users["sales_manager"])
    again = run(contract_importer, CONTRACTS_CSV.encode(), users["sales_manager"])
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Contract.objects.count() == 2


def test_an_active_contract_needs_its_review_in_the_file(users, world):
    data = (
        "Número;Cliente;Título;Estado;Fecha de inicio;Fecha de fin;Normativa aplicable\n"
        "CT-9;CLI-000101;Sin revisión;Activo;01/01/2026;31/12/2026;\n"
        "CT-10;CLI-000101;Fechas al revés;Borrador;31/12/2026;01/01/2026;\n"
        "CT-11;CLI-999999;Cliente inexistente;Borrador;01/01/2026;31/12/2026;\n"
        "CT-12;CLI-000101;Norma rara;Borrador;01/01/2026;31/12/2026;ISO 14001\n"
    )
    report = run(contract_importer, data.encode(), users["sales_manager"])
    assert not Contract.objects.exists()
    assert sorted({e["line"] for e in report.errors}) == [2, 3, 4, 5], report.errors
    messages = " ".join(e["message"] for e in report.errors)
    assert "revisado el" in messages and "ISO 14001" in messages


def test_a_status_change_in_the_file_goes_through_the_workflow(users, world):
    header = "Número;Cliente;Título;Estado;Fecha de inicio;Fecha de fin;Revisado el;Revisado por;Motivo del cierre\n"
    row = "CT-7;CLI-000101;Limpieza;{status};01/01/2026;31/12/2026;15/12/2025;sara;{reason}\n"
    assert run(contract_importer, (header + row.format(status="Activo", reason="")).encode(), users["sales_manager"]).ok
    report = run(
        contract_importer, (header + row.format(status="Rescindido", reason="Impago")).encode(), users["sales_manager"]
    )
    assert report.ok and report.updated == 1, report.errors
    contract = Contract.objects.get(number="CT-7")
    assert contract.status == "terminated" and contract.close_reason == "Impago"
    back = run(contract_importer, (header + row.format(status="Activo", reason="")).encode(), users["sales_manager"])
    assert not back.ok and "no puede pasar" in back.errors[0]["message"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_contract_export_imports_back_unchanged(users, world, fmt, language):
    run(contract_importer, CONTRACTS_CSV.encode(), users["sales_manager"])
    with translation.override(language):
        rows = Contract.objects.order_by("number")
        if fmt == "csv":
            data = exporting.csv_bytes(rows, contract_columns())
        else:
            data = exporting.xlsx_file(rows, contract_columns(), "Contratos").read()
        report = run(contract_importer, data, users["sales_manager"], filename=f"contratos.{fmt}")
    assert report.ok, report.errors
    assert not report.warnings
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_contracts_can_be_imported_without_a_number_and_not_duplicated(users, world):
    data = "Cliente;Título;Fecha de inicio;Fecha de fin;Importe\nCLI-000101;Limpieza;01/01/2026;31/12/2026;100\n"
    assert run(contract_importer, data.encode(), users["sales_manager"]).created == 1
    again = run(contract_importer, data.encode(), users["sales_manager"])
    assert again.unchanged == 1 and Contract.objects.count() == 1
    assert Contract.objects.get().number.startswith("CT-")


# --- deliverables -------------------------------------------------------------------------------


@pytest.fixture
def contract(users, world):
    run(contract_importer, CONTRACTS_CSV.encode(), users["sales_manager"])
    return Contract.objects.get(number="CT-2025-0100")


def test_it_imports_deliverables_with_a_warning_for_dates_outside_the_contract(users, contract):
    data = (
        "Contrato;Descripción;Vencimiento;Criterios de aceptación;Responsable;Equipo;Estado;Motivo de la cancelación\n"
        "CT-2025-0100;Revisión trimestral;31/03/2026;Acta firmada;oscar;Mantenimiento;Pendiente;\n"
        "CT-2025-0100;Informe anual;15/01/2027;;;;;\n"
        "CT-2025-0100;Visita extra;30/06/2026;;;;Cancelado;El cliente no la necesita\n"
    )
    report = run(deliverable_importer, data.encode(), users["sales_manager"])
    assert report.ok, report.errors
    assert report.created == 3
    assert len(report.warnings) == 1 and "Línea 3" in report.warnings[0]
    assert "fuera de las fechas del contrato" in report.warnings[0]
    assert Deliverable.objects.get(description="Visita extra").status == "cancelled"
    assert Deliverable.objects.get(description="Revisión trimestral").responsible == users["operations"]
    again = run(deliverable_importer, data.encode(), users["sales_manager"])
    assert (again.created, again.unchanged) == (0, 3)


def test_delivered_status_comes_from_deliveries_not_from_a_deliverables_file(users, contract):
    data = "Contrato;Descripción;Vencimiento;Estado\nCT-2025-0100;Informe;31/03/2026;Entregado\n"
    report = run(deliverable_importer, data.encode(), users["sales_manager"])
    assert not report.ok and "entregas" in report.errors[0]["message"]


def test_an_account_manager_imports_deliverables_only_for_their_contracts(users, contract):
    data = "Contrato;Descripción;Vencimiento\nCT-2025-0100;Informe;31/03/2026\n"
    report = run(deliverable_importer, data.encode(), users["account_manager"])
    assert not report.ok and not Deliverable.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_deliverable_export_imports_back_unchanged(users, contract, fmt):
    services.deliverable_create(
        actor=users["sales_manager"],
        contract=contract,
        data={"description": "Revisión", "due_date": dt.date(2026, 3, 31), "team": "Técnico"},
    )
    from clientela.contracts import selectors

    rows = selectors.deliverable_list(user=users["sales_manager"])
    data = (
        exporting.csv_bytes(rows, deliverable_columns())
        if fmt == "csv"
        else exporting.xlsx_file(rows, deliverable_columns(), "x").read()
    )
    report = run(deliverable_importer, data, users["sales_manager"], filename=f"entregables.{fmt}")
    assert report.ok, report.errors
    assert not report.warnings and report.unchanged == 1


# --- deliveries ---------------------------------------------------------------------------------


@pytest.fixture
def deliverables(users, contract):
    return [
        services.deliverable_create(
            actor=users["sales_manager"], contract=contract, data={"description": f"Informe {n}", "due_date": due}
        )
        for n, due in ((1, dt.date(2026, 1, 31)), (2, dt.date(2026, 2, 28)))
    ]


def test_it_imports_deliveries_referenced_by_contract_and_description_or_id(users, deliverables):
    first, second = deliverables
    data = (
        "Contrato;Entregable;ID del entregable;Fecha de entrega;Conforme;Qué falló;Gravedad;Registrado por\n"
        f"CT-2025-0100;Informe 1;;30/01/2026;Sí;;;oscar\n"
        f";;{second.pk};27/02/2026;No;Faltan anexos;Media;\n"
        f";;{second.pk};05/03/2026;Sí;;;\n"
    )
    report = run(delivery_importer, data.encode(), users["operations"])
    assert report.ok, report.errors
    assert report.created == 3
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == "delivered"
    assert Delivery.objects.get(deliverable=first).recorded_by == users["operations"]
    again = run(delivery_importer, data.encode(), users["operations"])
    assert (again.created, again.unchanged) == (0, 3), again.errors


def test_bad_delivery_rows_are_reported_and_nothing_is_written(users, deliverables):
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    data = (
        "Contrato;Entregable;Fecha de entrega;Conforme\n"
        f"CT-2025-0100;Informe 1;{future};Sí\n"
        "CT-2025-0100;Informe 9;30/01/2026;Sí\n"
        "CT-2025-0100;Informe 2;01/01/2020;Sí\n"
        "CT-2025-0100;Informe 2;30/01/2026;Quizá\n"
    )
    report = run(delivery_importer, data.encode(), users["operations"])
    assert sorted({e["line"] for e in report.errors}) == [2, 3, 4, 5]
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_delivery_export_imports_back_unchanged(users, deliverables, fmt):
    services.delivery_record(
        actor=users["operations"],
        deliverable=deliverables[0],
        data={"delivered_on": dt.date(2026, 1, 29), "conforming": False, "nonconformity": "Mal", "severity": "low"},
    )
    services.delivery_record(
        actor=users["operations"], deliverable=deliverables[0], data={"delivered_on": dt.date(2026, 1, 30)}
    )
    rows = Delivery.objects.select_related("deliverable__contract__customer", "recorded_by")
    data = (
        exporting.csv_bytes(rows, delivery_columns())
        if fmt == "csv"
        else exporting.xlsx_file(rows, delivery_columns(), "x").read()
    )
    report = run(delivery_importer, data, users["operations"], filename=f"entregas.{fmt}")
    assert report.ok, report.errors
    assert not report.warnings and report.unchanged == 2


def test_the_import_command_knows_the_three_kinds(users, world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "contratos.csv"
    path.write_bytes(CONTRACTS_CSV.encode())
    call_command("import", "contracts", str(path), "--user", "sara", "--dry-run")
    assert not Contract.objects.exists()
    call_command("import", "contracts", str(path), "--user", "sara")
    assert Contract.objects.count() == 2
