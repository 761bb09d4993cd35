"""SPEC §6: files as people really have them; atomic and idempotent imports; exports that round-trip."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from clientela.core import exporting, importing
from clientela.customers.importers import contact_importer, customer_columns, customer_importer
from clientela.customers.models import Contact, Customer
from clientela.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SPANISH_CSV = (
    "Código;Nombre;Tipo;NIF;Correo electrónico;Teléfono;País;Segmento;Estado\r\n"
    "CLI-000501;Construcciones Pérez S.L.;Organización;B58378431;obras@perez.es;912 345 678;España;Construcción;Activo\r\n"
    "CLI-000502;Muñoz & Hijos S.A.;organization;A58818501;info@munoz.es;+34 600 123 456;ES;Industria;Potencial\r\n"
)


def run(data: bytes, user, *, filename="clientes.csv", dry_run=False, importer=customer_importer):
    return importing.run_import(importer, data, filename=filename, actor=user, dry_run=dry_run)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_it_imports_spanish_excel_csv_in_every_encoding(users, encoding):
    report = run(SPANISH_CSV.encode(encoding), users["sales_manager"])
    assert report.ok, report.errors
    assert report.created == 2
    perez = Customer.objects.get(code="CLI-000501")
    assert perez.name == "Construcciones Pérez S.L."
    assert perez.phone == "+34 912 34 56 78"
    assert Customer.objects.get(code="CLI-000502").status == "prospect"


def test_it_imports_plain_comma_csv_with_field_name_headers(users):
    data = b"code,name,country,status,tax_id\nCLI-7,Acme Corp,MX,active,GODE561231GR8\n"
    report = run(data, users["sales_manager"])
    assert report.ok, report.errors
    assert Customer.objects.get(code="CLI-7").tax_id == "GODE561231GR8"


def test_headers_ignore_case_and_accents_and_unknown_columns_are_reported(users):
    data = "CODIGO;NOMBRE;pais;Columna rara\nX1;Uno S.L.;españa;foo\n".encode()
    report = run(data, users["sales_manager"])
    assert report.ok, report.errors
    assert report.warnings and "Columna rara" in report.warnings[0]
    assert Customer.objects.get(code="X1").country.code == "ES"


def test_a_dry_run_writes_nothing(users):
    report = run(SPANISH_CSV.encode(), users["sales_manager"], dry_run=True)
    assert report.ok and report.created == 2 and not report.committed
    assert Customer.objects.count() == 0


def test_any_invalid_row_means_nothing_is_written_and_every_error_has_its_line(users):
    data = (
        b"code;name;email;tax_id\n"
        b"A1;Bien S.L.;bien@bien.es;\n"
        b"A2;;mal@mal.es;\n"
        b"A3;Correo Malo;no-es-correo;\n"
        b"A4;NIF Malo;;B00000001\n"
        b"A1;Repetido;;\n"
    )
    report = run(data, users["sales_manager"])
    assert Customer.objects.count() == 0
    lines = sorted({e["line"] for e in report.errors})
    assert lines == [3, 4, 5, 6]
    messages = " ".join(e["message"] for e in report.errors)
    assert "line 2" in messages or "línea 2" in messages


def test_reimporting_the_same_file_creates_no_duplicates(users):
    assert run(SPANISH_CSV.encode(), users["sales_manager"]).created == 2
    again = run(SPANISH_CSV.encode(), users["sales_manager"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Customer.objects.count() == 2


def test_rows_match_on_tax_id_then_email_when_there_is_no_code(users):
    existing = CustomerFactory(code="CLI-1", name="Antes", tax_id="B58378431")
    by_mail = CustomerFactory(code="CLI-2", name="Correo", email="hola@x.es")
    report = run("name;nif;email\nDespués;B-58378431;\nNuevo nombre;;hola@x.es\n".encode(), users["sales_manager"])
    assert report.ok and report.updated == 2
    existing.refresh_from_db()
    by_mail.refresh_from_db()
    assert existing.name == "Después" and by_mail.name == "Nuevo nombre"


def test_impossible_dates_and_decimal_commas_are_understood(users):
    customer = CustomerFactory(code="CLI-1")
    data = f"customer;first_name;email;survey_consent;survey_consent_at\n{customer.code};Ana;ana@x.es;Sí;31/02/2026\n".encode()
    report = run(data, users["sales_manager"], importer=contact_importer)
    assert not report.ok
    assert "31/02/2026" in report.errors[0]["message"]
    assert importing.parse_decimal("1.234,56", decimal_comma=True) == importing.parse_decimal("1234.56", False)
    assert str(importing.parse_decimal("1,234.56", decimal_comma=False)) == "1234.56"
    assert importing.parse_date("05/03/2026") == dt.date(2026, 3, 5)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"\x00\x01\x02binary", "a.csv", "not a text file"),
        (b"name\n", "a.csv", "no rows"),
        (";".join(f"c{i}" for i in range(1000)).encode() + b"\n1\n", "a.csv", "columns"),
        (b"PK\x03\x04garbage", "a.xlsx", "cannot be read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "a.xls", ".xls"),
        (b"code;nombre\nX;\xff\xfe\x00", "a.csv", "not a text file"),
    ],
)
def test_malformed_files_get_a_clear_message(users, data, filename, message):
    with translation.override("en"):
        report = run(data, users["sales_manager"], filename=filename)
    assert not report.ok
    assert message in report.errors[0]["message"]
    assert Customer.objects.count() == 0


def test_files_over_the_limit_are_refused(users, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with translation.override("en"):
        report = run(b"name\n" + b"x" * 2000, users["sales_manager"])
    assert "too large" in report.errors[0]["message"]


def test_it_imports_xlsx_with_real_dates(users):
    customer = CustomerFactory(code="CLI-1")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Cliente",
            "Nombre",
            "Apellidos",
            "Correo electrónico",
            "Acepta encuestas de satisfacción",
            "Fecha del consentimiento para encuestas",
        ]
    )
    sheet.append([customer.code, "Lucía", "Gómez", "lucia@x.es", "sí", dt.datetime(2026, 1, 15, 10, 0)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), users["sales_manager"], filename="contactos.xlsx", importer=contact_importer)
    assert report.ok, report.errors
    contact = Contact.objects.get(email="lucia@x.es")
    assert contact.survey_consent and contact.survey_consent_at.date() == dt.date(2026, 1, 15)


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imports_back_unchanged(users, language, fmt):
    CustomerFactory(
        code="CLI-1",
        name="=cmd|' /C calc'!A0",
        tax_id="B58378431",
        phone="+34 912 34 56 78",
        account_manager=users["account_manager"],
    )
    CustomerFactory(
        code="CLI-2", name="Ñandú «Comillas»; y punto y coma", country="AR", tax_id="30714553336", status="former"
    )
    with translation.override(language):
        columns = customer_columns()
        if fmt == "csv":
            data = exporting.csv_bytes(Customer.objects.order_by("code"), columns)
        else:
            data = exporting.xlsx_file(Customer.objects.order_by("code"), columns, "x").read()
        report = run(data, users["sales_manager"], filename=f"export.{fmt}")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_exports_neutralise_formulas(users):
    CustomerFactory(code="CLI-1", name='=HYPERLINK("http://x")', notes="@SUM(1)")
    with translation.override("es"):
        text = exporting.csv_bytes(Customer.objects.all(), customer_columns()).decode("utf-8-sig")
        row = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r[0] == "CLI-1")
        assert row[1].startswith("'=") and row[-1].startswith("'@")
        workbook = load_workbook(exporting.xlsx_file(Customer.objects.all(), customer_columns(), "x"))
    cell = workbook.active["B2"]
    assert cell.value.startswith("=") and cell.data_type == "s"


def test_the_command_imports_and_reports(users, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_bytes(SPANISH_CSV.encode("cp1252"))
    out = io.StringIO()
    call_command("import", "customers", str(path), "--dry-run", "--user", "sara", stdout=out)
    assert "Dry run" in out.getvalue() and Customer.objects.count() == 0
    call_command("import", "customers", str(path), "--user", "sara", stdout=out)
    assert Customer.objects.count() == 2
    path.write_bytes(b"code;name\nX;\n")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import", "customers", str(path), "--user", "sara", stdout=out)


def test_a_zip_bomb_like_workbook_is_refused_politely(users):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    report = run(buffer.getvalue(), users["sales_manager"], filename="x.xlsx")
    assert not report.ok
