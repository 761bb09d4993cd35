"""The import engine reports a row refused by a rule of the process (a DomainError raised by a
service) like an invalid row: on its line, with the service's message, and nothing is written."""

from typing import Any

import pytest

from clientela.core.errors import DomainError
from clientela.core.importing import Importer, ImportField, run_import
from clientela.customers.models import Customer
from clientela.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


class RenamingImporter(Importer):
    """Renames customers by code; a name that says "cerrado" is refused as a closed record would be."""

    kind = "test-renaming"
    label = "customers"
    permission = "customers.import"
    model = Customer
    fields = [ImportField("code", required=True), ImportField("name", required=True)]

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("code", data.get("code"))]

    def find_existing(self, data: dict[str, Any]) -> Customer | None:
        return Customer.objects.get(code=data["code"])

    def save(self, *, actor: Any, data: dict[str, Any], existing: Customer | None) -> str:
        Customer.objects.filter(pk=existing.pk).update(name=data["name"])
        if "cerrado" in data["name"]:
            raise DomainError("Este cliente está cerrado: no se puede cambiar.")
        return "updated"


def test_a_row_refused_by_a_rule_is_reported_on_its_line_and_nothing_is_written(users):
    CustomerFactory(code="CLI-000001", name="Uno")
    CustomerFactory(code="CLI-000002", name="Dos")
    data = b"code;name\nCLI-000001;Uno nuevo\nCLI-000002;Dos cerrado\n"
    report = run_import(RenamingImporter(), data, filename="c.csv", actor=users["admin"], dry_run=False)
    assert report.errors == [{"line": 3, "column": "", "message": "Este cliente está cerrado: no se puede cambiar."}]
    assert not report.committed
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Dos", "Uno"]
